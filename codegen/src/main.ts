/*
 * npm run codegen                 regenerate (writes only files whose content changed)
 * npm run codegen -- --check      exit 1 with a diff when committed output is stale,
 *                                 or when format/format.lock does not match the schemas
 * npm run codegen -- --update-lock   also record the current format hash in the lock
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { generate, KMOD_GEN, LAYOUT_DUMP, UTILS_GEN } from './generate';
import { SchemaError } from './loader';
import { MARKER } from './emit/common';

const LOCK = 'format/format.lock';

export function lockText(hash: string): string {
  return [
    '# The format hash of format/*.ts (64 bits of SHA-256 over the canonical layout).',
    '# mkfs stores it in the super block; mount and the network greeting refuse',
    '# any other.  Change it only for an intended format change, with',
    '#   npm run codegen -- --update-lock',
    `format-hash ${hash}`,
    '',
  ].join('\n');
}

export function readLock(root: string): string | undefined {
  const p = path.join(root, LOCK);
  if (!fs.existsSync(p)) return undefined;
  const m = /^format-hash ([0-9a-f]{16})$/m.exec(fs.readFileSync(p, 'utf8'));
  return m ? m[1] : undefined;
}

function unifiedDiff(rel: string, oldText: string, newText: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scoutfs-codegen-'));
  try {
    const a = path.join(dir, 'committed');
    const b = path.join(dir, 'generated');
    fs.writeFileSync(a, oldText);
    fs.writeFileSync(b, newText);
    const r = spawnSync('diff', ['-u', '--label', `a/${rel}`, '--label', `b/${rel}`, a, b], {
      encoding: 'utf8',
    });
    return r.stdout;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/* Generated files in the output folders that the generator no longer makes. */
function staleFiles(root: string, made: Map<string, string>): string[] {
  const out: string[] = [];
  for (const dir of [KMOD_GEN, UTILS_GEN, path.dirname(LAYOUT_DUMP)]) {
    const abs = path.join(root, dir);
    if (!fs.existsSync(abs)) continue;
    for (const f of fs.readdirSync(abs)) {
      const rel = `${dir}/${f}`;
      if (made.has(rel)) continue;
      const head = fs.readFileSync(path.join(abs, f), 'utf8').slice(0, 400);
      if (head.includes(MARKER)) out.push(rel);
    }
  }
  return out;
}

function main(): number {
  const argv = yargs(hideBin(process.argv))
    .scriptName('codegen')
    .usage(
      '$0 [--check] [--update-lock]\n\nGenerate C headers, kernel glue and TypeScript codecs from format/*.ts.',
    )
    .option('check', {
      type: 'boolean',
      default: false,
      describe: 'verify committed output and the lock; write nothing',
    })
    .option('update-lock', {
      type: 'boolean',
      default: false,
      describe: 'record the current format hash in format/format.lock',
    })
    .option('root', {
      type: 'string',
      default: path.resolve(__dirname, '../..'),
      describe: 'project root',
    })
    .strict()
    .help()
    .parseSync();
  const root = argv.root;

  let gen;
  try {
    gen = generate(path.join(root, 'format'), root);
  } catch (e) {
    if (e instanceof SchemaError) {
      process.stderr.write(`codegen: the schemas have errors:\n${e.message}\n`);
      return 1;
    }
    throw e;
  }

  let problems = 0;
  const changed: string[] = [];
  for (const [rel, text] of gen.files) {
    const abs = path.join(root, rel);
    const old = fs.existsSync(abs) ? fs.readFileSync(abs, 'utf8') : undefined;
    if (old === text) continue;
    if (argv.check) {
      problems++;
      process.stdout.write(
        old === undefined ? `missing generated file ${rel}\n` : unifiedDiff(rel, old, text),
      );
    } else {
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, text);
      changed.push(rel);
    }
  }
  for (const rel of staleFiles(root, gen.files)) {
    if (argv.check) {
      problems++;
      process.stdout.write(`stale generated file ${rel} (no longer produced)\n`);
    } else {
      fs.rmSync(path.join(root, rel));
      changed.push(`${rel} (removed)`);
    }
  }

  const locked = readLock(root);
  if (argv.updateLock && !argv.check) {
    if (locked !== gen.hash) fs.writeFileSync(path.join(root, LOCK), lockText(gen.hash));
    if (locked !== gen.hash) changed.push(`${LOCK} (${locked ?? 'none'} -> ${gen.hash})`);
  } else if (locked !== gen.hash) {
    const msg =
      `format hash changed: ${LOCK} has ${locked ?? '(no lock)'}, the schemas give ${gen.hash}.\n` +
      'If this format change is intended, run `npm run codegen -- --update-lock` and commit the lock with the schemas.\n';
    process.stderr.write(`codegen: ${msg}`);
    if (argv.check) problems++;
  }

  if (argv.check) {
    if (problems) {
      process.stderr.write(
        `codegen --check: ${problems} problem(s); run \`npm run codegen\` and commit the result\n`,
      );
      return 1;
    }
    process.stdout.write(
      `codegen --check: ${gen.files.size} generated files up to date, format hash ${gen.hash}\n`,
    );
    return 0;
  }
  for (const c of changed) process.stdout.write(`wrote ${c}\n`);
  process.stdout.write(
    `codegen: ${changed.length ? changed.length + ' file(s) updated' : 'up to date'}, format hash ${gen.hash}\n`,
  );
  return 0;
}

process.exitCode = main();
