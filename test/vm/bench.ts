/*
 * `make bench`: runs test/bench/guest.sh in one VM boot (scoutfs and ext4 on
 * identical sparse virtio disks), and writes the times and the
 * scoutfs-vs-ext4 ratios, with the targets, to
 * bench-results/fs-core.{json,md}.  Never a pass/fail test: TCG timings
 * vary by ±30-50% between runs, so only the ratios of one run mean much.
 *
 * Environment: BENCH_FILES (200000), BENCH_DIRS (200), BENCH_APPENDS (1000),
 * BENCH_MIB (1024).
 */
import * as fs from 'fs';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { describeRun, runOk, runScript } from './runner';

const ROOT = path.resolve(__dirname, '../..');
const GiB = 1024 ** 3;

/* ratio = scoutfs speed / ext4 speed (ext4 seconds / scoutfs seconds) */
const TARGETS: Record<string, { label: string; min?: number; maxSlower?: number }> = {
  create: { label: 'create (200 dirs)', min: 0.85 },
  syncfs: { label: 'sync after creates', min: undefined },
  stat: { label: 'cold stat of every file', min: 0.5 },
  append: { label: 'append 1 byte to random files (cold), sync', maxSlower: 5 },
  /* issue 12: a commit writes densely into the mount's log btree */
  appendsync: { label: 'the sync() after those appends', maxSlower: 2 },
  unlink: { label: 'unlink every file', min: 0.5 },
  write: { label: 'sequential write + fsync', min: 0.9 },
  read: { label: 'cold sequential read', min: 0.8 },
};

async function main(): Promise<number> {
  const env = {
    BENCH_FILES: process.env.BENCH_FILES ?? '200000',
    BENCH_DIRS: process.env.BENCH_DIRS ?? '200',
    BENCH_APPENDS: process.env.BENCH_APPENDS ?? '1000',
    BENCH_MIB: process.env.BENCH_MIB ?? '1024',
  };
  const bin = path.join(ROOT, 'build/bench/fsbench');
  fs.mkdirSync(path.dirname(bin), { recursive: true });
  execFileSync('gcc', [
    '-O2',
    '-static',
    '-Wall',
    '-Werror',
    '-o',
    bin,
    path.join(ROOT, 'test/bench/fsbench.c'),
  ]);

  const r = await runScript(
    fs.readFileSync(path.join(ROOT, 'test/bench/guest.sh'), 'utf8'),
    { env, timeoutMs: 3 * 3600 * 1000, memMiB: 2048, onConsole: (t) => process.stderr.write(t) },
    [
      { name: 'meta', bytes: 64 * GiB },
      { name: 'data', bytes: 64 * GiB },
      { name: 'ext4', bytes: 64 * GiB },
    ],
  );
  if (!runOk(r)) {
    process.stderr.write(`bench: the VM run failed:\n${describeRun(r)}\n${r.output}\n`);
    return 1;
  }
  const times: Record<string, Record<string, number[]>> = { scoutfs: {}, ext4: {} };
  for (const line of r.output.split('\n')) {
    const m = /^(scoutfs|ext4) (\w+) ([0-9.]+)$/.exec(line.trim());
    if (m) (times[m[1]][m[2]] ??= []).push(Number(m[3]));
  }
  const rows = Object.entries(TARGETS).map(([phase, t]) => {
    /* syncfs runs twice: after the creates (the one reported) and after unlinks */
    const s = times.scoutfs[phase]?.[0];
    const e = times.ext4[phase]?.[0];
    const ratio = s && e ? e / s : undefined;
    let target = '';
    let met: boolean | undefined;
    if (t.min !== undefined) {
      target = `>= ${t.min}`;
      met = ratio !== undefined && ratio >= t.min;
    } else if (t.maxSlower !== undefined) {
      target = `<= ${t.maxSlower}x slower`;
      met = ratio !== undefined && 1 / ratio <= t.maxSlower;
    }
    return { phase, label: t.label, scoutfs_s: s, ext4_s: e, ratio, target, met };
  });
  const out = path.join(ROOT, 'bench-results');
  fs.mkdirSync(out, { recursive: true });
  const result = {
    when: new Date().toISOString(),
    params: env,
    vm_seconds: r.seconds,
    rows,
    lockreqs_per_create: times.scoutfs.lockreqs_per_create?.[0],
  };
  fs.writeFileSync(path.join(out, 'fs-core.json'), JSON.stringify(result, null, 2) + '\n');
  const md = [
    `# scoutfs vs ext4 (${new Date().toISOString()})`,
    '',
    `${env.BENCH_FILES} files in ${env.BENCH_DIRS} dirs, ${env.BENCH_APPENDS} appends, ${env.BENCH_MIB} MiB file; one VM boot under TCG.`,
    'ratio = scoutfs speed / ext4 speed (ext4 seconds / scoutfs seconds).',
    '',
    '| phase | scoutfs s | ext4 s | ratio | target | met |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (x) =>
        `| ${x.label} | ${x.scoutfs_s?.toFixed(2) ?? '-'} | ${x.ext4_s?.toFixed(2) ?? '-'} | ${x.ratio?.toFixed(2) ?? '-'} | ${x.target} | ${x.met === undefined ? '' : x.met ? 'yes' : 'NO'} |`,
    ),
    '',
    ...(times.scoutfs.lockreqs_per_create
      ? [
          `lock requests per created file (each a round trip to the server): ${times.scoutfs.lockreqs_per_create[0]}`,
          '',
        ]
      : []),
  ].join('\n');
  fs.writeFileSync(path.join(out, 'fs-core.md'), md);
  process.stdout.write(md);
  return 0;
}

main().then(
  (c) => (process.exitCode = c),
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  },
);
