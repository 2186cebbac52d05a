/*
 * `make bench` part two (issue 5): finding what changed with the change
 * index vs scanning.  Runs test/bench/walk-guest.sh in one VM boot and
 * writes bench-results/walk.{json,md}: for each namespace size, the time to
 * discover the files changed since a seq with the raw WALK_INODES ioctl and
 * with the CLI (cold caches), against `find -newer` over ext4 (cold and
 * warm); full-walk throughput of the raw ioctl (C and node) and of the TS
 * library.  Timings under TCG vary ±30-50% between runs: read the ratios.
 *
 * Environment: BENCH_WALK_SIZES ("20000 200000"), BENCH_DIRS (200),
 * BENCH_APPENDS (1000).
 */
import * as fs from 'fs';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { describeRun, runOk, runScript } from './runner';

const ROOT = path.resolve(__dirname, '../..');
const GiB = 1024 ** 3;

async function main(): Promise<number> {
	const env = {
		BENCH_WALK_SIZES: process.env.BENCH_WALK_SIZES ?? '20000 200000',
		BENCH_DIRS: process.env.BENCH_DIRS ?? '200',
		BENCH_APPENDS: process.env.BENCH_APPENDS ?? '1000',
	};
	const out = path.join(ROOT, 'build/bench');
	fs.mkdirSync(out, { recursive: true });
	const cc = (name: string, extra: string[] = []) =>
		execFileSync('gcc', ['-O2', '-static', '-Wall', '-Werror', ...extra, '-o', path.join(out, name), path.join(ROOT, `test/bench/${name}.c`)]);
	cc('fsbench');
	cc('walkbench', ['-I', path.join(ROOT, 'kmod/src/gen')]);

	const r = await runScript(
		fs.readFileSync(path.join(ROOT, 'test/bench/walk-guest.sh'), 'utf8'),
		{ env, timeoutMs: 4 * 3600 * 1000, memMiB: 2048, onConsole: (t) => process.stderr.write(t) },
		[
			{ name: 'meta', bytes: 64 * GiB },
			{ name: 'data', bytes: 64 * GiB },
			{ name: 'ext4', bytes: 64 * GiB },
		],
	);
	if (!runOk(r)) {
		process.stderr.write(`bench-walk: the VM run failed:\n${describeRun(r)}\n${r.output}\n`);
		return 1;
	}
	/* "N metric count seconds" and "N probe <name>: n entries in s = r entries/s" */
	const sizes: Record<string, Record<string, { entries: number; seconds: number }>> = {};
	const probes: Record<string, string[]> = {};
	for (const line of r.output.split('\n')) {
		const m = /^(\d+) (\w+) (\d+) ([0-9.]+)$/.exec(line.trim());
		if (m) (sizes[m[1]] ??= {})[m[2]] = { entries: Number(m[3]), seconds: Number(m[4]) };
		const p = /^(\d+) probe (.*)$/.exec(line.trim());
		if (p) (probes[p[1]] ??= []).push(p[2]);
	}
	const rows = Object.entries(sizes).map(([n, m]) => {
		const ratio = (a?: { seconds: number }, b?: { seconds: number }) => (a && b && a.seconds > 0 ? b.seconds / a.seconds : undefined);
		const eps = (x?: { entries: number; seconds: number }) => (x && x.seconds > 0 ? Math.round(x.entries / x.seconds) : undefined);
		return {
			files: Number(n),
			changed_found_by_walk: m.walk_raw_cold?.entries,
			changed_found_by_find: m.find_cold?.entries,
			walk_raw_cold_s: m.walk_raw_cold?.seconds,
			walk_raw_warm_s: m.walk_raw_warm?.seconds,
			walk_cli_cold_s: m.walk_cli_cold?.seconds,
			find_cold_s: m.find_cold?.seconds,
			find_warm_s: m.find_warm?.seconds,
			find_over_walk_raw_cold: ratio(m.walk_raw_cold, m.find_cold),
			find_over_walk_cli_cold: ratio(m.walk_cli_cold, m.find_cold),
			full_walk_raw_cold_eps: eps(m.full_raw_cold),
			full_walk_raw_warm_eps: eps(m.full_raw_warm),
			node_probe: probes[n] ?? [],
		};
	});
	const dir = path.join(ROOT, 'bench-results');
	fs.mkdirSync(dir, { recursive: true });
	fs.writeFileSync(path.join(dir, 'walk.json'), JSON.stringify({ when: new Date().toISOString(), params: env, rows }, null, 2) + '\n');
	const f = (x: number | undefined, d = 3) => (x === undefined ? '-' : x.toFixed(d));
	const md = [
		`# change index vs scan (${new Date().toISOString()})`,
		'',
		`${env.BENCH_APPENDS} random files appended to after a sync; discover them with walk-inodes meta_seq <stable+1> -1 (scoutfs) or find -newer (ext4). Target: walk <= 1/500 of find. "walk raw" is the WALK_INODES ioctl from C (test/bench/walkbench.c); "walk CLI" is the scoutfs command, whose time is mostly node starting under TCG (about 1-4 s).`,
		'',
		'| files | found (walk/find) | walk raw cold s | walk raw warm s | walk CLI cold s | find cold s | find warm s | find/walk raw | find/walk CLI | full walk raw entries/s cold / warm |',
		'|---|---|---|---|---|---|---|---|---|---|',
		...rows.map(
			(x) =>
				`| ${x.files} | ${x.changed_found_by_walk ?? '-'}/${x.changed_found_by_find ?? '-'} | ${f(x.walk_raw_cold_s, 4)} | ${f(x.walk_raw_warm_s, 4)} | ${f(x.walk_cli_cold_s, 2)} | ${f(x.find_cold_s, 2)} | ${f(x.find_warm_s, 2)} | ${f(x.find_over_walk_raw_cold, 0)} | ${f(x.find_over_walk_cli_cold, 1)} | ${x.full_walk_raw_cold_eps ?? '-'} / ${x.full_walk_raw_warm_eps ?? '-'} |`,
		),
		'',
		'Node (raw ioctl through the addon vs the TS library, full meta_seq walk):',
		'',
		...rows.flatMap((x) => [`- ${x.files} files:`, ...x.node_probe.map((p) => `  - ${p}`)]),
		'',
	].join('\n');
	fs.writeFileSync(path.join(dir, 'walk.md'), md);
	process.stdout.write(md);
	return 0;
}

main().then(
	(c) => (process.exitCode = c),
	(e: unknown) => {
		process.stderr.write(`bench-walk: ${e instanceof Error ? e.stack : String(e)}\n`);
		process.exitCode = 1;
	},
);
