/*
 * What the generated message checks know of the protocol, in one place
 * for both emitters: the kernel's scoutfs_net_msg_invalid() (net_check.c)
 * and the utilities' netMessageInvalid() (messages.ts) apply the same
 * checks in the same order and report the same sentences, so a test can
 * compare them case by case.
 *
 * A message is a NetHeader (data_len, cmd, flags, error, and whatever
 * @max/@mask rules and pads the schema gives it) followed by data_len
 * bytes of the payload of its command: the request struct, or with
 * NET_FLAG_RESPONSE in flags the reply struct (None: no bytes).  An
 * error response (error not zero) carries no payload, and a request
 * carries no error.
 */
import { IrMessage } from './ir';
import { Layout, StructLayout } from './layout';
import { SchemaError } from './loader';
import { flatRules } from './rules';

export const NET_HEADER = 'NetHeader';
export const NET_RESPONSE_FLAG = 'NET_FLAG_RESPONSE';

/* the checks, in the order both sides apply them, and their sentences */
export const NET_WHY = {
  short: (size: number) => `message shorter than its header (${size} bytes)`,
  length: 'length is not the header plus data_len',
  cmd: 'cmd is not a known command',
  requestError: 'request carries an error',
  errorPayload: 'error response carries a payload',
  size: (m: IrMessage, resp: boolean, size: number) =>
    `${m.name} ${resp ? 'response' : 'request'} payload is not ${size} bytes`,
};

/* The header fields the checks read; the schema must declare them. */
const HEADER_FIELDS: Record<string, string> = {
  data_len: 'le16',
  cmd: 'u8',
  flags: 'u8',
  error: 'u8',
};

export interface NetSpec {
  header: StructLayout;
  messages: IrMessage[];
}

/* null when the schemas declare no messages */
export function netSpec(layout: Layout): NetSpec | null {
  const ir = layout.ir;
  if (!ir.messages.length) return null;
  const header = layout.byName.get(NET_HEADER);
  const where = ir.messages[0].where;
  const problems: string[] = [];
  if (!header || header.area !== 'net') {
    problems.push(`${where.file}:${where.line}: messages need a ${NET_HEADER} struct in net.ts`);
  } else {
    for (const [name, prim] of Object.entries(HEADER_FIELDS)) {
      const f = header.fields.find((x) => x.name === name);
      if (!f || f.type.kind !== 'prim' || f.type.prim !== prim)
        problems.push(
          `${header.where.file}:${header.where.line}: ${NET_HEADER} needs a field ${name}: ${prim}`,
        );
    }
    const last = header.fields[header.fields.length - 1];
    if (!last || last.type.kind !== 'flex')
      problems.push(
        `${header.where.file}:${header.where.line}: ${NET_HEADER} must end with its payload (Flex<u8>)`,
      );
  }
  if (!ir.consts.some((c) => c.name === NET_RESPONSE_FLAG))
    problems.push(`${where.file}:${where.line}: messages need the const ${NET_RESPONSE_FLAG}`);
  if (problems.length) throw new SchemaError(problems);
  return { header: header!, messages: [...ir.messages].sort((a, b) => a.cmd - b.cmd) };
}

/*
 * The net structs the kernel checks with a scoutfs_*_invalid() of rules.c:
 * the header and every payload with a rule or a pad.
 */
export function netRuleStructs(layout: Layout): Set<string> {
  const spec = netSpec(layout);
  const out = new Set<string>();
  if (!spec) return out;
  const names = [
    NET_HEADER,
    ...spec.messages.flatMap((m) => [m.req, m.reply]).filter((n): n is string => !!n),
  ];
  for (const n of names) if (flatRules(layout.byName.get(n)!, layout).length) out.add(n);
  return out;
}

export const payloadSize = (layout: Layout, name: string | null): number =>
  name ? layout.byName.get(name)!.size : 0;
