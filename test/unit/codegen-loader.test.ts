/*
 * The schema loader refuses everything outside the vocabulary of
 * format/types.ts with a message naming the file and line.  Every source
 * below is written line by line so the expected line numbers can be read
 * off: line 1 is always the import.
 */
import { IMPORT_ALL, layoutOf, problemsOf } from './helpers/schema';

describe('loader: unsupported constructs', () => {
  test.each([
    ['function', ['export function f(): number {', '\treturn 1;', '}'], 'FunctionDeclaration'],
    ['class', ['export class C {', '\tx = 1;', '}'], 'ClassDeclaration'],
    ['type alias', ['export type T = le64;'], 'TypeAliasDeclaration'],
    ['expression statement', ['console.log(1);'], 'ExpressionStatement'],
  ])('a %s is refused at its line', (_what, body, kind) => {
    expect(problemsOf({ 'a.ts': [IMPORT_ALL, '/* a comment above */', ...body] })).toEqual([
      `format/a.ts:3: unsupported declaration (${kind}): schemas hold interfaces, enums and consts only`,
    ]);
  });

  test('a non-exported interface and enum', () => {
    expect(
      problemsOf({
        'a.ts': [IMPORT_ALL, '', 'interface S {', '\ta: le64;', '}', 'enum E {', '\tA = 1,', '}'],
      }),
    ).toEqual([
      'format/a.ts:3: interface S must be exported',
      'format/a.ts:6: enum E must be exported',
    ]);
  });

  test('an enum member without a value names the member line', () => {
    expect(
      problemsOf({ 'a.ts': [IMPORT_ALL, '', 'export enum E {', '\tA = 1,', '\tB,', '}'] }),
    ).toEqual(['format/a.ts:5: enum member E.B needs an explicit value']);
  });

  test('an optional field', () => {
    expect(
      problemsOf({
        'a.ts': [IMPORT_ALL, '', 'export interface S {', '\ta: le64;', '\tb?: le64;', '}'],
      }),
    ).toEqual(['format/a.ts:5: S.b: optional fields are not allowed']);
  });

  test('a union field type', () => {
    expect(
      problemsOf({ 'a.ts': [IMPORT_ALL, 'export interface S {', '\ta: le32 | le64;', '}'] }),
    ).toEqual([
      "format/a.ts:3: S.a: unsupported field type 'le32 | le64' (use the width types of format/types.ts)",
    ]);
  });

  test('an unknown generic', () => {
    expect(
      problemsOf({
        'a.ts': [IMPORT_ALL, 'export interface S {', '\ta: le64;', '\tb: Foo<u8>;', '}'],
      }),
    ).toEqual(["format/a.ts:4: S.b: unknown generic type 'Foo<u8>'"]);
  });

  test('methods, extends and type parameters on a struct', () => {
    expect(
      problemsOf({
        'a.ts': [
          IMPORT_ALL,
          'export interface A {',
          '\ta: le64;',
          '\tf(): void;',
          '}',
          'export interface B extends A {',
          '\tb: le64;',
          '}',
          'export interface C<T> {',
          '\tc: le64;',
          '}',
        ],
      }),
    ).toEqual([
      'format/a.ts:4: interface A: only plain fields are allowed (found MethodSignature)',
      'format/a.ts:6: interface B may not extend other interfaces',
      'format/a.ts:9: interface C may not have type parameters',
    ]);
  });

  test('Pad, Arr and Flex misuse', () => {
    expect(
      problemsOf({
        'a.ts': [
          IMPORT_ALL,
          'export interface S {',
          '\ta: Pad<0>;',
          '\tb: Arr<u8, 0>;',
          '\tc: Arr<Pad<2>, 2>;',
          '\td: Arr<u8>;',
          '\te: Flex<u8, 2>;',
          '\tf: le64<8>;',
          '}',
        ],
      }),
    ).toEqual([
      'format/a.ts:3: S.a: Pad takes a positive byte count',
      'format/a.ts:4: S.b: array length must be a positive integer, found 0',
      'format/a.ts:5: S.c: arrays of pad are not allowed',
      'format/a.ts:6: S.d: Arr takes <element, length>',
      'format/a.ts:7: S.e: Flex takes one element type',
      'format/a.ts:8: S.f: le64 takes no type arguments',
    ]);
  });
});

describe('loader: endianness by area', () => {
  test('le64 in ioctl.ts is refused', () => {
    expect(
      problemsOf({
        'ioctl.ts': [IMPORT_ALL, 'export interface S {', '\ta: u64;', '\tb: le64;', '}'],
      }),
    ).toEqual(['format/ioctl.ts:4: S.b: ioctl structs are host-endian; use u64 instead of le64']);
  });

  test('u64 in an on-disk file and u32 in net.ts are refused', () => {
    expect(
      problemsOf({
        'a.ts': [IMPORT_ALL, 'export interface S {', '\ta: le64;', '\tb: u64;', '}'],
        'net.ts': [IMPORT_ALL, 'export interface N {', '\ta: le32;', '\tb: s32;', '}'],
      }),
    ).toEqual([
      'format/a.ts:4: S.b: on-disk and network structs are little-endian; use le64 instead of u64',
      'format/net.ts:4: N.b: on-disk and network structs are little-endian; use le32 instead of s32',
    ]);
  });

  test('u8 and s8 are allowed in every area, array elements are checked too', () => {
    const l = layoutOf({
      'a.ts': [IMPORT_ALL, 'export interface D {', '\ta: u8;', '\tb: s8;', '}'],
      'ioctl.ts': [IMPORT_ALL, 'export interface I {', '\ta: u8;', '\tb: s8;', '}'],
      'net.ts': [IMPORT_ALL, 'export interface N {', '\ta: u8;', '\tb: s8;', '}'],
    });
    expect(l.structs.map((s) => `${s.name}:${s.area}:${s.size}`).sort()).toEqual([
      'D:disk:2',
      'I:ioctl:2',
      'N:net:2',
    ]);
    expect(
      problemsOf({ 'a.ts': [IMPORT_ALL, 'export interface S {', '\ta: Arr<u16, 4>;', '}'] }),
    ).toEqual([
      'format/a.ts:3: S.a: on-disk and network structs are little-endian; use le16 instead of u16',
    ]);
  });
});

describe('loader: ioctls and messages', () => {
  const arg = ['export interface A {', '\tv: u64;', '}'];

  test('bad Ioctl<> arguments', () => {
    expect(
      problemsOf({
        'ioctl.ts': [
          IMPORT_ALL,
          ...arg,
          'export interface Ioctls {',
          "\tA: Ioctl<1, 'X', A>;",
          "\tB: Ioctl<2, 'W'>;",
          "\tC: Ioctl<NR, 'W', A>;",
          "\tD: Ioctl<300, 'W', A>;",
          "\tE: Ioctl<5, 'W', u64>;",
          '\tF: Message<6, A, A>;',
          "\tG: Ioctl<7, 'R', None>;",
          '}',
        ],
      }),
    ).toEqual([
      "format/ioctl.ts:6: ioctl A: expected one of 'N', 'R', 'W', 'WR', found ''X''",
      'format/ioctl.ts:7: ioctl B: Ioctl takes 3 type arguments',
      "format/ioctl.ts:8: ioctl C: expected a number literal, found 'NR'",
      'format/ioctl.ts:9: ioctl D: number 300 out of range 0..255',
      "format/ioctl.ts:10: ioctl E: expected a struct name, found 'u64'",
      "format/ioctl.ts:11: ioctl F: expected Ioctl<...>, found 'Message<6, A, A>'",
      "format/ioctl.ts:12: ioctl G: expected a struct name, found 'None'",
    ]);
  });

  test('a duplicate ioctl number', () => {
    expect(
      problemsOf({
        'ioctl.ts': [
          IMPORT_ALL,
          ...arg,
          'export interface Ioctls {',
          "\tA: Ioctl<1, 'W', A>;",
          "\tB: Ioctl<1, 'R', A>;",
          '}',
        ],
      }),
    ).toEqual(['format/ioctl.ts:7: ioctl B reuses number 1 of A']);
  });

  test('a duplicate message command, and a bad Message<>', () => {
    expect(
      problemsOf({
        'net.ts': [
          IMPORT_ALL,
          'export interface P {',
          '\tv: le64;',
          '}',
          'export interface Messages {',
          '\tA: Message<3, P, None>;',
          '\tB: Message<3, None, P>;',
          '\tC: Message<4, P>;',
          '\tD: Message<256, P, P>;',
          '}',
        ],
      }),
    ).toEqual([
      'format/net.ts:8: message C: Message takes 3 type arguments',
      'format/net.ts:9: message D: command 256 out of range 0..255',
      'format/net.ts:7: message B reuses command 3 of A',
    ]);
  });

  test('the special interfaces belong in their own file', () => {
    expect(
      problemsOf({
        'a.ts': [IMPORT_ALL, 'export interface Messages {', '\tA: Message<1, None, None>;', '}'],
        'net.ts': [IMPORT_ALL, 'export interface Ioctls {', "\tA: Ioctl<1, 'W', X>;", '}'],
        'ioctl.ts': [IMPORT_ALL, 'export interface MountOptions {', '\ta: OptFlag;', '}'],
      }),
    ).toEqual([
      'format/a.ts:2: interface Messages belongs in net.ts',
      'format/ioctl.ts:2: interface MountOptions belongs in mount.ts',
      'format/net.ts:2: interface Ioctls belongs in ioctl.ts',
    ]);
  });

  test('a message payload or ioctl argument from the wrong area, or unknown', () => {
    expect(
      problemsOf({
        'a.ts': [IMPORT_ALL, 'export interface D {', '\tv: le64;', '}'],
        'ioctl.ts': [IMPORT_ALL, 'export interface Ioctls {', "\tA: Ioctl<1, 'W', D>;", '}'],
        'net.ts': [IMPORT_ALL, 'export interface Messages {', '\tA: Message<1, D, Nope>;', '}'],
      }),
    ).toEqual([
      'format/ioctl.ts:3: ioctl A: D is not declared in the ioctl schema',
      'format/net.ts:3: message A request: D is not declared in the net schema',
      'format/net.ts:3: message A reply: unknown struct Nope',
    ]);
  });
});

describe('loader: JSDoc, imports, duplicates', () => {
  test('an unknown @tag names the tag line; @cpu is accepted', () => {
    expect(
      problemsOf({
        'a.ts': [
          IMPORT_ALL,
          '/**',
          ' * A struct.',
          ' * @cpu',
          ' * @packed',
          ' */',
          'export interface S {',
          '\ta: le64;',
          '}',
        ],
      }),
    ).toEqual(['format/a.ts:5: unknown schema tag @packed (known: @cpu, @padcheck, @rulecheck)']);
    const l = layoutOf({
      'a.ts': [
        IMPORT_ALL,
        '/** @cpu */',
        'export interface S {',
        '\ta: le64;',
        '}',
        'export interface T {',
        '\ta: le64;',
        '}',
      ],
    });
    expect(l.structs.map((s) => [s.name, s.cpu])).toEqual([
      ['S', true],
      ['T', false],
    ]);
  });

  test('imports must be type-only and local', () => {
    expect(
      problemsOf({
        'a.ts': [
          "import { le64 } from './types';",
          "import type { readFileSync } from 'fs';",
          'export interface S {',
          '\ta: le64;',
          '}',
        ],
      }),
    ).toEqual([
      'format/a.ts:1: schema imports must be `import type`',
      "format/a.ts:2: schemas may only import other schema files, not 'fs'",
    ]);
  });

  test('a type declared twice across files names both places', () => {
    expect(
      problemsOf({
        'a.ts': [IMPORT_ALL, 'export interface S {', '\ta: le64;', '}'],
        'b.ts': [IMPORT_ALL, '', 'export enum S {', '\tA = 1,', '}'],
      }),
    ).toEqual(['format/b.ts:3: type S already declared at format/a.ts:2']);
  });

  test('mount.ts holds only MountOptions', () => {
    expect(
      problemsOf({ 'mount.ts': [IMPORT_ALL, 'export interface S {', '\ta: le64;', '}'] }),
    ).toEqual(['format/mount.ts:2: mount.ts may only declare the MountOptions interface, not S']);
  });
});

describe('loader: mount options', () => {
  test('default outside the range, min above max, unknown kinds', () => {
    expect(
      problemsOf({
        'mount.ts': [
          IMPORT_ALL,
          'export interface MountOptions {',
          '\ta: OptU32<1, 10, 20>;',
          '\tb: OptU32<10, 1, NoDefault>;',
          '\tc: OptU32<1, 10, 0>;',
          '\td: OptString<Maybe>;',
          '\te: u32;',
          '\tf: OptU32<1, 10>;',
          '}',
        ],
      }),
    ).toEqual([
      'format/mount.ts:3: mount option a: default 20 outside 1..10',
      'format/mount.ts:4: mount option b: min 10 > max 1',
      'format/mount.ts:5: mount option c: default 0 outside 1..10',
      "format/mount.ts:6: mount option d: expected one of Required, Optional, found 'Maybe'",
      "format/mount.ts:7: mount option e: expected OptString<...>, OptU32<...> or OptFlag, found 'u32'",
      'format/mount.ts:8: mount option f: OptU32 takes 3 type arguments',
    ]);
  });

  test('the three option kinds load into the IR', () => {
    const l = layoutOf({
      'mount.ts': [
        IMPORT_ALL,
        'export interface MountOptions {',
        '\tdev: OptString<Required>;',
        '\tlabel: OptString<Optional>;',
        '\tslot: OptU32<0, 14, NoDefault>;',
        '\tms: OptU32<100, 1000, 500>;',
        '\tquiet: OptFlag;',
        '}',
      ],
    });
    expect(l.ir.mountOptions).toEqual([
      { name: 'dev', kind: 'string', required: true, where: { file: 'format/mount.ts', line: 3 } },
      {
        name: 'label',
        kind: 'string',
        required: false,
        where: { file: 'format/mount.ts', line: 4 },
      },
      {
        name: 'slot',
        kind: 'u32',
        min: 0,
        max: 14,
        def: null,
        where: { file: 'format/mount.ts', line: 5 },
      },
      {
        name: 'ms',
        kind: 'u32',
        min: 100,
        max: 1000,
        def: 500,
        where: { file: 'format/mount.ts', line: 6 },
      },
      { name: 'quiet', kind: 'flag', where: { file: 'format/mount.ts', line: 7 } },
    ]);
  });
});

describe('loader: constants', () => {
  test('bad const expressions name the offending sub-expression line', () => {
    expect(
      problemsOf({
        'a.ts': [
          IMPORT_ALL,
          "export const A = 'x';",
          'export const B = 2 ** 3;',
          'export const C = D + 1;',
          'export const E = 9007199254740993;',
          'export const F = F + 1;',
          'export const G =',
          '\t1 +',
          '\tMath.PI;',
          'export let H = 1;',
          'export const I: number = 1;',
          'const J = 1;',
        ],
      }),
    ).toEqual([
      'format/a.ts:10: only `export const NAME = value;` declarations are allowed',
      'format/a.ts:11: const I must be a plain initialised constant without a type annotation',
      'format/a.ts:12: only `export const NAME = value;` declarations are allowed',
      "format/a.ts:2: unsupported constant expression ''x'' (numbers, earlier constants, + - * << >> | &)",
      "format/a.ts:3: unsupported constant expression '2 ** 3' (numbers, earlier constants, + - * << >> | &)",
      'format/a.ts:4: unknown constant D',
      'format/a.ts:5: number 9007199254740993 is not a safe integer: write it as a bigint literal (9007199254740993n)',
      'format/a.ts:6: const F refers to itself',
      "format/a.ts:9: unsupported constant expression 'Math.PI' (numbers, earlier constants, + - * << >> | &)",
    ]);
  });

  test('expressions of other constants, across files, with bigints and negatives', () => {
    const l = layoutOf({
      'a.ts': [
        IMPORT_ALL,
        'export const SHIFT = 12;',
        'export const SIZE = 1 << SHIFT;',
        'export const MASK = SIZE - 1;',
        'export const BIG = 0xfffffffffffffc00n;',
        'export const MIX = (MASK | 0x10000) & 0x1f0ff;',
        'export const NEG = -(LATER * 2);',
      ],
      'b.ts': [IMPORT_ALL, 'export const LATER = 3 + 4 * 2;', 'export const DOWN = BIG >> 60n;'],
    });
    expect(Object.fromEntries(l.ir.consts.map((c) => [c.name, c.value]))).toEqual({
      SHIFT: '12',
      SIZE: '4096',
      MASK: '4095',
      BIG: '18446744073709550592',
      MIX: '65791',
      NEG: '-22',
      LATER: '11',
      DOWN: '15',
    });
  });

  test('enum values: expressions allowed, strings refused', () => {
    expect(
      problemsOf({ 'a.ts': [IMPORT_ALL, 'export enum E {', '\tA = 1 << 3,', "\tB = 'b',", '}'] }),
    ).toEqual([
      "format/a.ts:4: unsupported constant expression ''b'' (numbers, earlier constants, + - * << >> | &)",
    ]);
  });
});

test('every problem of a schema set is reported at once, in file order', () => {
  expect(
    problemsOf({
      'b.ts': [IMPORT_ALL, 'export interface S {', '\ta?: le64;', '}'],
      'a.ts': [IMPORT_ALL, 'export type T = u8;', 'export enum E {', '\tA,', '}'],
    }),
  ).toEqual([
    'format/a.ts:2: unsupported declaration (TypeAliasDeclaration): schemas hold interfaces, enums and consts only',
    'format/a.ts:4: enum member E.A needs an explicit value',
    'format/a.ts:3: enum E has no members',
    'format/b.ts:3: S.a: optional fields are not allowed',
  ]);
});

describe('loader: ioctl and mount option tags, comments and radix', () => {
  test('an unknown ioctl tag names its line; @unimplemented marks the ioctl', () => {
    const ioctl = (tag: string) => ({
      'ioctl.ts': [
        IMPORT_ALL,
        'export interface A {',
        '\tx: u64;',
        '}',
        'export interface Ioctls {',
        `\t/** ${tag} */`,
        "\tDO: Ioctl<1, 'W', A>;",
        '}',
      ],
    });
    expect(problemsOf(ioctl('@later'))).toEqual([
      'format/ioctl.ts:6: ioctl DO: unknown ioctl tag @later (known: @unimplemented)',
    ]);
    expect(layoutOf(ioctl('@unimplemented')).ir.ioctls[0].implemented).toBe(false);
  });

  test('a u32 option without a default must fit the int the kernel keeps it in', () => {
    expect(
      problemsOf({
        'mount.ts': [
          IMPORT_ALL,
          'export interface MountOptions {',
          '\tslot: OptU32<0, 4294967295, NoDefault>;',
          '}',
        ],
      }),
    ).toEqual([
      'format/mount.ts:3: mount option slot: an option without a default must stay below 2^31 (max 4294967295)',
    ]);
  });

  test('the comment right above a declaration and the radix of a literal are kept', () => {
    const ir = layoutOf({
      'a.ts': [
        IMPORT_ALL,
        '',
        '/* not this one: a blank line follows */',
        '',
        '/* the magic */',
        'export const MAGIC = 0xE8;',
        'export const SUM = MAGIC + 1;',
        '/** @cpu */',
        'export interface S {',
        '\t/*',
        '\t * two',
        '\t * lines',
        '\t */',
        '\ta: le64;',
        '\t// after a line comment',
        '\tb: le64;',
        '}',
      ],
    }).ir;
    expect(ir.consts).toEqual([
      expect.objectContaining({ name: 'MAGIC', value: '232', literal: '0xE8', doc: 'the magic' }),
      expect.not.objectContaining({ literal: expect.anything() }),
    ]);
    expect(ir.structs[0].doc).toBeUndefined();
    expect(ir.structs[0].fields.map((f) => f.doc)).toEqual(['two\nlines', 'after a line comment']);
  });
});
