/*
 * The C compiler's view of the generated headers against the TypeScript
 * layout engine: test/c/gen/layout_dump.c is compiled with -Wpadded (so any
 * padding the compiler would insert is an error) and -Werror, run, and
 * every size, offset and ioctl number it prints is compared.  A missing gcc
 * fails the test: it is part of the toolchain the project needs.
 */
import execa from 'execa';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { computeLayout } from '../../codegen/src/layout';
import { loadSchemas } from '../../codegen/src/loader';
import { fitC, iocNumber } from '../../codegen/src/emit/common';
import { cStruct } from '../../codegen/src/names';
import { IOC } from '../../utils/src/gen/ioctl';
import { REAL_FORMAT, ROOT } from './helpers/schema';

jest.setTimeout(60_000);

const GEN = path.join(ROOT, 'kmod/src/gen');
const CFLAGS = ['-Wall', '-Wextra', '-Werror', '-Wpadded', '-I', GEN];
const layout = computeLayout(loadSchemas(REAL_FORMAT, ROOT));
let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scoutfs-c-layout-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Dump {
  structs: Map<string, number>;
  fields: Map<string, number>;
  ioctls: Map<string, number>;
}

function parse(out: string): Dump {
  const d: Dump = { structs: new Map(), fields: new Map(), ioctls: new Map() };
  for (const line of out.split('\n').filter((l) => l.length)) {
    let m: RegExpExecArray | null;
    if ((m = /^struct (\w+) (\d+)$/.exec(line))) d.structs.set(m[1], Number(m[2]));
    else if ((m = /^field (\w+\.\w+) (\d+)$/.exec(line))) d.fields.set(m[1], Number(m[2]));
    else if ((m = /^ioctl (\w+) 0x([0-9a-f]{8})$/.exec(line)))
      d.ioctls.set(m[1], parseInt(m[2], 16));
    else throw new Error(`unexpected layout_dump line: ${line}`);
  }
  return d;
}

describe('test/c/gen/layout_dump.c', () => {
  let dump: Dump;

  beforeAll(async () => {
    const exe = path.join(tmp, 'layout_dump');
    await execa('gcc', [...CFLAGS, '-o', exe, path.join(ROOT, 'test/c/gen/layout_dump.c')]);
    dump = parse((await execa(exe)).stdout);
  });

  test('every struct of the layout has the same size in C', () => {
    expect(Object.fromEntries(dump.structs)).toEqual(
      Object.fromEntries(layout.structs.map((s) => [s.name, s.size])),
    );
  });

  test('every field has the same offset in C', () => {
    const ts = layout.structs.flatMap((s) =>
      s.fields.map((f): [string, number] => [`${s.name}.${f.name}`, f.offset]),
    );
    expect(ts.length).toBeGreaterThan(100);
    expect(Object.fromEntries(dump.fields)).toEqual(Object.fromEntries(ts));
  });

  test('every ioctl number matches the TS IOC table and the _IOC encoding of the layout', () => {
    const magic = Number(layout.ir.consts.find((c) => c.name === 'IOCTL_MAGIC')?.value);
    const fromLayout = layout.ir.ioctls.map((i): [string, number] => [
      i.name,
      iocNumber(i.dir, magic, i.nr, layout.byName.get(i.arg)?.size ?? -1),
    ]);
    expect(Object.fromEntries(dump.ioctls)).toEqual(Object.fromEntries(fromLayout));
    expect(Object.fromEntries(dump.ioctls)).toEqual({ ...IOC });
    expect(dump.ioctls.size).toBeGreaterThanOrEqual(25);
  });
});

test.each(['format.h', 'ioctl.h', 'messages.h', 'format_hash.h'])(
  '%s compiles on its own in userspace C with -Wpadded -pedantic',
  async (header) => {
    const src = path.join(tmp, `only-${header}.c`);
    fs.writeFileSync(
      src,
      `#include "${header}"\n#include "${header}"\nint main(void) { return 0; }\n`,
    );
    const r = await execa(
      'gcc',
      [...CFLAGS, '-std=c11', '-pedantic', '-c', '-o', path.join(tmp, `${header}.o`), src],
      { reject: false },
    );
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  },
);

test('the userspace headers hold no asserts (they live in ondisk_check.h)', () => {
  for (const h of ['format.h', 'ioctl.h', 'messages.h'])
    expect(fs.readFileSync(path.join(GEN, h), 'utf8')).not.toMatch(/assert/i);
});

test('ondisk_check.h catches a wrong number: a struct size off by 8 fails to compile, naming the struct', async () => {
  const s = layout.structs.find((x) => x.area === 'disk');
  if (!s) throw new Error('no on-disk struct');
  const name = `struct ${cStruct(s.name)}`;
  const check = fs.readFileSync(path.join(GEN, 'ondisk_check.h'), 'utf8');
  const assert = fitC(
    `_Static_assert(sizeof(${name}) == ${s.size}, "${name}: size must be ${s.size}");`,
  ).join('\n');
  expect(check).toContain(assert);
  const broken = path.join(tmp, 'broken');
  fs.mkdirSync(broken, { recursive: true });
  for (const f of fs.readdirSync(GEN).filter((f) => f.endsWith('.h')))
    fs.copyFileSync(path.join(GEN, f), path.join(broken, f));
  fs.writeFileSync(
    path.join(broken, 'ondisk_check.h'),
    check.replace(assert, assert.split(String(s.size)).join(String(s.size + 8))),
  );
  const src = path.join(tmp, 'check.c');
  fs.writeFileSync(src, '#include "ondisk_check.h"\nint main(void) { return 0; }\n');
  const ok = await execa('gcc', [...CFLAGS, '-c', '-o', path.join(tmp, 'check.o'), src], {
    reject: false,
  });
  expect(ok.stderr).toBe('');
  expect(ok.exitCode).toBe(0);
  const bad = await execa(
    'gcc',
    ['-Wall', '-Werror', '-I', broken, '-c', '-o', path.join(tmp, 'check.o'), src],
    { reject: false },
  );
  expect(bad.exitCode).not.toBe(0);
  expect(bad.stderr).toContain(`${name}: size must be ${s.size + 8}`);
});
