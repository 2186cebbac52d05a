/*
 * The C headers: on-disk format, ioctl ABI (kernel and userspace), network
 * messages and the format hash.  They contain declarations only: no
 * asserts (see ondisk_check.h), no code.
 */
import { Area, Ir } from '../ir';
import { Layout } from '../layout';
import { cConst, cEnumMember, cIoctl, cNetCmd, cStruct } from '../names';
import { cComment, cHeaderComment, cStructDef, cValue, guard, structsOf } from './common';

function constsAndEnums(ir: Ir, area: Area): string {
  const out: string[] = [];
  for (const c of ir.consts.filter((c) => c.area === area)) {
    if (c.doc && out.length) out.push('');
    out.push(...cComment(c.doc), `#define ${cConst(c.name)} ${cValue(c.value, c.literal)}`);
  }
  for (const e of ir.enums.filter((e) => e.area === area)) {
    out.push('');
    out.push(...cComment(e.doc ? `${e.name}: ${e.doc}` : e.name));
    for (const m of e.members)
      out.push(
        ...cComment(m.doc),
        `#define ${cEnumMember(e.name, m.name)} ${cValue(m.value, m.literal)}`,
      );
  }
  return out.join('\n');
}

const inc = (...files: string[]): string => files.map((f) => `#include ${f}`).join('\n');

function header(file: string, what: string, includes: string, body: string[]): string {
  const g = guard(file);
  return [
    cHeaderComment(what),
    `#ifndef ${g}\n#define ${g}\n`,
    includes ? includes + '\n' : '',
    ...body.filter((b) => b.length).map((b) => b + '\n'),
    `#endif /* ${g} */\n`,
  ].join('\n');
}

export function emitFormatH(layout: Layout): string {
  return header(
    'format.h',
    'scoutfs on-disk format: constants, enums and structs (little-endian).',
    inc('<linux/types.h>'),
    [constsAndEnums(layout.ir, 'disk'), ...structsOf(layout, 'disk').map(cStructDef)],
  );
}

export function emitIoctlH(layout: Layout): string {
  const ir = layout.ir;
  const ioc = ir.ioctls.flatMap((i) => {
    const m = cConst('IOCTL_MAGIC');
    const doc = cComment(i.doc);
    if (i.dir === 'N') return [...doc, `#define ${cIoctl(i.name)} _IO(${m}, ${i.nr})`];
    const mac = { R: '_IOR', W: '_IOW', WR: '_IOWR' }[i.dir];
    return [...doc, `#define ${cIoctl(i.name)} ${mac}(${m}, ${i.nr}, struct ${cStruct(i.arg)})`];
  });
  return header(
    'ioctl.h',
    'scoutfs ioctl ABI, binary compatible with upstream scoutfs.  Usable from\n * the kernel and from userspace C: host-endian __u64-style types only.',
    inc('<linux/types.h>', '<linux/ioctl.h>'),
    [constsAndEnums(ir, 'ioctl'), ...structsOf(layout, 'ioctl').map(cStructDef), ioc.join('\n')],
  );
}

export function emitMessagesH(layout: Layout): string {
  const ir = layout.ir;
  const cmds = [...ir.messages]
    .sort((a, b) => a.cmd - b.cmd)
    .map((m) => `#define ${cNetCmd(m.name)} ${m.cmd}`);
  const nr = ir.messages.length ? Math.max(...ir.messages.map((m) => m.cmd)) + 1 : 0;
  cmds.push(`#define SCOUTFS_NET_CMD_NR ${nr}`);
  return header(
    'messages.h',
    'scoutfs network messages: header, payloads and command numbers.',
    inc('<linux/types.h>', '"format.h"'),
    [constsAndEnums(ir, 'net'), ...structsOf(layout, 'net').map(cStructDef), cmds.join('\n')],
  );
}

export function emitFormatHashH(hash: string): string {
  return header(
    'format_hash.h',
    'The format hash: mkfs stores it in the super block, mount and the\n * network greeting refuse a different one.',
    '',
    [`#define SCOUTFS_FORMAT_HASH 0x${hash}ULL\n#define SCOUTFS_FORMAT_HASH_STR "${hash}"`],
  );
}

/*
 * Static assertions of every size and offset.  The numbers come from the
 * TypeScript layout engine, so the C compiler checks the two agree.
 * Included by the module and by the userspace layout test.
 */
export function emitOndiskCheckH(layout: Layout): string {
  const body: string[] = [];
  for (const s of layout.structs) {
    const n = `struct ${cStruct(s.name)}`;
    const lines = [`_Static_assert(sizeof(${n}) == ${s.size}, "${n}: size must be ${s.size}");`];
    for (const f of s.fields)
      lines.push(
        `_Static_assert(offsetof(${n}, ${f.name}) == ${f.offset}, "${n}: ${f.name} must be at offset ${f.offset}");`,
      );
    body.push(lines.join('\n'));
  }
  return header(
    'ondisk_check.h',
    'Static assertions of every struct size and field offset, with the\n * numbers of the TypeScript layout engine.',
    '#ifdef __KERNEL__\n#include <linux/stddef.h>\n#else\n#include <stddef.h>\n#endif\n' +
      inc('"format.h"', '"ioctl.h"', '"messages.h"'),
    body,
  );
}
