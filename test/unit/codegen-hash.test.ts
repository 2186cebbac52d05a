/*
 * The format hash covers what defines bytes (names, types, sizes, offsets,
 * enum and constant values, ioctl numbers, message commands) and nothing
 * else: not comments, whitespace, file placement, declaration order or
 * mount options.  The committed lock and generated constants carry the
 * hash of the real format/.
 */
import * as fs from 'fs';
import * as path from 'path';
import { generate } from '../../codegen/src/generate';
import { canonicalForm } from '../../codegen/src/hash';
import { hashOf, IMPORT_ALL, layoutOf, REAL_FORMAT, ROOT, Sources, text } from './helpers/schema';

const BASE: Record<string, string> = {
  'disk.ts': text([
    IMPORT_ALL,
    '/* A comment about the constant. */',
    'export const A_CONST = 4;',
    'export const B_CONST = A_CONST << 2;',
    '',
    'export enum Color {',
    '\tRED = 1,',
    '\tGREEN = 2,',
    '}',
    '',
    'export interface Point {',
    '\tx: le64;',
    '\ty: le32;',
    '\t_pad: Pad<4>;',
    '}',
    '',
    '/** @cpu */',
    'export interface Shape {',
    '\tp: Point;',
    '\tn: Arr<u8, 8>;',
    '}',
  ]),
  'ioctl.ts': text([
    IMPORT_ALL,
    'export const IOCTL_MAGIC = 0xe8;',
    'export interface IoArg {',
    '\tv: u64;',
    '}',
    'export interface Ioctls {',
    "\tGO: Ioctl<1, 'W', IoArg>;",
    "\tSTOP: Ioctl<2, 'R', IoArg>;",
    '}',
  ]),
  'net.ts': text([
    IMPORT_ALL,
    'export interface Ping {',
    '\tv: le64;',
    '}',
    'export interface Messages {',
    '\tPING: Message<1, Ping, None>;',
    '\tPONG: Message<2, None, Ping>;',
    '}',
  ]),
  'mount.ts': text([
    IMPORT_ALL,
    'export interface MountOptions {',
    '\tdev: OptString<Required>;',
    '\tn: OptU32<1, 10, 5>;',
    '\tquiet: OptFlag;',
    '}',
  ]),
};
const BASE_HASH = hashOf(BASE);

/* BASE with every occurrence of `from` in one file replaced; the edit must apply. */
function edit(file: string, from: string, to: string): Sources {
  const src = BASE[file];
  if (!src.includes(from)) throw new Error(`${file} has no '${from}'`);
  return { ...BASE, [file]: src.split(from).join(to) };
}

test('the hash is 16 lower-case hex digits and deterministic', () => {
  expect(BASE_HASH).toMatch(/^[0-9a-f]{16}$/);
  expect(hashOf(BASE)).toBe(BASE_HASH);
});

describe('the hash is stable under', () => {
  test('comment and whitespace changes', () => {
    const edited = {
      ...BASE,
      'disk.ts': BASE['disk.ts']
        .replace(
          '/* A comment about the constant. */',
          '// another comment\n\n\n/* and one more */',
        )
        .replace('\tx: le64;', '\t/* x coordinate */\n\tx:    le64 ;   // trailing')
        .replace('export enum Color {', 'export   enum Color\n{')
        .replace(/\t/g, '    '),
    };
    expect(edited['disk.ts']).not.toBe(BASE['disk.ts']);
    expect(hashOf(edited)).toBe(BASE_HASH);
  });

  test('declarations moving between files and reordering', () => {
    const moved: Sources = {
      'ioctl.ts': BASE['ioctl.ts'],
      'net.ts': BASE['net.ts'],
      'mount.ts': BASE['mount.ts'],
      'zz-shapes.ts': [
        IMPORT_ALL,
        '/** @cpu */',
        'export interface Shape {',
        '\tp: Point;',
        '\tn: Arr<u8, 8>;',
        '}',
        'export enum Color {',
        '\tRED = 1,',
        '\tGREEN = 2,',
        '}',
      ],
      'aa-point.ts': [
        IMPORT_ALL,
        'export const B_CONST = A_CONST << 2;',
        'export interface Point {',
        '\tx: le64;',
        '\ty: le32;',
        '\t_pad: Pad<4>;',
        '}',
      ],
      'mm-const.ts': [IMPORT_ALL, 'export const A_CONST = 4;'],
    };
    expect(hashOf(moved)).toBe(BASE_HASH);
    const reordered = edit(
      'ioctl.ts',
      "\tGO: Ioctl<1, 'W', IoArg>;\n\tSTOP: Ioctl<2, 'R', IoArg>;",
      "\tSTOP: Ioctl<2, 'R', IoArg>;\n\tGO: Ioctl<1, 'W', IoArg>;",
    );
    expect(hashOf(reordered)).toBe(BASE_HASH);
  });

  test('the @cpu tag (it asks for kernel helpers, not different bytes)', () => {
    expect(hashOf(edit('disk.ts', '/** @cpu */\n', ''))).toBe(BASE_HASH);
  });

  test('mount option changes: ranges, defaults, added and removed options', () => {
    expect(hashOf(edit('mount.ts', 'OptU32<1, 10, 5>', 'OptU32<0, 100, 50>'))).toBe(BASE_HASH);
    expect(
      hashOf(
        edit(
          'mount.ts',
          '\tquiet: OptFlag;\n',
          '\tloud: OptFlag;\n\tlabel: OptString<Optional>;\n',
        ),
      ),
    ).toBe(BASE_HASH);
    expect(
      hashOf({
        ...BASE,
        'mount.ts': [
          IMPORT_ALL,
          'export interface MountOptions {',
          '\tdev: OptString<Required>;',
          '}',
        ],
      }),
    ).toBe(BASE_HASH);
  });
});

describe('the hash changes when', () => {
  test.each<[string, string, string, string]>([
    ['a field is renamed', 'disk.ts', '\ty: le32;', '\tyy: le32;'],
    [
      'a field type changes at the same size and offset',
      'disk.ts',
      '\ty: le32;',
      '\ty: Arr<u8, 4>;',
    ],
    ['a signedness changes', 'ioctl.ts', '\tv: u64;', '\tv: s64;'],
    ['a pad is split in two', 'disk.ts', '\t_pad: Pad<4>;', '\t_pad: Pad<2>;\n\t_pad2: Pad<2>;'],
    ['an array length changes', 'disk.ts', 'Arr<u8, 8>', 'Arr<u8, 16>'],
    [
      'fields swap places',
      'disk.ts',
      '\tp: Point;\n\tn: Arr<u8, 8>;',
      '\tn: Arr<u8, 8>;\n\tp: Point;',
    ],
    ['a struct is renamed', 'net.ts', 'Ping', 'Pong'],
    ['an enum value changes', 'disk.ts', '\tGREEN = 2,', '\tGREEN = 3,'],
    ['an enum member is renamed', 'disk.ts', '\tGREEN = 2,', '\tBLUE = 2,'],
    ['an enum member is added', 'disk.ts', '\tGREEN = 2,', '\tGREEN = 2,\n\tBLUE = 4,'],
    ['a constant value changes', 'disk.ts', 'A_CONST << 2', 'A_CONST << 3'],
    ['an ioctl number changes', 'ioctl.ts', "GO: Ioctl<1, 'W', IoArg>", "GO: Ioctl<3, 'W', IoArg>"],
    [
      'an ioctl direction changes',
      'ioctl.ts',
      "GO: Ioctl<1, 'W', IoArg>",
      "GO: Ioctl<1, 'WR', IoArg>",
    ],
    [
      'a message command changes',
      'net.ts',
      'PING: Message<1, Ping, None>',
      'PING: Message<3, Ping, None>',
    ],
    [
      'a message reply changes',
      'net.ts',
      'PING: Message<1, Ping, None>',
      'PING: Message<1, Ping, Ping>',
    ],
  ])('%s', (_what, file, from, to) => {
    expect(hashOf(edit(file, from, to))).not.toBe(BASE_HASH);
  });

  test('a struct moves between areas (on-disk to network)', () => {
    const moved: Sources = {
      ...BASE,
      'net.ts': BASE['net.ts'] + 'export interface Extra {\n\tv: le64;\n}\n',
    };
    const onDisk: Sources = {
      ...BASE,
      'disk.ts': BASE['disk.ts'] + 'export interface Extra {\n\tv: le64;\n}\n',
    };
    expect(hashOf(moved)).not.toBe(hashOf(onDisk));
  });
});

test('the canonical form lists every struct, field, enum, const, ioctl and message and nothing of mount options', () => {
  expect(canonicalForm(layoutOf(BASE))).toBe(
    [
      'struct IoArg ioctl size=8 align=8',
      '  v u64 off=0 size=8',
      'struct Ping net size=8 align=8',
      '  v le64 off=0 size=8',
      'struct Point disk size=16 align=8',
      '  x le64 off=0 size=8',
      '  y le32 off=8 size=4',
      '  _pad pad[4] off=12 size=4',
      'struct Shape disk size=24 align=8',
      '  p Point off=0 size=16',
      '  n u8[8] off=16 size=8',
      'enum Color RED=1 GREEN=2',
      'const A_CONST=4',
      'const B_CONST=16',
      'const IOCTL_MAGIC=232',
      'ioctl GO nr=1 dir=W arg=IoArg',
      'ioctl STOP nr=2 dir=R arg=IoArg',
      'message PING cmd=1 req=Ping reply=-',
      'message PONG cmd=2 req=- reply=Ping',
      '',
    ].join('\n'),
  );
});

describe('the real format/', () => {
  const real = generate(REAL_FORMAT, ROOT);

  test('format/format.lock holds the hash of the schemas', () => {
    const lock = fs.readFileSync(path.join(ROOT, 'format/format.lock'), 'utf8');
    const m = /^format-hash ([0-9a-f]{16})$/m.exec(lock);
    expect(m).not.toBeNull();
    expect(m?.[1]).toBe(real.hash);
  });

  test('the committed hash constants of the module and the utilities match', () => {
    const ts = fs.readFileSync(path.join(ROOT, 'utils/src/gen/hash.ts'), 'utf8');
    expect(ts).toContain(`export const FORMAT_HASH = 0x${real.hash}n;`);
    const c = fs.readFileSync(path.join(ROOT, 'kmod/src/gen/format_hash.h'), 'utf8');
    expect(c).toContain(`#define SCOUTFS_FORMAT_HASH 0x${real.hash}ULL`);
    expect(c).toContain(`#define SCOUTFS_FORMAT_HASH_STR "${real.hash}"`);
  });
});
