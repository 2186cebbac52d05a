/*
 * The codegen command: `npm run codegen -- --check` on the real tree, and
 * on a temp copy of format/ (with --root) the failures --check must
 * report, the write-if-changed behaviour, stale-file removal and the lock
 * workflow.  For speed the temp runs use codegen/src transpiled once, the
 * way `ts-node --transpile-only` does it, instead of ts-node per run.
 */
import execa from 'execa';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generate } from '../../codegen/src/generate';
import { MARKER } from '../../codegen/src/emit/common';
import * as ts from 'typescript';
import { REAL_FORMAT, ROOT } from './helpers/schema';

jest.setTimeout(60_000);

const LOCK_RE = /^format-hash ([0-9a-f]{16})$/m;
const JS = fs.mkdtempSync(path.join(os.tmpdir(), 'scoutfs-codegen-js-'));

/* codegen/src/**.ts -> JS/codegen/src/**.js, with JS/node_modules pointing at the real ones */
function transpileCodegen(): void {
  const opts = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')) as {
    compilerOptions: object;
  };
  const { options } = ts.convertCompilerOptionsFromJson(opts.compilerOptions, ROOT);
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else if (e.name.endsWith('.ts')) {
        const out = ts.transpileModule(fs.readFileSync(path.join(ROOT, r), 'utf8'), {
          compilerOptions: options,
          fileName: r,
        });
        fs.mkdirSync(path.join(JS, rel), { recursive: true });
        fs.writeFileSync(path.join(JS, r.replace(/\.ts$/, '.js')), out.outputText);
      }
    }
  };
  walk('codegen/src');
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(JS, 'node_modules'));
}

function codegen(root: string, ...args: string[]): Promise<execa.ExecaReturnValue> {
  return execa('node', [path.join(JS, 'codegen/src/main.js'), '--root', root, ...args], {
    cwd: root,
    reject: false,
    stripFinalNewline: false,
  });
}

function lockOf(root: string): string {
  const m = LOCK_RE.exec(fs.readFileSync(path.join(root, 'format/format.lock'), 'utf8'));
  if (!m) throw new Error(`no format-hash line in ${root}/format/format.lock`);
  return m[1];
}

const OLD = new Date('2001-02-03T04:05:06Z');

/* Set every generated file's mtime to OLD so rewrites are visible regardless of clock granularity. */
function ageFiles(root: string, files: Iterable<string>): void {
  for (const rel of files) fs.utimesSync(path.join(root, rel), OLD, OLD);
}

function rewritten(root: string, files: Iterable<string>): string[] {
  return [...files]
    .filter((rel) => fs.statSync(path.join(root, rel)).mtimeMs !== OLD.getTime())
    .sort();
}

test('`npm run codegen -- --check` passes on the real tree', async () => {
  const r = await execa('npm', ['run', '--silent', 'codegen', '--', '--check'], {
    cwd: ROOT,
    reject: false,
  });
  expect(r.stderr.replace(/^npm warn .*\n?/gm, '')).toBe('');
  expect(r.stdout).toBe(
    `codegen --check: 17 generated files up to date, format hash ${lockOf(ROOT)}`,
  );
  expect(r.exitCode).toBe(0);
});

afterAll(() => fs.rmSync(JS, { recursive: true, force: true }));

describe('on a temp copy of format/', () => {
  let pristine: string;
  let work: string;
  /* the generated files and the lock, relative to the root */
  let files: string[];

  beforeAll(async () => {
    transpileCodegen();
    pristine = fs.mkdtempSync(path.join(os.tmpdir(), 'scoutfs-codegen-main-'));
    fs.cpSync(REAL_FORMAT, path.join(pristine, 'format'), { recursive: true });
    const made = [...generate(path.join(pristine, 'format'), pristine).files.keys()];
    const r = await codegen(pristine, '--update-lock');
    expect(r.exitCode).toBe(0);
    const wrote = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('wrote ') && !l.startsWith('wrote format/format.lock'));
    expect(wrote).toEqual(made.map((f) => `wrote ${f}`));
    files = [...made.sort(), 'format/format.lock'];
  });

  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'scoutfs-codegen-work-'));
    fs.cpSync(pristine, work, { recursive: true, preserveTimestamps: true });
    ageFiles(work, files);
  });

  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));
  afterAll(() => fs.rmSync(pristine, { recursive: true, force: true }));

  test('the fresh output is what generate() returns and --check accepts it', async () => {
    const gen = generate(path.join(work, 'format'), work);
    expect(files).toHaveLength(18);
    for (const [rel, content] of gen.files)
      expect(fs.readFileSync(path.join(work, rel), 'utf8')).toBe(content);
    expect(lockOf(work)).toBe(gen.hash);
    const r = await codegen(work, '--check');
    expect(r.stdout).toBe(
      `codegen --check: 17 generated files up to date, format hash ${gen.hash}\n`,
    );
    expect(r.exitCode).toBe(0);
    expect(rewritten(work, files)).toEqual([]);
  });

  test('--check reports an edited, a missing and a stale generated file and writes nothing', async () => {
    const edited = 'utils/src/gen/format.ts';
    fs.appendFileSync(path.join(work, edited), '// hand edit\n');
    fs.utimesSync(path.join(work, edited), OLD, OLD);
    fs.rmSync(path.join(work, 'kmod/src/gen/glue.h'));
    fs.writeFileSync(
      path.join(work, 'utils/src/gen/old.ts'),
      `// ${MARKER}\nexport const X = 1;\n`,
    );
    fs.writeFileSync(path.join(work, 'utils/src/gen/notes.txt'), 'not generated\n');

    const r = await codegen(work, '--check');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(`--- a/${edited}\n+++ b/${edited}\n`);
    expect(r.stdout).toMatch(/^-\/\/ hand edit$/m);
    expect(r.stdout).toContain('missing generated file kmod/src/gen/glue.h\n');
    expect(r.stdout).toMatch(
      /^stale generated file utils\/src\/gen\/old\.ts \(no longer produced\)$/m,
    );
    expect(r.stdout).not.toContain('notes.txt');
    expect(r.stderr).toBe(
      'codegen --check: 3 problem(s); run `npm run codegen` and commit the result\n',
    );
    expect(fs.existsSync(path.join(work, 'kmod/src/gen/glue.h'))).toBe(false);
    expect(fs.existsSync(path.join(work, 'utils/src/gen/old.ts'))).toBe(true);
    expect(
      rewritten(
        work,
        files.filter((f) => f !== 'kmod/src/gen/glue.h'),
      ),
    ).toEqual([]);

    /* regenerating repairs exactly those three and leaves the rest untouched */
    const fix = await codegen(work);
    expect(fix.exitCode).toBe(0);
    expect(
      fix.stdout
        .split('\n')
        .filter((l) => l.startsWith('wrote '))
        .sort(),
    ).toEqual(
      [
        'wrote kmod/src/gen/glue.h',
        `wrote ${edited}`,
        'wrote utils/src/gen/old.ts (removed)',
      ].sort(),
    );
    expect(rewritten(work, files)).toEqual(['kmod/src/gen/glue.h', edited].sort());
    expect(fs.existsSync(path.join(work, 'utils/src/gen/old.ts'))).toBe(false);
    expect(fs.existsSync(path.join(work, 'utils/src/gen/notes.txt'))).toBe(true);
  });

  test('write-if-changed: regenerating an up-to-date tree touches nothing', async () => {
    const r = await codegen(work);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(`codegen: up to date, format hash ${lockOf(work)}\n`);
    expect(rewritten(work, files)).toEqual([]);
  });

  test('a schema change without a lock update fails --check naming both hashes, until --update-lock', async () => {
    const oldHash = lockOf(work);
    fs.writeFileSync(
      path.join(work, 'format/zz-extra.ts'),
      'export const CODEGEN_TEST_CONST = 7;\n',
    );
    const next = generate(path.join(work, 'format'), work);
    const newHash = next.hash;
    expect(newHash).not.toBe(oldHash);

    /* the generated files follow the schema; only the lock is behind */
    for (const [rel, text] of next.files) fs.writeFileSync(path.join(work, rel), text);
    expect(lockOf(work)).toBe(oldHash);

    const check = await codegen(work, '--check');
    expect(check.exitCode).toBe(1);
    expect(check.stdout).toBe('');
    expect(check.stderr).toBe(
      `codegen: format hash changed: format/format.lock has ${oldHash}, the schemas give ${newHash}.\n` +
        'If this format change is intended, run `npm run codegen -- --update-lock` and commit the lock with the schemas.\n' +
        'codegen --check: 1 problem(s); run `npm run codegen` and commit the result\n',
    );

    const upd = await codegen(work, '--update-lock');
    expect(upd.exitCode).toBe(0);
    expect(upd.stdout).toContain(`wrote format/format.lock (${oldHash} -> ${newHash})`);
    expect(lockOf(work)).toBe(newHash);
    const again = await codegen(work, '--check');
    expect(again.stdout).toBe(
      `codegen --check: 17 generated files up to date, format hash ${newHash}\n`,
    );
    expect(again.exitCode).toBe(0);
  });

  test('a schema error exits 1 naming file and line, and writes nothing', async () => {
    fs.writeFileSync(path.join(work, 'format/zz-bad.ts'), '\nexport function f(): void {}\n');
    const r = await codegen(work);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(
      'codegen: the schemas have errors:\nformat/zz-bad.ts:2: unsupported declaration (FunctionDeclaration): schemas hold interfaces, enums and consts only\n',
    );
    expect(r.stdout).toBe('');
    expect(rewritten(work, files)).toEqual([]);
  });
});
