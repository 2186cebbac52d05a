/*
 * net_check.h / net_check.c: the check every received message passes
 * before its command's handler sees it (the checks and their order are
 * in ../net.ts; messages.ts gets the same as netMessageInvalid()), and the
 * dispatch tables of the requests each side handles, in glue.h/glue.c.
 * net_check.c includes only kernel headers under __KERNEL__, so the unit
 * tests build it in userspace with rules.c.
 */
import { IrMessage } from '../ir';
import { Layout } from '../layout';
import { cNetCmd, cStruct, snake } from '../names';
import { NET_WHY, netRuleStructs, netSpec, payloadSize } from '../net';
import { cHeaderComment, guard } from './common';

const SPDX_C = '// SPDX-License-Identifier: GPL-2.0';

export function emitNetCheckH(layout: Layout): string {
  const g = guard('net_check.h');
  const out = [
    cHeaderComment('The checks of a received network message (see net_check.c).'),
    `#ifndef ${g}\n#define ${g}\n`,
    '#include "messages.h"\n',
  ];
  if (netSpec(layout))
    out.push(
      '/*',
      ' * The first check the len bytes of a received message (header and',
      ' * payload, 8-byte aligned) fail, as a sentence, with the bad value in',
      ' * *bad; NULL when it may be given to its command: the header keeps its',
      " * rules, the length is the header's data_len, the command is known, an",
      ' * error crosses only in a response without payload, and the payload is',
      " * the command's request (or reply) struct and keeps that struct's rules.",
      ' */',
      'const char *scoutfs_net_msg_invalid(const void *buf, size_t len, u64 *bad);',
      '',
    );
  out.push(`#endif /* ${g} */\n`);
  return out.join('\n');
}

/* one direction's payload checks, a case per command */
function payloadCases(layout: Layout, msgs: IrMessage[], resp: boolean): string[] {
  const checked = netRuleStructs(layout);
  const out: string[] = [];
  for (const m of msgs) {
    const st = resp ? m.reply : m.req;
    const size = payloadSize(layout, st);
    out.push(`\tcase ${cNetCmd(m.name)}:`, `\t\tif (len != ${size}) {`, '\t\t\t*bad = len;');
    out.push(`\t\t\treturn "${NET_WHY.size(m, resp, size)}";`, '\t\t}');
    out.push(
      st && checked.has(st) ? `\t\treturn scoutfs_${snake(st)}_invalid(data, bad);` : '\t\tbreak;',
    );
  }
  return out;
}

export function emitNetCheckC(layout: Layout): string {
  const spec = netSpec(layout);
  const out = [
    cHeaderComment('The checks of a received network message, from format/net.ts.').replace(
      '/* SPDX-License-Identifier: GPL-2.0 */',
      SPDX_C,
    ),
    '#ifdef __KERNEL__\n#include <linux/kernel.h>\n#endif\n#include "net_check.h"\n#include "rules.h"\n',
  ];
  if (!spec) return out.join('\n');
  const hdr = spec.header;
  const hs = cStruct(hdr.name);
  const hdrRules = netRuleStructs(layout).has(hdr.name);
  for (const resp of [false, true]) {
    out.push(
      `static const char *${resp ? 'response' : 'request'}_invalid(u8 cmd, const void *data, u16 len, u64 *bad)`,
      '{',
      '\tswitch (cmd) {',
      ...payloadCases(layout, spec.messages, resp),
      '\t}',
      '\treturn NULL;',
      '}',
      '',
    );
  }
  out.push('const char *scoutfs_net_msg_invalid(const void *buf, size_t len, u64 *bad)', '{');
  out.push(`\tconst struct ${hs} *hdr = buf;`);
  if (hdrRules) out.push('\tconst char *why;');
  out.push('\tu16 data_len;', '\tint resp;', '');
  out.push(`\tif (len < ${hdr.size}) {`, '\t\t*bad = len;');
  out.push(`\t\treturn "${NET_WHY.short(hdr.size)}";`, '\t}');
  if (hdrRules)
    out.push(
      `\twhy = scoutfs_${snake(hdr.name)}_invalid(hdr, bad);`,
      '\tif (why)',
      '\t\treturn why;',
    );
  out.push('\tdata_len = le16_to_cpu(hdr->data_len);');
  out.push(`\tif (len != ${hdr.size} + (size_t)data_len) {`, '\t\t*bad = len;');
  out.push(`\t\treturn "${NET_WHY.length}";`, '\t}');
  out.push('\tswitch (hdr->cmd) {');
  for (const m of spec.messages) out.push(`\tcase ${cNetCmd(m.name)}:`);
  out.push(
    '\t\tbreak;',
    '\tdefault:',
    '\t\t*bad = hdr->cmd;',
    `\t\treturn "${NET_WHY.cmd}";`,
    '\t}',
  );
  out.push('\tresp = !!(hdr->flags & SCOUTFS_NET_FLAG_RESPONSE);');
  out.push('\tif (hdr->error && !resp) {', '\t\t*bad = hdr->error;');
  out.push(`\t\treturn "${NET_WHY.requestError}";`, '\t}');
  out.push('\tif (hdr->error) {', '\t\tif (!data_len)', '\t\t\treturn NULL;');
  out.push('\t\t*bad = data_len;', `\t\treturn "${NET_WHY.errorPayload}";`, '\t}');
  out.push('\tif (resp)', '\t\treturn response_invalid(hdr->cmd, hdr->data, data_len, bad);');
  out.push('\treturn request_invalid(hdr->cmd, hdr->data, data_len, bad);', '}', '');
  return out.join('\n');
}

const sides = ['server', 'client'] as const;
export const netHandler = (side: string, m: IrMessage): string =>
  `scoutfs_${side}_${m.name.toLowerCase()}`;
const HANDLER_ARGS = '(struct scoutfs_net_conn *conn, u64 id, const void *arg)';

/* glue.h: the request handlers of each side (@server/@client) and their tables */
export function netDispatchH(layout: Layout): string[] {
  const spec = netSpec(layout);
  if (!spec) return [];
  const out = [
    '/*',
    ' * Network requests (format/net.ts): the handler of each command a side',
    ' * handles (@server, @client), given the validated request payload (NULL',
    ' * for None).  It returns 0 once it has sent its response, or an errno',
    ' * the connection sends as the error response.  The tables are indexed by',
    ' * command; a NULL entry is a command the side does not handle.',
    ' */',
    'struct scoutfs_net_conn;',
    `typedef int (*scoutfs_net_request_fn)${HANDLER_ARGS};`,
    '',
  ];
  for (const side of sides) {
    const ms = spec.messages.filter((m) => m.handlers.includes(side));
    out.push(...ms.map((m) => `int ${netHandler(side, m)}${HANDLER_ARGS};`));
    out.push(
      `extern const scoutfs_net_request_fn scoutfs_${side}_handlers[SCOUTFS_NET_CMD_NR];`,
      '',
    );
  }
  return out;
}

export function netDispatchC(layout: Layout): string[] {
  const spec = netSpec(layout);
  if (!spec) return [];
  const out: string[] = [];
  for (const side of sides) {
    out.push(`const scoutfs_net_request_fn scoutfs_${side}_handlers[SCOUTFS_NET_CMD_NR] = {`);
    for (const m of spec.messages.filter((x) => x.handlers.includes(side)))
      out.push(`\t[${cNetCmd(m.name)}] = ${netHandler(side, m)},`);
    out.push('};', '');
  }
  return out;
}
