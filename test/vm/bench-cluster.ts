/*
 * `make bench` part three (issue 12): several mounts of one volume.  Runs
 * test/bench/cluster-guest.sh in one VM boot (three mounts, each through
 * its own device-mapper devices) and writes bench-results/cluster.{json,md}:
 * creates per second on one mount, on three mounts in their own
 * directories and in one shared directory (as ratios to the one-mount
 * rate), lock requests per file a client creates, and the latency of a
 * stat on one mount of a file just written on another (median, p99).
 * Timings under TCG vary: read the ratios.
 *
 * Environment: BENCH_CLUSTER_FILES (3000 per mount), BENCH_CLUSTER_SHARED
 * (1000 per mount into the shared directory).
 */
import * as fs from 'fs';
import * as path from 'path';
import { describeRun, runOk, runScript } from './runner';

const ROOT = path.resolve(__dirname, '../..');
const GiB = 1024 ** 3;

async function main(): Promise<number> {
  const env = {
    BENCH_CLUSTER_FILES: process.env.BENCH_CLUSTER_FILES ?? '3000',
    BENCH_CLUSTER_SHARED: process.env.BENCH_CLUSTER_SHARED ?? '1000',
  };
  const r = await runScript(
    fs.readFileSync(path.join(ROOT, 'test/bench/cluster-guest.sh'), 'utf8'),
    { env, timeoutMs: 3600 * 1000, memMiB: 2048, onConsole: (t) => process.stderr.write(t) },
    [
      { name: 'meta', bytes: 64 * GiB },
      { name: 'data', bytes: 64 * GiB },
    ],
  );
  if (!runOk(r)) {
    process.stderr.write(`bench-cluster: the VM run failed:\n${describeRun(r)}\n${r.output}\n`);
    return 1;
  }
  const v: Record<string, number[]> = {};
  for (const line of r.output.split('\n')) {
    const m = /^(\w+)((?: [0-9.]+)+)$/.exec(line.trim());
    if (m) v[m[1]] = m[2].trim().split(' ').map(Number);
  }
  const rate = (k: string) => (v[k] && v[k][1] > 0 ? v[k][0] / v[k][1] : undefined);
  const one = rate('one_mount_creates');
  const own = rate('three_mounts_own_dirs_creates');
  const shared = rate('three_mounts_shared_dir_creates');
  const result = {
    env,
    one_mount_creates_per_s: one,
    three_mounts_own_dirs_creates_per_s: own,
    three_mounts_own_dirs_ratio: own && one ? own / one : undefined,
    three_mounts_shared_dir_creates_per_s: shared,
    three_mounts_shared_dir_ratio: shared && one ? shared / one : undefined,
    three_mounts_shared_dir_sync_s: v.three_mounts_shared_dir_sync_s?.[0],
    three_mounts_shared_dir_invalidations: v.three_mounts_shared_dir_invalidations?.[0],
    client_lock_requests_per_create: v.client_lock_requests_per_create?.[0],
    stat_after_remote_write_ms: v.stat_after_remote_write_ms && {
      median: v.stat_after_remote_write_ms[0],
      p99: v.stat_after_remote_write_ms[1],
    },
  };
  const f = (x: number | undefined, d = 0) => (x === undefined ? 'n/a' : x.toFixed(d));
  const md = [
    '# Several mounts of one volume (issue 12)',
    '',
    'One VM boot; each mount through its own device-mapper devices. Targets: three mounts in',
    'their own directories at least the one-mount rate, in one directory at least 0.3 of it.',
    'Each rate is timed from the first create to the last, plus the sync after (the',
    "creators' interpreter start-up stays out).",
    '',
    '| workload | creates/s | ratio to one mount |',
    '|---|---|---|',
    `| one mount | ${f(one)} | 1 |`,
    `| three mounts, own directories | ${f(own)} | ${f(result.three_mounts_own_dirs_ratio, 2)} |`,
    `| three mounts, one directory | ${f(shared)} | ${f(result.three_mounts_shared_dir_ratio, 2)} |`,
    '',
    `One directory: the sync after took ${f(result.three_mounts_shared_dir_sync_s, 3)} s; the directory's lock changed hands ${f(result.three_mounts_shared_dir_invalidations)} times.`,
    `Lock requests per file a client creates: ${f(result.client_lock_requests_per_create, 4)}.`,
    `A stat on one mount of a file just written on another: median ${f(result.stat_after_remote_write_ms?.median, 1)} ms, p99 ${f(result.stat_after_remote_write_ms?.p99, 1)} ms.`,
    '',
  ].join('\n');
  const out = path.join(ROOT, 'bench-results');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'cluster.json'), JSON.stringify(result, null, 2) + '\n');
  fs.writeFileSync(path.join(out, 'cluster.md'), md);
  process.stdout.write(md);
  return 0;
}

main().then(
  (c) => (process.exitCode = c),
  (e: unknown) => {
    process.stderr.write(`bench-cluster: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  },
);
