/*
 * Regression tests of generator bugs found while writing the codegen tests
 * (all fixed).  None of these constructs occurs in the real format/ today.
 */
import execa from 'execa';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generate, Generated } from '../../codegen/src/generate';
import { IMPORT_ALL, layoutOf, problemsOf, Sources, withSchemas } from './helpers/schema';
import { loadGenerated, typeCheckGenerated } from './helpers/generated';
import { Codec } from '../../utils/src/codec';

function gen(files: Sources): Generated {
  return withSchemas(files, (root) => generate(path.join(root, 'format'), root));
}

function file(g: Generated, rel: string): string {
  const t = g.files.get(rel);
  if (t === undefined) throw new Error(`no generated ${rel}`);
  return t;
}

/*
 * ts-codecs.ts decodeExpr/encodeStmt name the index of every array level
 * `i`, so in an array of arrays the inner index shadows the outer one:
 * element [j][k] of Arr<Arr<le16, 3>, 2> is read and written at
 * `off + k * 6 + k * 2` (outer j lost), which overwrites rows and runs past
 * the struct.  Fix: pass the nesting depth down and name the index i0, i1,
 * ... per level.
 */
test('TS codecs: an array of arrays round-trips and lands at the layout offsets', () => {
  const g = gen({
    'a.ts': [
      IMPORT_ALL,
      'export interface Grid {',
      '\tcells: Arr<Arr<le16, 3>, 2>;',
      '\t_pad: Pad<4>;',
      '}',
    ],
  });
  const Grid = loadGenerated(g.files, 'utils/src/gen/format.ts').Grid as Codec<{
    cells: number[][];
  }>;
  const value = {
    cells: [
      [1, 2, 3],
      [4, 5, 6],
    ],
  };
  const buf = Grid.encode(value);
  expect([...new Uint16Array(buf.buffer, 0, 6)]).toEqual([1, 2, 3, 4, 5, 6]);
  expect(Grid.decode(buf)).toEqual(value);
});

/*
 * c-glue.ts convert() uses the loop variable `i` for every array level, so
 * the @cpu conversion of an array of arrays reads `c->m[i][i]` (only the
 * diagonal).  Fix: one loop variable per nesting level (i0, i1, ...),
 * declared like padCheck() does.
 */
test('kernel glue: @cpu conversion of an array of arrays indexes each level', () => {
  const g = gen({
    'a.ts': [IMPORT_ALL, '/** @cpu */', 'export interface M {', '\tm: Arr<Arr<le32, 2>, 2>;', '}'],
  });
  expect(file(g, 'kmod/src/gen/glue.h')).not.toMatch(/\[i\]\[i\]/);
});

/*
 * c-headers.ts emitMessagesH and c-glue.ts emitGlueH take Math.max() of
 * the message commands / ioctl numbers, which is -Infinity for a schema set
 * without messages or ioctls: `#define SCOUTFS_NET_CMD_NR -Infinity` and
 * `#define SCOUTFS_IOCTL_NR -Infinity`.  The golden cases basic, ioctl and
 * messages-mount record this output today.  Fix: 0 when the list is empty
 * (`list.length ? Math.max(...) + 1 : 0`).
 */
test('C headers: a schema set without messages or ioctls defines the table sizes as 0', () => {
  const g = gen({ 'a.ts': [IMPORT_ALL, 'export interface S {', '\tv: le64;', '}'] });
  expect(file(g, 'kmod/src/gen/messages.h')).toContain('#define SCOUTFS_NET_CMD_NR 0\n');
  expect(file(g, 'kmod/src/gen/glue.h')).toContain('#define SCOUTFS_IOCTL_NR 0\n');
});

/*
 * An 'N' ioctl is emitted as _IO(magic, nr) in C, which has size 0, but the
 * TS IOC table (common.ts iocNumber via ts-codecs.ts) puts the argument
 * struct's size in bits 16..29, so the two disagree.  Fix: iocNumber uses
 * size 0 when dir is 'N' (and the loader could refuse an argument for 'N').
 */
test("an 'N' ioctl has the same number in C and in the TS IOC table", async () => {
  const g = gen({
    'ioctl.ts': [
      IMPORT_ALL,
      'export const IOCTL_MAGIC = 0xe8;',
      'export interface Arg {',
      '\tv: u64;',
      '}',
      'export interface Ioctls {',
      "\tPING: Ioctl<4, 'N', Arg>;",
      '}',
    ],
  });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scoutfs-ioc-n-'));
  try {
    for (const h of ['format.h', 'ioctl.h', 'messages.h'])
      fs.writeFileSync(path.join(tmp, h), file(g, `kmod/src/gen/${h}`));
    fs.writeFileSync(
      path.join(tmp, 'p.c'),
      '#include <stdio.h>\n#include "ioctl.h"\nint main(void) { printf("%lu\\n", (unsigned long)SCOUTFS_IOC_PING); return 0; }\n',
    );
    await execa('gcc', [
      '-Wall',
      '-Werror',
      '-I',
      tmp,
      '-o',
      path.join(tmp, 'p'),
      path.join(tmp, 'p.c'),
    ]);
    const c = Number((await execa(path.join(tmp, 'p'))).stdout);
    const IOC = loadGenerated(g.files, 'utils/src/gen/ioctl.ts').IOC as Record<string, number>;
    expect(IOC.PING).toBe(c);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

/*
 * ts-codecs.ts emitTsArea always imports rd and wr from '../codec', but an
 * area whose structs only embed other structs (no primitive, byte array or
 * pad field) uses neither, and the project's noUnusedLocals turns that into
 * TS6133 errors in `npm run build`.  Fix: import rd / wr only when a codec
 * of the area uses them (as is already done for arrayOf).
 */
test('TS codecs: an area whose structs only embed structs type-checks', () => {
  const g = gen({
    'a.ts': [IMPORT_ALL, 'export interface A {', '	v: le64;', '}'],
    'net.ts': [IMPORT_ALL, 'export interface N {', '	a: A;', '}'],
  });
  expect(typeCheckGenerated(new Map([['only-structs', g.files]]))).toEqual([]);
});

/*
 * Mount option numbers outside 0..2^32-1 (or not integers) pass the loader
 * and fail the ajv IR check with a plain Error without file or line, which
 * `npm run codegen` prints as a crash.  Fix: loader.ts loadMountOption
 * checks min, max and def with Number.isInteger and the u32 range and
 * fails at the property.
 */
test('loader: a mount option range beyond u32 is a SchemaError naming file:line', () => {
  const problems = problemsOf({
    'mount.ts': [
      IMPORT_ALL,
      'export interface MountOptions {',
      '\ta: OptU32<0, 5000000000, 1>;',
      '}',
    ],
  });
  expect(problems).toHaveLength(1);
  expect(problems[0]).toMatch(/^format\/mount\.ts:3: mount option a: /);
});

/*
 * A quoted field name ('a-b': le64) is not a C identifier; the loader takes
 * it and the ajv IR check throws a plain Error without file or line.  Fix:
 * loader.ts checks every field name against /^[A-Za-z_][A-Za-z0-9_]*$/ and
 * fails at the property.
 */
test('loader: a field name that is not a C identifier is a SchemaError naming file:line', () => {
  const problems = problemsOf({
    'a.ts': [IMPORT_ALL, 'export interface S {', "\t'a-b': le64;", '}'],
  });
  expect(problems).toHaveLength(1);
  expect(problems[0]).toMatch(/^format\/a\.ts:3: /);
});

/*
 * Enum member values are evaluated while their file is loaded, before the
 * constants of later files are known, so an enum may use a constant of an
 * earlier file (alphabetically) but not of a later one: moving a constant
 * between files breaks the schema with "unknown constant".  Fix: evaluate
 * enum members after all files are loaded, as consts are.
 */
test('loader: an enum may use a constant declared in a later file', () => {
  const l = layoutOf({
    'a.ts': [IMPORT_ALL, 'export enum E {', '\tA = BASE + 1,', '}'],
    'b.ts': [IMPORT_ALL, 'export const BASE = 4;'],
  });
  expect(l.ir.enums[0].members).toEqual([{ name: 'A', value: '5' }]);
});

test('the same enum loads when the constant comes first (the order dependence above)', () => {
  const l = layoutOf({
    'a.ts': [IMPORT_ALL, 'export const BASE = 4;'],
    'b.ts': [IMPORT_ALL, 'export enum E {', '\tA = BASE + 1,', '}'],
  });
  expect(l.ir.enums[0].members).toEqual([{ name: 'A', value: '5' }]);
});

/* Two schema names that map to the same C name are refused, naming both. */
test('C name collisions are refused', () => {
  expect(() =>
    gen({
      'a.ts': [
        IMPORT_ALL,
        'export const KEY_ZONE_FS = 1;',
        'export enum KeyZone {',
        '\tFS = 16,',
        '}',
      ],
    }),
  ).toThrow(
    'format/a.ts:3: enum member KeyZone.FS becomes C name SCOUTFS_KEY_ZONE_FS, as does const KEY_ZONE_FS (format/a.ts:2)',
  );
});

/* decode refuses a buffer shorter than the struct. */
test('decode checks the buffer length', () => {
  const g = gen({
    'a.ts': [IMPORT_ALL, 'export interface S {', '\tv: u8;', '\t_pad: Pad<7>;', '}'],
  });
  const S = loadGenerated(g.files, 'utils/src/gen/format.ts').S as Codec<{ v: number }>;
  expect(() => S.decode(new Uint8Array(4))).toThrow('S: needs 8 bytes at offset 0, buffer has 4');
});
