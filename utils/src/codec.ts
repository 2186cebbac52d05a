/*
 * Runtime of the generated codecs (utils/src/gen/*.ts): bounds- and
 * range-checked little-endian reads and writes.  ioctl structs are
 * host-endian; the utilities only run on little-endian hosts (x86_64,
 * arm64), which is checked once here.
 */
import * as os from 'os';

if (os.endianness() !== 'LE') throw new Error('scoutfs utilities require a little-endian host');

export type Rule = readonly [number, number, 'min' | 'max' | 'mask' | 'pad', bigint, string];

export interface Codec<T> {
  readonly NAME: string;
  readonly SIZE: number;
  readonly ALIGN: number;
  readonly OFFSETS: Readonly<Record<string, number>>;
  /* [offset, length] of every explicit pad, including embedded structs' */
  readonly PADS: readonly (readonly [number, number])[];
  /*
   * The value rules of the schemas (@min/@max/@mask and zero pads, also
   * of embedded structs) in field order: [offset, size, kind, bound,
   * message].  The kernel's scoutfs_*_invalid() are generated from the
   * same list; invalid() applies it.
   */
  readonly RULES: readonly Rule[];
  decode(buf: Uint8Array, off?: number): T;
  encode(val: T, buf?: Uint8Array, off?: number): Uint8Array;
  zero(): T;
}

function view(buf: Uint8Array): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

export function need(buf: Uint8Array, off: number, len: number, what: string): void {
  if (off < 0 || off + len > buf.length)
    throw new RangeError(`${what}: needs ${len} bytes at offset ${off}, buffer has ${buf.length}`);
}

const LIMITS = {
  u8: [0n, 0xffn],
  s8: [-0x80n, 0x7fn],
  u16: [0n, 0xffffn],
  s16: [-0x8000n, 0x7fffn],
  u32: [0n, 0xffffffffn],
  s32: [-0x80000000n, 0x7fffffffn],
  u64: [0n, 0xffffffffffffffffn],
  s64: [-0x8000000000000000n, 0x7fffffffffffffffn],
} as const;

function check(v: number | bigint, kind: keyof typeof LIMITS, what: string): void {
  if (typeof v === 'number' && !Number.isInteger(v))
    throw new RangeError(`${what}: ${v} is not an integer`);
  const b = BigInt(v);
  const [lo, hi] = LIMITS[kind];
  if (b < lo || b > hi)
    throw new RangeError(`${what}: ${v} is out of range for ${kind} (${lo}..${hi})`);
}

export const rd = {
  u8: (b: Uint8Array, o: number) => (need(b, o, 1, 'u8'), b[o]),
  s8: (b: Uint8Array, o: number) => (need(b, o, 1, 's8'), view(b).getInt8(o)),
  u16: (b: Uint8Array, o: number) => (need(b, o, 2, 'u16'), view(b).getUint16(o, true)),
  s16: (b: Uint8Array, o: number) => (need(b, o, 2, 's16'), view(b).getInt16(o, true)),
  u32: (b: Uint8Array, o: number) => (need(b, o, 4, 'u32'), view(b).getUint32(o, true)),
  s32: (b: Uint8Array, o: number) => (need(b, o, 4, 's32'), view(b).getInt32(o, true)),
  u64: (b: Uint8Array, o: number) => (need(b, o, 8, 'u64'), view(b).getBigUint64(o, true)),
  s64: (b: Uint8Array, o: number) => (need(b, o, 8, 's64'), view(b).getBigInt64(o, true)),
  bytes: (b: Uint8Array, o: number, n: number) => (need(b, o, n, 'bytes'), b.slice(o, o + n)),
};

export const wr = {
  u8: (b: Uint8Array, o: number, v: number, w: string) => (
    check(v, 'u8', w),
    need(b, o, 1, w),
    (b[o] = v)
  ),
  s8: (b: Uint8Array, o: number, v: number, w: string) => (
    check(v, 's8', w),
    need(b, o, 1, w),
    view(b).setInt8(o, v)
  ),
  u16: (b: Uint8Array, o: number, v: number, w: string) => (
    check(v, 'u16', w),
    need(b, o, 2, w),
    view(b).setUint16(o, v, true)
  ),
  s16: (b: Uint8Array, o: number, v: number, w: string) => (
    check(v, 's16', w),
    need(b, o, 2, w),
    view(b).setInt16(o, v, true)
  ),
  u32: (b: Uint8Array, o: number, v: number, w: string) => (
    check(v, 'u32', w),
    need(b, o, 4, w),
    view(b).setUint32(o, v, true)
  ),
  s32: (b: Uint8Array, o: number, v: number, w: string) => (
    check(v, 's32', w),
    need(b, o, 4, w),
    view(b).setInt32(o, v, true)
  ),
  u64: (b: Uint8Array, o: number, v: bigint, w: string) => (
    check(v, 'u64', w),
    need(b, o, 8, w),
    view(b).setBigUint64(o, v, true)
  ),
  s64: (b: Uint8Array, o: number, v: bigint, w: string) => (
    check(v, 's64', w),
    need(b, o, 8, w),
    view(b).setBigInt64(o, v, true)
  ),
  bytes: (b: Uint8Array, o: number, v: Uint8Array, n: number, w: string) => {
    if (v.length !== n) throw new RangeError(`${w}: expected ${n} bytes, got ${v.length}`);
    need(b, o, n, w);
    b.set(v, o);
  },
  zero: (b: Uint8Array, o: number, n: number, w: string) => (need(b, o, n, w), b.fill(0, o, o + n)),
};

export function arrayOf<T>(len: number, what: string, v: readonly T[]): readonly T[] {
  if (v.length !== len) throw new RangeError(`${what}: expected ${len} elements, got ${v.length}`);
  return v;
}

/* Explicit pads that are not zero: [] when the struct is clean. */
export function nonZeroPads(codec: Codec<unknown>, buf: Uint8Array, off = 0): number[] {
  const bad: number[] = [];
  for (const [o, n] of codec.PADS) {
    for (let i = 0; i < n; i++) if (buf[off + o + i] !== 0) bad.push(o + i);
  }
  return bad;
}

/*
 * The first schema rule the struct at buf[off] breaks, as the sentence the
 * kernel logs for it and the bad value (a pad's first non-zero byte), or
 * null when it keeps them all.
 */
export function invalid(
  codec: Codec<unknown>,
  buf: Uint8Array,
  off = 0,
): { message: string; value: bigint } | null {
  need(buf, off, codec.SIZE, codec.NAME);
  const dv = view(buf);
  for (const [o, size, kind, bound, message] of codec.RULES) {
    const at = off + o;
    if (kind === 'pad') {
      for (let i = 0; i < size; i++)
        if (buf[at + i] !== 0) return { message, value: BigInt(buf[at + i]) };
      continue;
    }
    const v =
      size === 1
        ? BigInt(buf[at])
        : size === 2
          ? BigInt(dv.getUint16(at, true))
          : size === 4
            ? BigInt(dv.getUint32(at, true))
            : dv.getBigUint64(at, true);
    const broken = kind === 'min' ? v < bound : kind === 'max' ? v > bound : (v & ~bound) !== 0n;
    if (broken) return { message, value: v };
  }
  return null;
}
