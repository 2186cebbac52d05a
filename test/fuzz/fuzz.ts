// The fuzzer: populate a volume in a VM, mutate its metadata image on the
// host (cases.ts), run the cases in VMs, many per boot (guest/driver.py),
// and judge each: a case passes when the kernel logged no splat, nothing
// hung, every failing call returned a real errno and the mount (if it was
// accepted) could be unmounted.  A refused mount is fine and counted apart.
//
//   ts-node test/fuzz/fuzz.ts            (make fuzz)
// Environment:
//   FUZZ_CASES=N      cases to run (default 2000)
//   FUZZ_SEED=S       seed (default: random, printed); case ids are S-INDEX
//   FUZZ_ONLY=I,J,..  run only these case indexes of the seed (reproduce)
//   FUZZ_PLANS=P,..   also run these named plans (TARGET.WHERE.FIELD=CLASS)
//   FUZZ_BASE=DIR     use DIR/meta.img and DIR/data.img instead of populating
//   FUZZ_PER_BOOT=N   cases per boot (default 400)
//   FUZZ_OUT=DIR      where fuzz.json, fuzz.md and fuzz-base/ go (bench-results)
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { closeDevice, openDevice } from '../../utils/src/lib/device';
import { checkVolume } from '../../utils/src/lib/check';
import { mkfs } from '../../utils/src/lib/mkfs';
import { MetaImage } from '../../utils/src/lib/mutate';
import { describeRun, PROJECT_ROOT, Vm } from '../vm/runner';
import { findSplats, isSplatLine } from '../vm/splat';
import { Case, makeCase, Plan, plans, rng, shuffled } from './cases';

const MiB = 1024 * 1024;
const GUEST = path.join(__dirname, 'guest');
/* errnos a system call may return to user space (x86_64 1..133) */
const MAX_USER_ERRNO = 133;

export interface FuzzOptions {
  seed: number;
  count: number;
  only?: number[];
  plans?: string[];
  base?: string;
  perBoot?: number;
  out?: string;
  log?: (s: string) => void;
}

export interface CaseResult {
  id: string;
  what: string;
  target: string;
  field?: string;
  cls?: string;
  op: string;
  reseal: boolean;
  mount: string;
  umount?: string;
  verdict: 'pass' | 'refused' | 'fail';
  failure?: string;
  detail?: string;
  errors?: [string, number | string][];
  seconds?: number;
  dmesg?: string;
}

export interface FuzzReport {
  seed: number;
  cases: number;
  passes: number;
  refused: number;
  failures: number;
  byKind: Record<string, string[]>;
  boots: number;
  bootFailures: string[];
  rmmod: string[];
  seconds: number;
  guestSeconds: number;
  casesPerSecond: number;
  results: CaseResult[];
}

function sparseCopy(from: string, to: string): void {
  execFileSync('cp', ['--sparse=always', from, to]);
}

/* Boot 1: populate a volume with every item kind and crash with an orphan. */
export async function populate(dir: string, log: (s: string) => void): Promise<void> {
  const vm = Vm.create([
    { name: 'meta', bytes: 64 * MiB },
    { name: 'data', bytes: 64 * MiB },
  ]);
  try {
    /* mkfs on the host: the guest's CLI would need node_modules through 9p */
    mkfs({
      metaPath: vm.disks[0].path,
      dataPath: vm.disks[1].path,
      quorum: [{ nr: 0, addr: '127.0.0.1', port: 12345 }],
      force: true,
    });
    const r = await vm.boot({
      script: fs.readFileSync(path.join(GUEST, 'populate.sh'), 'utf8'),
      timeoutMs: 300_000,
    });
    if (!r.crashed || r.failure)
      throw new Error(`fuzz: populating the base volume failed:\n${r.output}\n${describeRun(r)}`);
    fs.mkdirSync(dir, { recursive: true });
    sparseCopy(vm.disks[0].path, path.join(dir, 'meta.img'));
    sparseCopy(vm.disks[1].path, path.join(dir, 'data.img'));
    log(`fuzz: populated the base volume in ${r.seconds.toFixed(0)} s`);
  } finally {
    vm.dispose();
  }
}

/*
 * A named plan "TARGET.WHERE.FIELD=CLASS[#N]" (FIELD may hold dots; CLASS
 * may be a decimal value; #N: the Nth item of that kind, else a seeded pick).
 */
export function parsePlan(s: string): Plan {
  const m = /^([a-z_]+)\.(value|header|bytes|block)\.([^=]+)=([^#]+)(?:#(\d+))?$/.exec(s);
  if (!m) throw new Error(`fuzz: plan '${s}' is not TARGET.WHERE.FIELD=CLASS[#N]`);
  const p: Plan = {
    target: m[1] as Plan['target'],
    where: m[2] as Plan['where'],
    field: m[3],
    cls: m[4],
  };
  if (m[5] !== undefined) p.item = Number(m[5]);
  return p;
}

/* The first line of a splat that says what it is, without its timestamp. */
function headline(splat: string): string {
  const l = splat.split('\n').find((x) => isSplatLine(x)) ?? splat.split('\n')[0];
  return l.replace(/^.*?\]\s*/, '').slice(0, 90);
}

export function judge(
  c: Case,
  rec: Record<string, unknown> | undefined,
  died: string | undefined,
): CaseResult {
  const base = {
    id: c.id,
    what: c.what,
    target: c.target,
    field: c.field,
    cls: c.cls,
    op: c.op,
    reseal: c.reseal,
  };
  if (!rec) return { ...base, mount: '?', verdict: 'fail', failure: 'guest died', detail: died };
  const errors = (rec.errors as [string, number | string][] | undefined) ?? [];
  const dmesg = String(rec.dmesg ?? '');
  const r: CaseResult = {
    ...base,
    mount: String(rec.mount ?? '?'),
    umount: rec.umount as string | undefined,
    verdict: 'pass',
    errors: errors.length ? errors : undefined,
    seconds: rec.seconds as number | undefined,
    dmesg: dmesg.trim() ? dmesg.trim().split('\n').slice(0, 60).join('\n') : undefined,
  };
  const fail = (failure: string, detail?: string) => {
    if (r.verdict !== 'fail') Object.assign(r, { verdict: 'fail', failure, detail });
  };
  const splats = findSplats(dmesg);
  if (splats.length) fail(`splat: ${headline(splats[0])}`, splats[0]);
  const hang = rec.hang as { op: string } | undefined;
  if (hang) fail(`hang (uninterruptible)`, `in ${hang.op}`);
  const timeouts = rec.timeouts as string[] | undefined;
  if (timeouts?.length) fail('hang (timed out)', `in ${timeouts.join(', ')}`);
  const bad = errors.filter(([, e]) => typeof e !== 'number' || e <= 0 || e > MAX_USER_ERRNO);
  if (bad.length) fail('bad errno', bad.map(([o, e]) => `${o}: ${e}`).join('; '));
  const written = rec.data_prefix_written as number[] | undefined;
  if (written?.length)
    fail(
      'wrote data blocks below first_data_blkno',
      `data blocks ${written.join(', ')} (16 is the data super block)`,
    );
  if (r.umount === 'failed')
    fail(
      'umount failed',
      errors
        .filter(([o]) => o.startsWith('umount'))
        .map(([o, e]) => `${o}: ${e}`)
        .join('; '),
    );
  if (r.verdict === 'pass' && r.mount === 'refused') r.verdict = 'refused';
  return r;
}

/* Run the cases over as many boots as it takes (a hang or a panic ends a boot). */
async function runCases(
  cases: Case[],
  baseDir: string,
  o: FuzzOptions,
  log: (s: string) => void,
  report: FuzzReport,
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  let at = 0;
  const perBoot = o.perBoot ?? 400;
  while (at < cases.length) {
    const batch = cases.slice(at, at + perBoot);
    const vm = Vm.create([]);
    try {
      const dir = path.join(vm.dir, 'cases');
      fs.mkdirSync(dir);
      sparseCopy(path.join(baseDir, 'meta.img'), path.join(dir, 'base-meta.img'));
      sparseCopy(path.join(baseDir, 'data.img'), path.join(dir, 'base-data.img'));
      const pf = fs.openSync(path.join(dir, 'patches.bin'), 'w');
      let slot = 0;
      const lines: string[] = [];
      for (const c of batch) {
        const parts: string[] = [];
        for (const [blkno, b] of c.patches) {
          fs.writeSync(pf, b, 0, b.length, slot * 65536);
          parts.push(`${blkno}:${slot++}`);
        }
        lines.push(`${c.id} ${parts.length} ${parts.join(' ')}`);
      }
      fs.closeSync(pf);
      fs.writeFileSync(path.join(dir, 'cases.txt'), lines.join('\n') + '\n');
      const r = await vm.boot({
        script: fs.readFileSync(path.join(GUEST, 'run-cases.sh'), 'utf8'),
        env: { FUZZ_DIR: '/host' + dir },
        timeoutMs: 120_000 + batch.length * 20_000,
      });
      report.boots++;
      report.guestSeconds += r.seconds;
      const recs = new Map<string, Record<string, unknown>>();
      const file = path.join(r.resultsDir, 'cases.jsonl');
      if (fs.existsSync(file))
        for (const l of fs.readFileSync(file, 'utf8').split('\n'))
          if (l.trim()) {
            const rec = JSON.parse(l) as Record<string, unknown>;
            recs.set(String(rec.id), rec);
          }
      const rm = fs.existsSync(path.join(r.resultsDir, 'rmmod'))
        ? fs.readFileSync(path.join(r.resultsDir, 'rmmod'), 'utf8').trim()
        : undefined;
      if (rm !== undefined) report.rmmod.push(rm);
      /* the cases this boot got to: all with records, then the one it died in */
      let done = 0;
      for (const c of batch) {
        const rec = recs.get(c.id);
        if (!rec) break;
        results.push(judge(c, rec, undefined));
        done++;
      }
      const whole = done === batch.length;
      if (whole && rm !== undefined && !rm.startsWith('0'))
        report.bootFailures.push(`boot ${report.boots}: rmmod scoutfs failed: ${rm}`);
      if (whole && rm === undefined)
        report.bootFailures.push(
          `boot ${report.boots}: ended without rmmod: ${r.failure ?? `status ${r.status}`}`,
        );
      if (!whole) {
        const c = batch[done];
        const started = r.console.includes(`fuzz-case ${c.id} start`);
        const tail = r.console.split('\n').slice(-60).join('\n');
        const splats = findSplats(r.console);
        if (started) {
          const res = judge(c, undefined, `${r.failure ?? `status ${r.status}`}\n${tail}`);
          if (r.console.includes('Traceback (most recent call last)'))
            res.failure = 'fuzz driver error (not a kernel verdict)';
          if (splats.length) res.failure = `guest died: ${headline(splats[0])}`;
          results.push(res);
          done++;
        } else if (done === 0) {
          throw new Error(`fuzz: a boot ran no case:\n${r.output}\n${describeRun(r)}`);
        }
      }
      at += done;
      const f = results.filter((x) => x.verdict === 'fail').length;
      log(
        `fuzz: boot ${report.boots}: ${done} cases in ${r.seconds.toFixed(0)} s; ${results.length}/${cases.length} done, ${f} failing`,
      );
    } finally {
      vm.dispose();
    }
  }
  return results;
}

export async function fuzz(o: FuzzOptions): Promise<FuzzReport> {
  const log = o.log ?? ((s: string) => process.stderr.write(s + '\n'));
  const started = Date.now();
  const out = o.out ?? path.join(PROJECT_ROOT, 'bench-results');
  let baseDir = o.base;
  if (!baseDir) {
    baseDir = path.join(out, 'fuzz-base');
    await populate(baseDir, log);
  }
  /* the base must be a clean volume, or failures say nothing */
  const md = openDevice('metadata image', path.join(baseDir, 'meta.img'), false);
  const dd = openDevice('data image', path.join(baseDir, 'data.img'), false);
  const chk = checkVolume(md, dd).report;
  closeDevice(md);
  closeDevice(dd);
  if (chk.nrProblems)
    throw new Error(`fuzz: the base volume is not clean:\n${chk.problems.join('\n')}`);

  const img = MetaImage.open(path.join(baseDir, 'meta.img'));
  const list = shuffled(plans(img), o.seed);
  const kinds = [...new Set(img.items.map((i) => i.kind))];
  const btree = img.blocks.filter((b) => b.kind === 'btree');
  const leaves = btree.filter((b) => b.level === 0).length;
  log(
    `fuzz: base: ${img.items.length} items (${kinds.join(', ')}), ${img.blocks.length} metadata blocks (btree height ${img.sb.fs_root.height}: ${leaves} leaves, ${btree.length - leaves} parents); ${list.length} planned field settings; seed ${o.seed}`,
  );
  const indexes = o.only ?? [...Array(o.count).keys()];
  const cases: Case[] = indexes.map((i) => makeCase(img, o.seed, i, list));
  (o.plans ?? []).forEach((s, k) => {
    img.reset();
    const c = makeCase(img, o.seed, 0, [parsePlan(s)]);
    /* makeCase(…, 0, [plan]) applies the plan (index 0 is never a flip) */
    if (c.op !== 'set') throw new Error(`fuzz: plan '${s}' does not apply to this volume`);
    cases.push({ ...c, id: `plan-${k}:${s}` });
  });
  void rng;
  img.close();
  const report: FuzzReport = {
    seed: o.seed,
    cases: cases.length,
    passes: 0,
    refused: 0,
    failures: 0,
    byKind: {},
    boots: 0,
    bootFailures: [],
    rmmod: [],
    seconds: 0,
    guestSeconds: 0,
    casesPerSecond: 0,
    results: [],
  };
  report.results = await runCases(cases, baseDir, o, log, report);
  for (const r of report.results) {
    if (r.verdict === 'pass') report.passes++;
    else if (r.verdict === 'refused') report.refused++;
    else {
      report.failures++;
      const k = `${r.failure} | ${r.target}${r.field ? `.${r.field}` : ''} (${r.op})`;
      (report.byKind[k] ??= []).push(r.id);
    }
  }
  report.seconds = (Date.now() - started) / 1000;
  report.casesPerSecond = report.results.length / report.guestSeconds;
  return report;
}

export function writeReport(r: FuzzReport, out: string): void {
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'fuzz.json'), JSON.stringify(r, null, 1) + '\n');
  const md: string[] = [
    '# scoutfs fuzz',
    '',
    `seed ${r.seed}: ${r.cases} cases, ${r.passes} passed, ${r.refused} mounts refused (fine), **${r.failures} failed**; ` +
      `${r.boots} boots, ${r.seconds.toFixed(0)} s (${r.casesPerSecond.toFixed(2)} cases/s of VM time)`,
    '',
    `Reproduce a case: \`FUZZ_SEED=${r.seed} FUZZ_ONLY=INDEX FUZZ_BASE=bench-results/fuzz-base make fuzz\` (case id SEED-INDEX).`,
    '',
  ];
  if (r.bootFailures.length)
    md.push('## Boot failures', '', ...r.bootFailures.map((b) => `- ${b}`), '');
  md.push(
    '## Failures by kind',
    '',
    '| failure | mutation target | cases | ids (first 10) |',
    '|---|---|---|---|',
  );
  for (const [k, ids] of Object.entries(r.byKind).sort((a, b) => b[1].length - a[1].length)) {
    const [f, t] = k.split(' | ');
    md.push(`| ${f.replace(/\|/g, '/')} | ${t} | ${ids.length} | ${ids.slice(0, 10).join(' ')} |`);
  }
  md.push('', '## Failing cases', '');
  for (const c of r.results.filter((x) => x.verdict === 'fail').slice(0, 200)) {
    md.push(
      `### ${c.id}: ${c.failure}`,
      '',
      `- mutation: ${c.what}`,
      `- mount: ${c.mount}, umount: ${c.umount ?? '-'}`,
    );
    if (c.detail) md.push('', '```', c.detail.split('\n').slice(0, 30).join('\n'), '```');
    md.push('');
  }
  fs.writeFileSync(path.join(out, 'fuzz.md'), md.join('\n') + '\n');
}

async function main(): Promise<number> {
  const env = process.env;
  const seed = env.FUZZ_SEED ? Number(env.FUZZ_SEED) : Math.floor(Math.random() * 1e9);
  const out = env.FUZZ_OUT ?? path.join(PROJECT_ROOT, 'bench-results');
  const r = await fuzz({
    seed,
    count: Number(env.FUZZ_CASES ?? 2000),
    only: env.FUZZ_ONLY ? env.FUZZ_ONLY.split(',').map(Number) : undefined,
    plans: env.FUZZ_PLANS ? env.FUZZ_PLANS.split(',') : undefined,
    base: env.FUZZ_BASE,
    perBoot: env.FUZZ_PER_BOOT ? Number(env.FUZZ_PER_BOOT) : undefined,
    out,
  });
  writeReport(r, out);
  process.stdout.write(
    `fuzz: seed ${r.seed}: ${r.cases} cases, ${r.passes} passed, ${r.refused} refused, ${r.failures} failed ` +
      `(${r.casesPerSecond.toFixed(2)} cases/s); ${path.join(out, 'fuzz.md')}\n`,
  );
  for (const [k, ids] of Object.entries(r.byKind))
    process.stdout.write(`  ${ids.length} x ${k}: ${ids.slice(0, 5).join(' ')}\n`);
  for (const b of r.bootFailures) process.stdout.write(`  ${b}\n`);
  return r.failures || r.bootFailures.length ? 1 : 0;
}

if (require.main === module)
  main().then(
    (c) => process.exit(c),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(2);
    },
  );
