/*
 * Layout engine: natural alignment, no implicit padding anywhere, and the
 * structural rules (flexible arrays last, no ioctl/on-disk mixing, no
 * recursion, no unknown types).  Line 1 of every source is the import.
 */
import { Layout, StructLayout } from '../../codegen/src/layout';
import { IMPORT_ALL, layoutOf, problemsOf } from './helpers/schema';

function table(s: StructLayout): [string, number, number, number][] {
  return s.fields.map((f) => [f.name, f.offset, f.size, f.align]);
}

function struct(l: Layout, name: string): StructLayout {
  const s = l.byName.get(name);
  if (!s) throw new Error(`no struct ${name} in the layout`);
  return s;
}

describe('layout: refusals', () => {
  test('implicit padding before a field names struct, field, gap and offset', () => {
    expect(
      problemsOf({
        'a.ts': [IMPORT_ALL, 'export interface S {', '\ta: u8;', '\tb: le32;', '\tc: le32;', '}'],
      }),
    ).toEqual([
      'format/a.ts:4: S.b: implicit padding of 3 bytes before offset 4 (le32 needs 4-byte alignment); add an explicit Pad<3> field before it',
    ]);
  });

  test('a one-byte hole, a hole before an array and before an embedded struct', () => {
    expect(
      problemsOf({
        'a.ts': [
          IMPORT_ALL,
          'export interface Inner {',
          '\tv: le64;',
          '}',
          'export interface S {',
          '\ta: u8;',
          '\tb: le16;',
          '\td: u8;',
          '\tc: Arr<le32, 2>;',
          '\tf: u8;',
          '\te: Inner;',
          '}',
        ],
      }),
    ).toEqual([
      'format/a.ts:7: S.b: implicit padding of 1 byte before offset 2 (le16 needs 2-byte alignment); add an explicit Pad<1> field before it',
      'format/a.ts:9: S.c: implicit padding of 3 bytes before offset 8 (le32[2] needs 4-byte alignment); add an explicit Pad<3> field before it',
      'format/a.ts:11: S.e: implicit padding of 7 bytes before offset 24 (Inner needs 8-byte alignment); add an explicit Pad<7> field before it',
    ]);
  });

  test('tail padding is refused at the struct', () => {
    expect(
      problemsOf({
        'a.ts': [IMPORT_ALL, '', 'export interface S {', '\ta: le64;', '\tb: le16;', '}'],
      }),
    ).toEqual([
      'format/a.ts:3: S: size 10 is not a multiple of its 8-byte alignment; add an explicit Pad<6> field at the end',
    ]);
  });

  test('a flexible array that is not the last field', () => {
    expect(
      problemsOf({
        'a.ts': [
          IMPORT_ALL,
          'export interface S {',
          '\tlen: le64;',
          '\tdata: Flex<u8>;',
          '\tmore: le64;',
          '}',
        ],
      }),
    ).toEqual(['format/a.ts:4: S.data: a flexible array must be the last field']);
  });

  test('embedding a struct that ends in a flexible array', () => {
    expect(
      problemsOf({
        'a.ts': [
          IMPORT_ALL,
          'export interface F {',
          '\tlen: le64;',
          '\tdata: Flex<le64>;',
          '}',
          'export interface S {',
          '\tf: F;',
          '}',
        ],
      }),
    ).toEqual(['format/a.ts:7: S embeds F, which ends in a flexible array']);
  });

  test('an ioctl struct embedded in an on-disk struct and the reverse', () => {
    expect(
      problemsOf({
        'a.ts': [IMPORT_ALL, 'export interface D {', '\ti: I;', '}'],
        'ioctl.ts': [
          IMPORT_ALL,
          'export interface I {',
          '\tv: u64;',
          '}',
          'export interface J {',
          '\td: Arr<D, 2>;',
          '}',
        ],
      }),
    ).toEqual([
      'format/a.ts:3: D (disk) may not embed I (ioctl): ioctl structs are host-endian, others little-endian',
      'format/ioctl.ts:6: J (ioctl) may not embed D (disk): ioctl structs are host-endian, others little-endian',
    ]);
  });

  test('network structs may embed on-disk structs', () => {
    const l = layoutOf({
      'a.ts': [IMPORT_ALL, 'export interface D {', '\tv: le64;', '}'],
      'net.ts': [
        IMPORT_ALL,
        'export interface N {',
        '\td: D;',
        '\tx: le32;',
        '\t_pad: Pad<4>;',
        '}',
      ],
    });
    expect(table(struct(l, 'N'))).toEqual([
      ['d', 0, 8, 8],
      ['x', 8, 4, 4],
      ['_pad', 12, 4, 1],
    ]);
  });

  test('a struct containing itself, directly or through another', () => {
    expect(
      problemsOf({ 'a.ts': [IMPORT_ALL, 'export interface S {', '\ta: le64;', '\ts: S;', '}'] }),
    ).toEqual(['format/a.ts:2: struct S contains itself']);
    expect(
      problemsOf({
        'a.ts': [
          IMPORT_ALL,
          'export interface A {',
          '\tb: Arr<B, 2>;',
          '}',
          'export interface B {',
          '\ta: A;',
          '}',
        ],
      }),
    ).toEqual([
      'format/a.ts:2: struct A contains itself',
      'format/a.ts:5: struct B contains itself',
    ]);
  });

  test('an unknown struct', () => {
    expect(
      problemsOf({ 'a.ts': [IMPORT_ALL, 'export interface S {', '\ta: le64;', '\tb: Nope;', '}'] }),
    ).toEqual(['format/a.ts:4: S: unknown type Nope']);
  });

  test('an ioctl argument too big for the 14-bit _IOC size field', () => {
    expect(
      problemsOf({
        'ioctl.ts': [
          IMPORT_ALL,
          'export const IOCTL_MAGIC = 0xe8;',
          'export interface Big {',
          '\tv: Arr<u64, 2048>;',
          '}',
          'export interface Ioctls {',
          "\tBIG: Ioctl<1, 'W', Big>;",
          '}',
        ],
      }),
    ).toEqual([
      'format/ioctl.ts:7: ioctl BIG: argument of 16384 bytes exceeds the 14-bit _IOC size',
    ]);
    const l = layoutOf({
      'ioctl.ts': [
        IMPORT_ALL,
        'export interface Big {',
        '\tv: Arr<u8, 16383>;',
        '}',
        'export interface Ioctls {',
        "\tBIG: Ioctl<1, 'W', Big>;",
        '}',
      ],
    });
    expect(struct(l, 'Big').size).toBe(16383);
  });
});

describe('layout: sizes, offsets, alignment', () => {
  const l = layoutOf({
    'b.ts': [
      IMPORT_ALL,
      'export interface Outer {',
      '\tx: u8;',
      '\t_p1: Pad<1>;',
      '\tinner: Arr<Inner, 3>;',
      '\t_p2: Pad<2>;',
      '\ty: le32;',
      '\tc: s8;',
      '\t_p3: Pad<3>;',
      '\tz: le64;',
      '\tw: Arr<Arr<le16, 2>, 3>;',
      '\t_p4: Pad<4>;',
      '\tbyte: Arr<u8, 5>;',
      '\t_p5: Pad<3>;',
      '\ttail: Flex<le64>;',
      '}',
    ],
    'a.ts': [
      IMPORT_ALL,
      'export interface Inner {',
      '\ta: le16;',
      '\tb: u8;',
      '\t_pad: Pad<1>;',
      '}',
    ],
    'c.ts': [
      IMPORT_ALL,
      'export interface Holder {',
      '\tone: Inner;',
      '\tpair: Arr<Inner, 2>;',
      '}',
    ],
  });

  test('a small struct: size is the sum, alignment the largest member', () => {
    const inner = struct(l, 'Inner');
    expect([inner.size, inner.align, inner.flexible]).toEqual([4, 2, false]);
    expect(table(inner)).toEqual([
      ['a', 0, 2, 2],
      ['b', 2, 1, 1],
      ['_pad', 3, 1, 1],
    ]);
  });

  test('nested structs, arrays of structs, arrays of arrays and a flexible tail', () => {
    const outer = struct(l, 'Outer');
    expect([outer.size, outer.align, outer.flexible]).toEqual([56, 8, true]);
    expect(table(outer)).toEqual([
      ['x', 0, 1, 1],
      ['_p1', 1, 1, 1],
      ['inner', 2, 12, 2],
      ['_p2', 14, 2, 1],
      ['y', 16, 4, 4],
      ['c', 20, 1, 1],
      ['_p3', 21, 3, 1],
      ['z', 24, 8, 8],
      ['w', 32, 12, 2],
      ['_p4', 44, 4, 1],
      ['byte', 48, 5, 1],
      ['_p5', 53, 3, 1],
      ['tail', 56, 0, 8],
    ]);
    expect(struct(l, 'Holder')).toMatchObject({ size: 12, align: 2 });
    expect(table(struct(l, 'Holder'))).toEqual([
      ['one', 0, 4, 2],
      ['pair', 4, 8, 2],
    ]);
  });

  test('structs come in dependency order, each after everything it embeds', () => {
    const names = l.structs.map((s) => s.name);
    expect(names).toHaveLength(3);
    expect(names.indexOf('Inner')).toBeLessThan(names.indexOf('Outer'));
    expect(names.indexOf('Inner')).toBeLessThan(names.indexOf('Holder'));
    expect([...l.byName.keys()].sort()).toEqual(['Holder', 'Inner', 'Outer']);
  });

  test('every primitive has its natural size and alignment', () => {
    const field = (p: string) => `\tf_${p}: ${p};`;
    const d = layoutOf({
      'a.ts': [
        IMPORT_ALL,
        'export interface P {',
        ...['u8', 's8', 'le16', 'le32', 'le64'].map(field),
        '}',
      ],
      'ioctl.ts': [
        IMPORT_ALL,
        'export interface Q {',
        ...['u64', 's64', 'u32', 's32', 'u16', 's16', 'u8', 's8'].map(field),
        '\t_pad: Pad<2>;',
        '}',
      ],
    });
    expect([struct(d, 'P').size, struct(d, 'P').align]).toEqual([16, 8]);
    expect(table(struct(d, 'P'))).toEqual([
      ['f_u8', 0, 1, 1],
      ['f_s8', 1, 1, 1],
      ['f_le16', 2, 2, 2],
      ['f_le32', 4, 4, 4],
      ['f_le64', 8, 8, 8],
    ]);
    expect([struct(d, 'Q').size, struct(d, 'Q').align]).toEqual([32, 8]);
    expect(table(struct(d, 'Q'))).toEqual([
      ['f_u64', 0, 8, 8],
      ['f_s64', 8, 8, 8],
      ['f_u32', 16, 4, 4],
      ['f_s32', 20, 4, 4],
      ['f_u16', 24, 2, 2],
      ['f_s16', 26, 2, 2],
      ['f_u8', 28, 1, 1],
      ['f_s8', 29, 1, 1],
      ['_pad', 30, 2, 1],
    ]);
  });
});
