/*
 * Values for codec tests, built from the layout engine's field types (the
 * codecs themselves are the thing under test): pseudo-random or extreme
 * values of the right width, and an independent little-endian reader that
 * decodes a buffer with the layout's offsets.
 */
import { FieldType, Prim } from '../../../codegen/src/ir';
import { Layout, primSize, StructLayout } from '../../../codegen/src/layout';

export type Value = number | bigint | Uint8Array | Value[] | { [field: string]: Value };

/* Deterministic 32-bit generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

export const signed = (p: Prim): boolean => p.startsWith('s');
export const bits = (p: Prim): number => primSize(p) * 8;

/* Inclusive range of a primitive as bigints. */
export function limits(p: Prim): [bigint, bigint] {
  const b = BigInt(bits(p));
  return signed(p) ? [-(1n << (b - 1n)), (1n << (b - 1n)) - 1n] : [0n, (1n << b) - 1n];
}

const asJs = (p: Prim, v: bigint): number | bigint => (bits(p) === 64 ? v : Number(v));

export type Mode = 'random' | 'max' | 'min';

/* A non-zero value of a primitive: random, or the top (max) or bottom (min; max for unsigned) of its range. */
export function primValue(p: Prim, mode: Mode, next: () => number): number | bigint {
  const [lo, hi] = limits(p);
  if (mode === 'max' || (mode === 'min' && !signed(p))) return asJs(p, hi);
  if (mode === 'min') return asJs(p, lo);
  const span = hi - lo;
  for (;;) {
    const r = (BigInt(next()) << 32n) | BigInt(next());
    const v = lo + (r % (span + 1n));
    if (v !== 0n) return asJs(p, v);
  }
}

const isBytes = (t: FieldType): boolean =>
  t.kind === 'array' && t.elem.kind === 'prim' && bits(t.elem.prim) === 8;

export function valueOf(t: FieldType, layout: Layout, mode: Mode, next: () => number): Value {
  switch (t.kind) {
    case 'prim':
      return primValue(t.prim, mode, next);
    case 'array':
      if (isBytes(t))
        return Uint8Array.from({ length: t.len }, () =>
          mode === 'random' ? 1 + (next() % 255) : 0xff,
        );
      return Array.from({ length: t.len }, () => valueOf(t.elem, layout, mode, next));
    case 'struct':
      return structValue(structOf(layout, t.name), layout, mode, next);
    case 'pad':
    case 'flex':
      throw new Error(`${t.kind} fields have no value`);
  }
}

export function structOf(layout: Layout, name: string): StructLayout {
  const s = layout.byName.get(name);
  if (!s) throw new Error(`no struct ${name}`);
  return s;
}

export const valueFields = (s: StructLayout) =>
  s.fields.filter((f) => f.type.kind !== 'pad' && f.type.kind !== 'flex');

export function structValue(
  s: StructLayout,
  layout: Layout,
  mode: Mode,
  next: () => number,
): { [field: string]: Value } {
  return Object.fromEntries(
    valueFields(s).map((f) => [f.name, valueOf(f.type, layout, mode, next)]),
  );
}

export function typeSize(t: FieldType, layout: Layout): number {
  switch (t.kind) {
    case 'prim':
      return primSize(t.prim);
    case 'array':
      return t.len * typeSize(t.elem, layout);
    case 'struct':
      return structOf(layout, t.name).size;
    case 'pad':
      return t.len;
    case 'flex':
      return 0;
  }
}

/* Independent reader: what the bytes at off mean according to the layout. */
export function readValue(buf: Uint8Array, off: number, t: FieldType, layout: Layout): Value {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  switch (t.kind) {
    case 'prim': {
      const n = bits(t.prim);
      const s = signed(t.prim);
      if (n === 8) return s ? dv.getInt8(off) : dv.getUint8(off);
      if (n === 16) return s ? dv.getInt16(off, true) : dv.getUint16(off, true);
      if (n === 32) return s ? dv.getInt32(off, true) : dv.getUint32(off, true);
      return s ? dv.getBigInt64(off, true) : dv.getBigUint64(off, true);
    }
    case 'array': {
      if (isBytes(t)) return buf.slice(off, off + t.len);
      const es = typeSize(t.elem, layout);
      return Array.from({ length: t.len }, (_, i) => readValue(buf, off + i * es, t.elem, layout));
    }
    case 'struct': {
      const s = structOf(layout, t.name);
      return Object.fromEntries(
        valueFields(s).map((f) => [f.name, readValue(buf, off + f.offset, f.type, layout)]),
      );
    }
    case 'pad':
    case 'flex':
      throw new Error(`${t.kind} fields have no value`);
  }
}

/* [offset, length] of every pad, recursing into embedded structs and arrays. */
export function padsOf(s: StructLayout, layout: Layout, base = 0): [number, number][] {
  const out: [number, number][] = [];
  const walk = (t: FieldType, off: number): void => {
    if (t.kind === 'pad') out.push([off, t.len]);
    else if (t.kind === 'struct') out.push(...padsOf(structOf(layout, t.name), layout, off));
    else if (t.kind === 'array')
      for (let i = 0; i < t.len; i++) walk(t.elem, off + i * typeSize(t.elem, layout));
  };
  for (const f of s.fields) walk(f.type, base + f.offset);
  return out;
}

/* The shape of a value: same keys, kinds and lengths, values erased. */
export function shape(v: unknown): unknown {
  if (typeof v === 'number' || typeof v === 'bigint') return typeof v;
  if (v instanceof Uint8Array) return `bytes[${v.length}]`;
  if (Array.isArray(v)) return v.map(shape);
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]));
  return String(v);
}
