/*
 * TypeScript codecs: for every struct an interface of its decoded value and
 * a codec object of the same name with NAME, SIZE, ALIGN, OFFSETS, PADS,
 * decode, encode and zero.  64-bit integers are bigint.  Pads are not part
 * of the value; encode writes them as zero.  Flexible trailing arrays are
 * not part of the value either: OFFSETS names where they start.
 */
import { Area, FieldType, Ir } from '../ir';
import { Layout, StructLayout } from '../layout';
import { iocNumber, structsOf, tsComment, tsHeaderComment, tsValue } from './common';
import { flatRules } from '../rules';
import { NET_RESPONSE_FLAG, NET_WHY, netSpec } from '../net';

function tsType(t: FieldType): string {
  switch (t.kind) {
    case 'prim':
      return t.prim.endsWith('64') ? 'bigint' : 'number';
    case 'struct':
      return t.name;
    case 'array':
      return t.elem.kind === 'prim' && (t.elem.prim === 'u8' || t.elem.prim === 's8')
        ? 'Uint8Array'
        : `${tsType(t.elem)}[]`;
    default:
      return 'never';
  }
}

const rwName = (prim: string) => prim.replace(/^le/, 'u');

function zeroExpr(t: FieldType): string {
  switch (t.kind) {
    case 'prim':
      return t.prim.endsWith('64') ? '0n' : '0';
    case 'struct':
      return `${t.name}.zero()`;
    case 'array':
      if (tsType(t) === 'Uint8Array') return `new Uint8Array(${t.len})`;
      return `Array.from({ length: ${t.len} }, () => ${zeroExpr(t.elem)})`;
    default:
      return 'undefined as never';
  }
}

function elemSize(t: FieldType, layout: Layout): number {
  if (t.kind === 'prim') return Number(t.prim.replace(/^[a-z]+/, '') || 8) / 8;
  if (t.kind === 'struct') return layout.byName.get(t.name)!.size;
  if (t.kind === 'array') return elemSize(t.elem, layout) * t.len;
  return 0;
}

function decodeExpr(t: FieldType, off: string, layout: Layout, depth = 0): string {
  switch (t.kind) {
    case 'prim':
      return `rd.${rwName(t.prim)}(buf, ${off})`;
    case 'struct':
      return `${t.name}.decode(buf, ${off})`;
    case 'array': {
      if (tsType(t) === 'Uint8Array') return `rd.bytes(buf, ${off}, ${t.len})`;
      const es = elemSize(t.elem, layout);
      const i = `i${depth}`;
      return `Array.from({ length: ${t.len} }, (_, ${i}) => ${decodeExpr(t.elem, `${off} + ${i} * ${es}`, layout, depth + 1)})`;
    }
    default:
      return 'undefined as never';
  }
}

function encodeStmt(
  t: FieldType,
  val: string,
  off: string,
  what: string,
  layout: Layout,
  depth = 0,
): string {
  switch (t.kind) {
    case 'prim':
      return `wr.${rwName(t.prim)}(buf, ${off}, ${val}, '${what}');`;
    case 'struct':
      return `${t.name}.encode(${val}, buf, ${off});`;
    case 'pad':
      return `wr.zero(buf, ${off}, ${t.len}, '${what}');`;
    case 'array': {
      if (tsType(t) === 'Uint8Array') return `wr.bytes(buf, ${off}, ${val}, ${t.len}, '${what}');`;
      const es = elemSize(t.elem, layout);
      const [e, i] = [`e${depth}`, `i${depth}`];
      return `arrayOf(${t.len}, '${what}', ${val}).forEach((${e}, ${i}) => { ${encodeStmt(t.elem, e, `${off} + ${i} * ${es}`, `${what}[]`, layout, depth + 1)} });`;
    }
    default:
      return '';
  }
}

/* Absolute [offset, len] of every pad, recursing into embedded structs. */
function pads(s: StructLayout, layout: Layout, base = 0): [number, number][] {
  const out: [number, number][] = [];
  const walk = (t: FieldType, off: number) => {
    if (t.kind === 'pad') out.push([off, t.len]);
    else if (t.kind === 'struct') out.push(...pads(layout.byName.get(t.name)!, layout, off));
    else if (t.kind === 'array')
      for (let i = 0; i < t.len; i++) walk(t.elem, off + i * elemSize(t.elem, layout));
  };
  for (const f of s.fields) walk(f.type, base + f.offset);
  return out;
}

function codec(s: StructLayout, layout: Layout): string {
  const vf = s.fields.filter((f) => f.type.kind !== 'pad' && f.type.kind !== 'flex');
  const o: string[] = [];
  o.push(...tsComment(s.doc), `export interface ${s.name} {`);
  for (const f of vf) o.push(...tsComment(f.doc, '\t'), `\t${f.name}: ${tsType(f.type)};`);
  o.push('}');
  o.push(`export const ${s.name}: Codec<${s.name}> = {`);
  o.push(`\tNAME: '${s.name}',`, `\tSIZE: ${s.size},`, `\tALIGN: ${s.align},`);
  o.push(`\tOFFSETS: { ${s.fields.map((f) => `${f.name}: ${f.offset}`).join(', ')} },`);
  o.push(
    `\tPADS: [${pads(s, layout)
      .map(([a, b]) => `[${a}, ${b}]`)
      .join(', ')}],`,
  );
  const rules = flatRules(s, layout);
  if (rules.length === 0) o.push('\tRULES: [],');
  else {
    o.push('\tRULES: [');
    for (const r of rules)
      o.push(`\t\t[${r.offset}, ${r.size}, '${r.kind}', ${r.bound}n, '${r.message}'],`);
    o.push('\t],');
  }
  o.push(`\tdecode(buf: Uint8Array, off = 0): ${s.name} {`);
  o.push(`\t\tneed(buf, off, ${s.size}, '${s.name}');`);
  o.push(`\t\treturn {`);
  for (const f of vf)
    o.push(`\t\t\t${f.name}: ${decodeExpr(f.type, `off + ${f.offset}`, layout)},`);
  o.push('\t\t};', '\t},');
  o.push(
    `\tencode(val: ${s.name}, buf: Uint8Array = new Uint8Array(${s.size}), off = 0): Uint8Array {`,
  );
  for (const f of s.fields) {
    if (f.type.kind === 'flex') continue;
    o.push(
      `\t\t${encodeStmt(f.type, `val.${f.name}`, `off + ${f.offset}`, `${s.name}.${f.name}`, layout)}`,
    );
  }
  o.push('\t\treturn buf;', '\t},');
  o.push(`\tzero(): ${s.name} {`);
  o.push(`\t\treturn { ${vf.map((f) => `${f.name}: ${zeroExpr(f.type)}`).join(', ')} };`);
  o.push('\t},', '};');
  return o.join('\n');
}

function constsAndEnums(ir: Ir, area: Area): string[] {
  const o: string[] = [];
  for (const c of ir.consts.filter((c) => c.area === area))
    o.push(...tsComment(c.doc), `export const ${c.name} = ${tsValue(c.value, c.literal)};`);
  for (const e of ir.enums.filter((e) => e.area === area)) {
    o.push(...tsComment(e.doc), `export enum ${e.name} {`);
    for (const m of e.members)
      o.push(...tsComment(m.doc, '\t'), `\t${m.name} = ${tsValue(m.value, m.literal)},`);
    o.push('}');
  }
  return o;
}

/* Which struct names an area's file must import from other areas. */
function imports(layout: Layout, area: Area): Map<Area, Set<string>> {
  const need = new Map<Area, Set<string>>();
  const walk = (t: FieldType) => {
    if (t.kind === 'array' || t.kind === 'flex') walk(t.elem);
    if (t.kind !== 'struct') return;
    const s = layout.byName.get(t.name)!;
    if (s.area === area) return;
    if (!need.has(s.area)) need.set(s.area, new Set());
    need.get(s.area)!.add(s.name);
  };
  for (const s of structsOf(layout, area)) s.fields.forEach((f) => walk(f.type));
  return need;
}

export const TS_FILE: Record<Exclude<Area, 'mount'>, string> = {
  disk: 'format',
  net: 'messages',
  ioctl: 'ioctl',
};

export function emitTsArea(layout: Layout, area: Exclude<Area, 'mount'>, what: string): string {
  const o: string[] = [tsHeaderComment(what)];
  const structs = structsOf(layout, area);
  const bodies = structs.map((s) => codec(s, layout));
  const checks = area === 'net' ? netChecks(layout) : [];
  const runtime = ['Codec', 'arrayOf', 'invalid', 'need', 'rd', 'wr'].filter(
    (name) =>
      name === 'Codec' ||
      [...bodies, ...checks].some((b) => b.includes(`${name}.`) || b.includes(`${name}(`)),
  );
  if (structs.length) o.push(`import { ${runtime.join(', ')} } from '../codec';`);
  for (const [a, names] of imports(layout, area))
    o.push(
      `import { ${[...names].sort().join(', ')} } from './${TS_FILE[a as Exclude<Area, 'mount'>]}';`,
    );
  o.push('');
  o.push(...constsAndEnums(layout.ir, area));
  for (const b of bodies) o.push('', b);
  if (area === 'ioctl') {
    const magic = Number(layout.ir.consts.find((c) => c.name === 'IOCTL_MAGIC')?.value ?? 0);
    o.push(
      '',
      '/* ioctl request numbers (_IOC encoding), bit-exact with the C header */',
      'export const IOC = {',
    );
    for (const i of layout.ir.ioctls) {
      const n = iocNumber(i.dir, magic, i.nr, layout.byName.get(i.arg)!.size);
      o.push(`\t${i.name}: 0x${n.toString(16).padStart(8, '0')},`);
    }
    o.push('} as const;');
  }
  if (area === 'net') {
    o.push('', 'export const NET_CMD = {');
    for (const m of [...layout.ir.messages].sort((a, b) => a.cmd - b.cmd))
      o.push(`\t${m.name}: ${m.cmd},`);
    o.push('} as const;');
    o.push(...checks);
  }
  return o.join('\n') + '\n';
}

export function emitTsHash(hash: string): string {
  return `${tsHeaderComment('The format hash of the schemas these utilities were built from.')}\nexport const FORMAT_HASH = 0x${hash}n;\nexport const FORMAT_HASH_HEX = '${hash}';\n`;
}

export function emitTsMount(ir: Ir): string {
  const o = [
    tsHeaderComment('Mount options: name, type, range and default.'),
    'export const MOUNT_OPTIONS = [',
  ];
  for (const m of ir.mountOptions) {
    const { where: _w, doc, ...rest } = m;
    void _w;
    o.push(...tsComment(doc, '\t'));
    o.push(`\t${JSON.stringify(rest).replace(/"([a-z_]+)":/g, '$1: ')},`);
  }
  o.push('] as const;');
  return o.join('\n') + '\n';
}

/*
 * messages.ts: the payload structs of each command and netMessageInvalid(),
 * the same checks in the same order as the kernel's
 * scoutfs_net_msg_invalid() (../net.ts).
 */
function netChecks(layout: Layout): string[] {
  const spec = netSpec(layout);
  if (!spec) return [];
  const h = spec.header;
  const q = (t: string) => `'${t}'`;
  const o = [
    '',
    '/** Each command: its name and the payload struct of its request and response (null: None). */',
    'export const NET_PAYLOADS: Readonly<',
    '\tRecord<number, { name: string; req: Codec<unknown> | null; reply: Codec<unknown> | null }>',
    '> = {',
    ...spec.messages.map(
      (m) =>
        `\t${m.cmd}: { name: '${m.name}', req: ${m.req ?? 'null'}, reply: ${m.reply ?? 'null'} },`,
    ),
    '};',
    '',
    '/**',
    ' * The first check a received message fails, with the sentence and bad value',
    " * the kernel's scoutfs_net_msg_invalid() gives, or null when it is valid.",
    ' */',
    'export function netMessageInvalid(buf: Uint8Array): { message: string; value: bigint } | null {',
    `\tif (buf.length < ${h.size}) return { message: ${q(NET_WHY.short(h.size))}, value: BigInt(buf.length) };`,
    `\tconst bad = invalid(${h.name}, buf);`,
    '\tif (bad) return bad;',
    `\tconst hdr = ${h.name}.decode(buf);`,
    `\tif (buf.length !== ${h.size} + hdr.data_len)`,
    `\t\treturn { message: ${q(NET_WHY.length)}, value: BigInt(buf.length) };`,
    '\tconst p = NET_PAYLOADS[hdr.cmd];',
    `\tif (!p) return { message: ${q(NET_WHY.cmd)}, value: BigInt(hdr.cmd) };`,
    `\tconst resp = (hdr.flags & ${NET_RESPONSE_FLAG}) !== 0;`,
    `\tif (hdr.error && !resp) return { message: ${q(NET_WHY.requestError)}, value: BigInt(hdr.error) };`,
    '\tif (hdr.error)',
    `\t\treturn hdr.data_len ? { message: ${q(NET_WHY.errorPayload)}, value: BigInt(hdr.data_len) } : null;`,
    '\tconst c = resp ? p.reply : p.req;',
    '\tconst size = c ? c.SIZE : 0;',
    '\tif (hdr.data_len !== size)',
    '\t\treturn {',
    "\t\t\tmessage: `${p.name} ${resp ? 'response' : 'request'} payload is not ${size} bytes`,",
    '\t\t\tvalue: BigInt(hdr.data_len),',
    '\t\t};',
    `\treturn c ? invalid(c, buf, ${h.size}) : null;`,
    '}',
  ];
  return o;
}
