/*
 * The format hash: 64 bits of SHA-256 over a canonical text of everything
 * that defines the bytes on disk, on the wire and across the ioctl ABI:
 * struct names, field names, types, sizes and offsets, enum and constant
 * values, ioctl numbers and message commands.  Comments, whitespace,
 * declaration order across files and mount options do not take part.
 */
import { createHash } from 'crypto';
import { Layout, typeString } from './layout';

export function canonicalForm(layout: Layout): string {
  const { ir } = layout;
  const lines: string[] = [];
  const byName = <T extends { name: string }>(a: T, b: T) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  for (const s of [...layout.structs].sort(byName)) {
    lines.push(`struct ${s.name} ${s.area} size=${s.size} align=${s.align}`);
    for (const f of s.fields)
      lines.push(`  ${f.name} ${typeString(f.type)} off=${f.offset} size=${f.size}`);
  }
  for (const e of [...ir.enums].sort(byName)) {
    lines.push(`enum ${e.name} ${e.members.map((m) => `${m.name}=${m.value}`).join(' ')}`);
  }
  for (const c of [...ir.consts].sort(byName)) lines.push(`const ${c.name}=${c.value}`);
  for (const i of [...ir.ioctls].sort(byName))
    lines.push(`ioctl ${i.name} nr=${i.nr} dir=${i.dir} arg=${i.arg}`);
  for (const m of [...ir.messages].sort(byName))
    lines.push(`message ${m.name} cmd=${m.cmd} req=${m.req ?? '-'} reply=${m.reply ?? '-'}`);
  return lines.join('\n') + '\n';
}

/* 16 lower-case hex digits */
export function formatHash(layout: Layout): string {
  return createHash('sha256').update(canonicalForm(layout)).digest('hex').slice(0, 16);
}
