// The power-cut soak: one volume (mkfs once), many boots.  Each cycle the
// host checks the unmounted images (`scoutfs check`'s library), boots the
// guest, which mounts, verifies the manifest of what was fsync'd before
// the last cut (guest/soak.py), runs a seeded random workload and cuts the
// power by sysrq-b after a random delay.  The manifest is kept by the host
// from the guest's journal disk (see soak.py for the rules that make it
// exact).  A last boot verifies, unmounts cleanly, and the host checks
// once more.
//
//   ts-node test/soak/soak.ts            (make soak)
// Environment:
//   SOAK_CYCLES=N     power cuts (default 100)
//   SOAK_SEED=S       seed of delays, mount options and workloads (default: random, printed)
//   SOAK_DELAY=A,B    the cut comes A..B seconds into the workload (default 1,10)
//   SOAK_OUT=DIR      where soak.json, soak.md (and a failing volume) go (bench-results)
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { closeDevice, openDevice } from '../../utils/src/lib/device';
import { checkVolume } from '../../utils/src/lib/check';
import { mkfs } from '../../utils/src/lib/mkfs';
import { describeRun, PROJECT_ROOT, RunResult, Vm } from '../vm/runner';
import { isSplatLine } from '../vm/splat';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const BLOCK = 4096;
const MAGIC = Buffer.from('SOAKJRN1');
const GUEST = path.join(__dirname, 'guest');

/* What a name must show: a file, a symlink, or nothing (soak.py state_of). */
export type Expect =
  { k: 'f'; size: number; sha: string; x: string } | { k: 'l'; target: string } | { k: 'a' };
export type Manifest = Record<string, Expect>;
export type JournalRecord = { t: string; [key: string]: unknown };

/* The records of a journal image, in order, up to the first torn or missing one. */
export function readJournal(img: Buffer): JournalRecord[] {
  const out: JournalRecord[] = [];
  for (let seq = 0; (seq + 1) * BLOCK <= img.length; seq++) {
    const b = img.subarray(seq * BLOCK, (seq + 1) * BLOCK);
    if (!b.subarray(0, 8).equals(MAGIC) || b.readUInt32LE(8) !== seq) break;
    const len = b.readUInt32LE(12);
    if (len > BLOCK - 24) break;
    const payload = b.subarray(24, 24 + len);
    const digest = crypto
      .createHash('sha256')
      .update(b.subarray(8, 12))
      .update(payload)
      .digest()
      .subarray(0, 8);
    if (!digest.equals(b.subarray(16, 24))) break;
    out.push(JSON.parse(payload.toString('utf8')) as JournalRecord);
  }
  return out;
}

/* Intents forget names, known records set them: the manifest after a boot. */
export function applyRecords(m: Manifest, recs: JournalRecord[]): Manifest {
  const next: Manifest = { ...m };
  for (const r of recs) {
    if (r.t === 'i') for (const p of r.p as string[]) delete next[p];
    else if (r.t === 'k') {
      const { t: _t, p, ...e } = r;
      void _t;
      next[p as string] = e as unknown as Expect;
    }
  }
  return next;
}

export interface CycleResult {
  cycle: number;
  /* the cut's delay into the workload; 0 for the last (verify-only) boot */
  delay: number;
  opts: string;
  checkProblems: number;
  checkSeconds: number;
  /* inodes, items, data blocks of the checked volume */
  checked?: string;
  mounted: boolean;
  verified: number;
  lost: number;
  lostDetail: string[];
  ops: number;
  /* writes that returned less than asked (allowed; the rest is written after) */
  shortWrites: number;
  records: number;
  known: number;
  errors: string[];
  bugs: string[];
  splats: string[];
  kernelLines: string[];
  bootSeconds: number;
  failure?: string;
}

export interface SoakReport {
  seed: number;
  cyclesWanted: number;
  cycles: number;
  dataLost: number;
  checkFailures: number;
  unmountable: number;
  splats: number;
  workloadBugs: number;
  stoppedBy?: string;
  secondsPerCycle: number;
  seconds: number;
  keptVolume?: string;
  results: CycleResult[];
}

export interface SoakOptions {
  seed: number;
  cycles: number;
  delay?: [number, number];
  out: string;
  log?: (s: string) => void;
  /*
   * The soak's own test: checkpoints are recorded without their fsyncs
   * and commits only come every 300 s, so the next boot must find data lost.
   */
  noFsync?: boolean;
  /* called after every cycle with the report so far (make soak rewrites soak.json/md) */
  progress?: (r: SoakReport) => void;
}

/* A small seeded generator (mulberry32) for the host's choices. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function checkImages(vm: Vm): { problems: string[]; seconds: number; summary: string } {
  const t0 = Date.now();
  const md = openDevice('metadata image', vm.disks[0].path, false);
  const dd = openDevice('data image', vm.disks[1].path, false);
  try {
    const r = checkVolume(md, dd).report;
    const problems = r.problems.slice();
    if (r.nrProblems > problems.length) problems.push(`... ${r.nrProblems - problems.length} more`);
    return {
      problems: r.nrProblems ? problems : [],
      seconds: (Date.now() - t0) / 1000,
      summary: `${r.inodes} inodes, ${r.items} items, ${r.dataBlocksUsed} data blocks`,
    };
  } finally {
    closeDevice(md);
    closeDevice(dd);
  }
}

/* Kernel lines of the console other than the expected mount/unmount notes. */
function kernelLines(consoleText: string): string[] {
  return consoleText
    .split('\n')
    .filter((l) => /^\s*\[\s*\d+\.\d+\]/.test(l) && /scoutfs/i.test(l))
    .map((l) => l.replace(/^\s*\[\s*\d+\.\d+\]\s*/, '').trim())
    .filter((l) => !/mounted fsid|unmounted|^sysrq|loading out-of-tree|taints kernel/.test(l));
}

function headline(s: string): string {
  const l = s.split('\n').find((x) => isSplatLine(x)) ?? s.split('\n')[0];
  return l.replace(/^.*?\]\s*/, '').slice(0, 100);
}

export async function soak(o: SoakOptions): Promise<SoakReport> {
  const log = o.log ?? ((s: string) => process.stderr.write(s + '\n'));
  const [dmin, dmax] = o.delay ?? [1, 10];
  const rand = rng(o.seed);
  const started = Date.now();
  const report: SoakReport = {
    seed: o.seed,
    cyclesWanted: o.cycles,
    cycles: 0,
    dataLost: 0,
    checkFailures: 0,
    unmountable: 0,
    splats: 0,
    workloadBugs: 0,
    secondsPerCycle: 0,
    seconds: 0,
    results: [],
  };
  const finish = (rep: SoakReport) => {
    rep.seconds = (Date.now() - started) / 1000;
    const cyc = rep.results.filter((x) => x.delay > 0);
    rep.secondsPerCycle = cyc.length
      ? cyc.reduce((s, x) => s + x.bootSeconds + x.checkSeconds, 0) / cyc.length
      : 0;
  };
  const vm = Vm.create([
    { name: 'meta', bytes: 4 * GiB },
    { name: 'data', bytes: 8 * GiB },
    { name: 'journal', bytes: 32 * MiB },
  ]);
  const journal = vm.disks[2].path;
  const manifestPath = path.join(vm.dir, 'manifest.json');
  let manifest: Manifest = {};
  let keep = false;
  /* the guest's programs as they are now: editing the tree during a run changes nothing */
  const script = fs.readFileSync(path.join(GUEST, 'cycle.sh'), 'utf8');
  fs.copyFileSync(path.join(GUEST, 'soak.py'), path.join(vm.dir, 'soak.py'));
  try {
    mkfs({
      metaPath: vm.disks[0].path,
      dataPath: vm.disks[1].path,
      quorum: [{ nr: 0, addr: '127.0.0.1', port: 12345 }],
      force: true,
    });
    for (let cycle = 0; cycle <= o.cycles; cycle++) {
      const last = cycle === o.cycles;
      const delay = last ? 0 : Math.round((dmin + rand() * (dmax - dmin)) * 1000) / 1000;
      const choice = ['', ',commit_interval_ms=100', ',commit_interval_ms=1000'][
        Math.floor(rand() * 3)
      ];
      const opts = o.noFsync ? ',commit_interval_ms=300000' : choice;
      const res: CycleResult = {
        cycle,
        delay,
        opts,
        checkProblems: 0,
        checkSeconds: 0,
        mounted: false,
        verified: 0,
        lost: 0,
        lostDetail: [],
        ops: 0,
        shortWrites: 0,
        records: 0,
        known: 0,
        errors: [],
        bugs: [],
        splats: [],
        kernelLines: [],
        bootSeconds: 0,
      };
      report.results.push(res);
      const stop = (why: string) => {
        res.failure = why;
        report.stoppedBy = `cycle ${cycle}: ${why}`;
        keep = true;
      };

      /* the volume the last cut left, unmounted: check must be clean */
      if (cycle > 0) {
        const c = checkImages(vm);
        res.checkSeconds = c.seconds;
        res.checkProblems = c.problems.length;
        res.checked = c.summary;
        if (c.problems.length) {
          report.checkFailures++;
          res.errors.push(...c.problems.slice(0, 20).map((p) => `check: ${p}`));
          stop(`scoutfs check found problems after the cut of cycle ${cycle - 1}`);
          log(`soak: cycle ${cycle}: check: ${c.problems.slice(0, 5).join('; ')}`);
          break;
        }
      }

      fs.writeFileSync(manifestPath, JSON.stringify(manifest));
      fs.truncateSync(journal, 0);
      fs.truncateSync(journal, 32 * MiB);
      const r: RunResult = await vm.boot({
        script,
        env: {
          SOAK_CYCLE: String(cycle),
          SOAK_SEED: String(o.seed),
          SOAK_DELAY: String(delay),
          SOAK_MOUNT_OPTS: opts,
          ...(o.noFsync ? { SOAK_NO_FSYNC: '1' } : {}),
          SOAK_MANIFEST: '/host' + manifestPath,
          SOAK_PY: '/host' + path.join(vm.dir, 'soak.py'),
        },
        timeoutMs: (delay + 240) * 1000,
      });
      res.bootSeconds = r.seconds;
      const recs = readJournal(fs.readFileSync(journal));
      res.records = recs.length;
      const mount = recs.find((x) => x.t === 'mount');
      res.mounted = mount?.rc === 0;
      const ver = recs.find((x) => x.t === 'verify');
      res.verified = Number(ver?.checked ?? 0);
      res.lost = Number(ver?.lost ?? 0);
      res.lostDetail = recs
        .filter((x) => x.t === 'lost')
        .map((x) => `${x.p}: want ${JSON.stringify(x.want)} got ${JSON.stringify(x.got)}`);
      for (const x of recs) {
        if (x.t === 'progress') res.ops = Number(x.ops);
        if (x.t === 'err') res.errors.push(`${x.op}: ${x.errno} ${x.msg}`);
        if (x.t === 'bug') res.bugs.push(String(x.what));
        if (x.t === 'short') res.shortWrites++;
      }
      res.splats = r.splats.map(headline);
      res.kernelLines = kernelLines(r.console).slice(0, 40);
      report.dataLost += res.lost;
      report.workloadBugs += res.bugs.length;
      report.splats += r.splats.length;
      report.cycles = last ? report.cycles : cycle + (recs.some((x) => x.t === 'armed') ? 1 : 0);

      /* what did not verify is reported once, then no longer expected */
      for (const x of recs) if (x.t === 'lost') delete manifest[x.p as string];
      manifest = applyRecords(manifest, recs);
      res.known = Object.keys(manifest).length;
      log(
        `soak: cycle ${cycle}${last ? ' (last)' : ''}: ${r.seconds.toFixed(0)} s boot, check ${res.checkSeconds.toFixed(1)} s, ` +
          `verified ${res.verified} lost ${res.lost}, ${recs.length} records, ${res.known} known, ` +
          `${r.splats.length} splats${res.shortWrites ? `, ${res.shortWrites} short writes` : ''}${res.bugs.length ? `, BUG: ${res.bugs[0]}` : ''}${last ? '' : `, cut at ${delay} s`}${res.errors.length ? `, errors: ${res.errors.slice(0, 3).join('; ')}` : ''}`,
      );

      if (!mount || !res.mounted) {
        report.unmountable++;
        stop(
          mount
            ? `mount failed: ${String(mount.out).trim()}`
            : `the guest did not get to mount:\n${describeRun(r)}\n${r.output}`,
        );
        break;
      }
      if (r.timedOut) {
        stop(`the boot timed out:\n${describeRun(r)}`);
        break;
      }
      if (res.lost) log(`soak: cycle ${cycle}: LOST:\n  ${res.lostDetail.join('\n  ')}`);
      if (r.splats.length) {
        keep = true;
        log(`soak: cycle ${cycle}: kernel splat:\n${r.splats[0]}`);
      }
      if (last) {
        const um = recs.find((x) => x.t === 'umount');
        if (um?.rc !== 0)
          stop(`the last umount failed: ${um ? String(um.out) : 'not reached'}\n${r.output}`);
        else {
          const c = checkImages(vm);
          res.checkProblems = c.problems.length;
          res.checked = c.summary;
          if (c.problems.length) {
            report.checkFailures++;
            res.errors.push(...c.problems.slice(0, 20).map((p) => `check: ${p}`));
            stop('scoutfs check found problems after the clean unmount');
          }
        }
      } else if (!recs.some((x) => x.t === 'armed')) {
        stop(`the workload did not start:\n${describeRun(r)}\n${r.output}`);
        break;
      }
      if (res.lost || res.bugs.length) keep = true;
      finish(report);
      o.progress?.(report);
    }
  } finally {
    finish(report);
    if (keep) {
      const dir = path.join(o.out, 'soak-volume');
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir, { recursive: true });
      for (const d of vm.disks)
        execFileSync('cp', ['--sparse=always', d.path, path.join(dir, `${d.name}.img`)]);
      fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1));
      report.keptVolume = dir;
    }
    vm.dispose();
  }
  return report;
}

export function soakOk(r: SoakReport): boolean {
  return (
    !r.stoppedBy &&
    r.dataLost === 0 &&
    r.checkFailures === 0 &&
    r.unmountable === 0 &&
    r.splats === 0 &&
    r.workloadBugs === 0
  );
}

export function writeReport(r: SoakReport, out: string): void {
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'soak.json'), JSON.stringify(r, null, 1) + '\n');
  const cuts = r.results.filter((x) => x.delay > 0);
  const sum = (f: (x: CycleResult) => number) => cuts.reduce((s, x) => s + f(x), 0);
  const finished = r.stoppedBy !== undefined || r.results.some((x) => x.delay === 0);
  const verdict = !soakOk(r) ? '**FAILED**' : finished ? 'OK' : 'so far OK (still running)';
  const md: string[] = [
    '# scoutfs power-cut soak',
    '',
    `seed ${r.seed}: **${r.cycles} of ${r.cyclesWanted} cycles** (power cuts), ${verdict}` +
      (r.stoppedBy ? ` - stopped at ${r.stoppedBy.split('\n')[0]}` : ''),
    '',
    '| | |',
    '|---|---|',
    `| data lost (fsync'd names not as recorded) | ${r.dataLost} |`,
    `| volumes failing check | ${r.checkFailures} |`,
    `| unmountable volumes | ${r.unmountable} |`,
    `| kernel splats | ${r.splats} |`,
    `| workload errors / model mismatches (a read-back differs from the model) | ${sum((x) => x.errors.length)} / ${r.workloadBugs} |`,
    `| manifest entries verified (sum over boots) | ${r.results.reduce((s, x) => s + x.verified, 0)} |`,
    `| workload ops (sum, counted per 50) | ${sum((x) => x.ops)} |`,
    `| short writes (allowed, completed after) | ${sum((x) => x.shortWrites)} |`,
    `| time per cycle (boot + check) | ${r.secondsPerCycle.toFixed(1)} s |`,
    `| total | ${(r.seconds / 60).toFixed(1)} min |`,
    '',
    `Reproduce: \`SOAK_SEED=${r.seed} SOAK_CYCLES=${r.cyclesWanted} make soak\` (the same workloads, delays and mount options; ` +
      'where each cut lands still varies).',
    '',
  ];
  if (r.keptVolume)
    md.push(`The volume as it was left (and the manifest) is in \`${r.keptVolume}\`.`, '');
  if (r.stoppedBy)
    md.push('## Stopped', '', '```', r.stoppedBy.split('\n').slice(0, 40).join('\n'), '```', '');
  md.push(
    '## Cycles',
    '',
    '| cycle | cut at s | mount opts | verified | lost | check | records | known after | boot s | notes |',
    '|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const x of r.results) {
    const notes = [
      ...x.splats.map((s) => `splat: ${s}`),
      ...x.bugs.map((b) => `bug: ${b}`),
      ...x.errors,
      ...x.kernelLines.slice(0, 3),
    ]
      .join('; ')
      .replace(/\|/g, '/')
      .slice(0, 300);
    md.push(
      `| ${x.cycle} | ${x.delay || 'last'} | ${x.opts.replace(/^,/, '') || '-'} | ${x.verified} | ${x.lost} | ${x.checkProblems ? `${x.checkProblems} problems` : x.checked ? `clean (${x.checked})` : '-'} | ` +
        `${x.records} | ${x.known} | ${x.bootSeconds.toFixed(0)} | ${notes} |`,
    );
  }
  const lost = r.results.filter((x) => x.lostDetail.length);
  if (lost.length) {
    md.push('', '## Lost data', '');
    for (const x of lost)
      md.push(`### cycle ${x.cycle}`, '', '```', ...x.lostDetail.slice(0, 30), '```', '');
  }
  fs.writeFileSync(path.join(out, 'soak.md'), md.join('\n') + '\n');
}

async function main(): Promise<number> {
  const env = process.env;
  const seed = env.SOAK_SEED ? Number(env.SOAK_SEED) : Math.floor(Math.random() * 1e9);
  const out = env.SOAK_OUT ?? path.join(PROJECT_ROOT, 'bench-results');
  const delay = env.SOAK_DELAY
    ? (env.SOAK_DELAY.split(',').map(Number) as [number, number])
    : undefined;
  const cycles = Number(env.SOAK_CYCLES ?? 100);
  process.stderr.write(`soak: seed ${seed}, ${cycles} cycles\n`);
  const r = await soak({ seed, cycles, delay, out, progress: (p) => writeReport(p, out) });
  writeReport(r, out);
  process.stdout.write(
    `soak: seed ${r.seed}: ${r.cycles}/${r.cyclesWanted} cycles, data lost ${r.dataLost}, check failures ${r.checkFailures}, ` +
      `unmountable ${r.unmountable}, splats ${r.splats}, model mismatches ${r.workloadBugs}, ${r.secondsPerCycle.toFixed(1)} s/cycle; ` +
      `${path.join(out, 'soak.md')}\n`,
  );
  if (r.stoppedBy) process.stdout.write(`  stopped: ${r.stoppedBy.split('\n')[0]}\n`);
  return soakOk(r) ? 0 : 1;
}

if (require.main === module)
  main().then(
    (c) => process.exit(c),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(2);
    },
  );
