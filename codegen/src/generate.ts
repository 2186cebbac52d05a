/*
 * The whole generator as a pure function: schema directory in, map of
 * output paths (relative to the project root) to contents out.
 */
import { loadSchemas, SchemaError } from './loader';
import { Ir } from './ir';
import { cConst, cEnumMember, cIoctl, cMountOpt, cNetCmd, cStruct } from './names';
import { computeLayout, Layout } from './layout';
import { formatHash } from './hash';
import {
  emitFormatH,
  emitFormatHashH,
  emitIoctlH,
  emitMessagesH,
  emitOndiskCheckH,
} from './emit/c-headers';
import { emitGlueC, emitGlueH, emitRulesC, emitRulesH } from './emit/c-glue';
import { emitNetCheckC, emitNetCheckH } from './emit/net-check';
import { emitTsArea, emitTsHash, emitTsMount } from './emit/ts-codecs';
import { emitLayoutDumpC } from './emit/c-layout-dump';
import { fitCText } from './emit/common';

export const KMOD_GEN = 'kmod/src/gen';
export const UTILS_GEN = 'utils/src/gen';
export const LAYOUT_DUMP = 'test/c/gen/layout_dump.c';

export interface Generated {
  layout: Layout;
  hash: string;
  files: Map<string, string>;
}

/* Different schema names must never become the same C name. */
function checkCNames(ir: Ir): void {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  const note = (c: string, what: string, w: { file: string; line: number }) => {
    const prev = seen.get(c);
    if (prev) problems.push(`${w.file}:${w.line}: ${what} becomes C name ${c}, as does ${prev}`);
    else seen.set(c, `${what} (${w.file}:${w.line})`);
  };
  for (const s of ir.structs) note(`struct ${cStruct(s.name)}`, `struct ${s.name}`, s.where);
  for (const c of ir.consts) note(cConst(c.name), `const ${c.name}`, c.where);
  for (const e of ir.enums)
    for (const m of e.members)
      note(cEnumMember(e.name, m.name), `enum member ${e.name}.${m.name}`, e.where);
  for (const i of ir.ioctls) note(cIoctl(i.name), `ioctl ${i.name}`, i.where);
  for (const m of ir.messages) note(cNetCmd(m.name), `message ${m.name}`, m.where);
  for (const o of ir.mountOptions) note(cMountOpt(o.name), `mount option ${o.name}`, o.where);
  if (problems.length) throw new SchemaError(problems);
}

export function generate(formatDir: string, base: string): Generated {
  const ir = loadSchemas(formatDir, base);
  checkCNames(ir);
  const layout = computeLayout(ir);
  const hash = formatHash(layout);
  const files = new Map<string, string>([
    [`${KMOD_GEN}/format.h`, emitFormatH(layout)],
    [`${KMOD_GEN}/ioctl.h`, emitIoctlH(layout)],
    [`${KMOD_GEN}/messages.h`, emitMessagesH(layout)],
    [`${KMOD_GEN}/ondisk_check.h`, emitOndiskCheckH(layout)],
    [`${KMOD_GEN}/format_hash.h`, emitFormatHashH(hash)],
    [`${KMOD_GEN}/glue.h`, emitGlueH(layout)],
    [`${KMOD_GEN}/glue.c`, emitGlueC(layout)],
    [`${KMOD_GEN}/rules.h`, emitRulesH(layout)],
    [`${KMOD_GEN}/rules.c`, emitRulesC(layout)],
    [`${KMOD_GEN}/net_check.h`, emitNetCheckH(layout)],
    [`${KMOD_GEN}/net_check.c`, emitNetCheckC(layout)],
    [
      `${UTILS_GEN}/format.ts`,
      emitTsArea(layout, 'disk', 'On-disk structs: codecs, constants and enums.'),
    ],
    [
      `${UTILS_GEN}/ioctl.ts`,
      emitTsArea(
        layout,
        'ioctl',
        'ioctl ABI structs: codecs, constants, enums and request numbers.',
      ),
    ],
    [
      `${UTILS_GEN}/messages.ts`,
      emitTsArea(layout, 'net', 'Network message structs: codecs, constants, enums and commands.'),
    ],
    [`${UTILS_GEN}/hash.ts`, emitTsHash(hash)],
    [`${UTILS_GEN}/mount.ts`, emitTsMount(ir)],
    [LAYOUT_DUMP, emitLayoutDumpC(layout)],
  ]);
  /* generated C stays within C_COLUMNS, broken after commas as kernel style does */
  for (const [rel, text] of files) if (/\.[ch]$/.test(rel)) files.set(rel, fitCText(text));
  return { layout, hash, files };
}
