/*
 * Golden generator cases: test/codegen/<case>/format/ holds schemas (with a
 * copy of the real format/types.ts), and either expected/ (every file
 * generate() makes, at the same relative paths) or expected-error.txt (the
 * SchemaError message, paths relative to the case).
 *
 *   SCOUTFS_BLESS=1 npx jest test/unit/codegen-golden
 *
 * rewrites expected/, expected-error.txt and the types.ts copies; review
 * the diff before committing it.
 */
import execa from 'execa';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generate } from '../../codegen/src/generate';
import { SchemaError } from '../../codegen/src/loader';
import { Codec, nonZeroPads } from '../../utils/src/codec';
import { loadGenerated, Module, typeCheckGenerated } from './helpers/generated';
import { ROOT, VOCABULARY } from './helpers/schema';
import { readValue, rng, structValue, Value } from './helpers/values';

const CASES_DIR = path.join(ROOT, 'test/codegen');
const BLESS = process.env.SCOUTFS_BLESS === '1';
const CASES = fs
  .readdirSync(CASES_DIR, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

function filesUnder(dir: string, rel = ''): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(path.join(dir, rel), { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? filesUnder(dir, path.join(rel, e.name)) : [path.join(rel, e.name)],
    )
    .sort();
}

type Outcome = { files: Map<string, string> } | { error: string };

function run(caseDir: string): Outcome {
  try {
    return { files: generate(path.join(caseDir, 'format'), caseDir).files };
  } catch (e) {
    if (e instanceof SchemaError) return { error: e.message + '\n' };
    throw e;
  }
}

function bless(caseDir: string, out: Outcome): void {
  fs.copyFileSync(VOCABULARY, path.join(caseDir, 'format/types.ts'));
  fs.rmSync(path.join(caseDir, 'expected'), { recursive: true, force: true });
  fs.rmSync(path.join(caseDir, 'expected-error.txt'), { force: true });
  if ('error' in out) {
    fs.writeFileSync(path.join(caseDir, 'expected-error.txt'), out.error);
    return;
  }
  for (const [rel, text] of out.files) {
    fs.mkdirSync(path.dirname(path.join(caseDir, 'expected', rel)), { recursive: true });
    fs.writeFileSync(path.join(caseDir, 'expected', rel), text);
  }
}

test('the required cases exist', () => {
  expect(CASES).toEqual(
    expect.arrayContaining([
      'basic',
      'ioctl',
      'messages-mount',
      'err-implicit-padding',
      'err-unknown-construct',
    ]),
  );
});

describe.each(CASES)('test/codegen/%s', (name) => {
  const caseDir = path.join(CASES_DIR, name);
  const out = run(caseDir);
  if (BLESS) bless(caseDir, out);
  const expectedDir = path.join(caseDir, 'expected');
  const errorFile = path.join(caseDir, 'expected-error.txt');

  test('has exactly one of expected/ and expected-error.txt', () => {
    expect([fs.existsSync(expectedDir), fs.existsSync(errorFile)].filter(Boolean)).toHaveLength(1);
  });

  test('uses the real vocabulary (format/types.ts)', () => {
    expect(fs.readFileSync(path.join(caseDir, 'format/types.ts'), 'utf8')).toBe(
      fs.readFileSync(VOCABULARY, 'utf8'),
    );
  });

  if (fs.existsSync(errorFile)) {
    test('fails with exactly expected-error.txt', () => {
      expect('error' in out ? out.error : 'generated without error').toBe(
        fs.readFileSync(errorFile, 'utf8'),
      );
    });
    return;
  }

  test('generates exactly the files of expected/', () => {
    if ('error' in out) throw new Error(`unexpected schema error:\n${out.error}`);
    expect(filesUnder(expectedDir)).toEqual([...out.files.keys()].sort());
  });

  test('every generated file is byte-for-byte the expected one', () => {
    if ('error' in out) throw new Error(`unexpected schema error:\n${out.error}`);
    for (const [rel, text] of out.files) {
      const p = path.join(expectedDir, rel);
      const want = fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : `(missing ${rel})`;
      if (text !== want) expect({ file: rel, text }).toEqual({ file: rel, text: want });
    }
  });
});

/*
 * The golden output must also build: every case's layout_dump.c with
 * -Wpadded -Werror against its own headers, printing the case's layout and
 * the request numbers of its TS IOC table; and the generated TypeScript
 * type-checks with the project's strict compiler options.
 */
const GOLDEN = CASES.filter((c) => fs.existsSync(path.join(CASES_DIR, c, 'expected')));

describe.each(GOLDEN)('test/codegen/%s C output', (name) => {
  const caseDir = path.join(CASES_DIR, name);
  const gen = generate(path.join(caseDir, 'format'), caseDir);

  test('layout_dump.c compiles with -Wpadded -Werror and prints the TS layout and IOC numbers', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `scoutfs-golden-${name}-`));
    try {
      const exe = path.join(tmp, 'dump');
      const inc = path.join(caseDir, 'expected/kmod/src/gen');
      await execa('gcc', [
        '-Wall',
        '-Wextra',
        '-Werror',
        '-Wpadded',
        '-I',
        inc,
        '-o',
        exe,
        path.join(caseDir, 'expected/test/c/gen/layout_dump.c'),
      ]);
      const lines = (await execa(exe)).stdout.split('\n');
      const ioc = fs.readFileSync(path.join(caseDir, 'expected/utils/src/gen/ioctl.ts'), 'utf8');
      const iocLines = [...ioc.matchAll(/^\t(\w+): 0x([0-9a-f]{8}),$/gm)].map(
        (m) => `ioctl ${m[1]} 0x${m[2]}`,
      );
      const want = gen.layout.structs.flatMap((s) => [
        `struct ${s.name} ${s.size}`,
        ...s.fields.map((f) => `field ${s.name}.${f.name} ${f.offset}`),
      ]);
      expect(lines).toEqual([...want, ...iocLines]);
      expect(iocLines).toHaveLength(gen.layout.ir.ioctls.length);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

test.each(GOLDEN)('the generated codecs of %s round-trip every struct of the case', (name) => {
  const caseDir = path.join(CASES_DIR, name);
  const gen = generate(path.join(caseDir, 'format'), caseDir);
  const files = new Map(
    filesUnder(path.join(caseDir, 'expected')).map((rel) => [
      rel,
      fs.readFileSync(path.join(caseDir, 'expected', rel), 'utf8'),
    ]),
  );
  const cache = new Map<string, Module>();
  const FILE = { disk: 'format', ioctl: 'ioctl', net: 'messages' } as const;
  for (const s of gen.layout.structs) {
    if (s.area === 'mount') throw new Error('mount structs do not exist');
    const codec = loadGenerated(files, `utils/src/gen/${FILE[s.area]}.ts`, cache)[s.name] as Codec<
      Record<string, Value>
    >;
    expect(codec.SIZE).toBe(s.size);
    for (const mode of ['random', 'max', 'min'] as const) {
      const value = structValue(s, gen.layout, mode, rng(s.size));
      const buf = codec.encode(value, new Uint8Array(s.size).fill(0xa5));
      expect(nonZeroPads(codec, buf)).toEqual([]);
      expect(readValue(buf, 0, { kind: 'struct', name: s.name }, gen.layout)).toEqual(value);
      expect(codec.decode(buf)).toEqual(value);
    }
  }
});

test('the generated TypeScript of every golden case type-checks (strict, no unused locals)', () => {
  const sets = new Map(
    GOLDEN.map((name) => {
      const dir = path.join(CASES_DIR, name, 'expected');
      return [
        name,
        new Map(filesUnder(dir).map((rel) => [rel, fs.readFileSync(path.join(dir, rel), 'utf8')])),
      ];
    }),
  );
  expect(typeCheckGenerated(sets)).toEqual([]);
});
