// Host side of the scenario suite: picks scenarios from test/vm/sequence,
// runs them all in one boot (guest/run-scenarios.sh), then judges each one:
// exit status, output against its golden file after normalise(), and the
// kernel lines it logged against what it declared.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { normalise } from './normalise';
import { describeRun, RunResult, Vm } from './runner';

/*
 * Kernel lines that emulation under TCG causes on a loaded host and that say
 * nothing about the code under test.  Anything else a scenario did not
 * declare fails it.
 */
const BENIGN_DMESG = [
  'hrtimer: interrupt took',
  'sched: RT throttling activated',
  'clocksource: Long readout interval',
];

export const VM_DIR = __dirname;
const TESTS_DIR = path.join(VM_DIR, 'tests');
const GOLDEN_DIR = path.join(VM_DIR, 'golden');
const SKIP_STATUS = 101;
const KILLED_STATUS = 137; // SIGKILL from the guest's per-scenario time limit
const SCENARIO_TIMEOUT_S = Number(process.env.SCOUTFS_VM_SCENARIO_TIMEOUT ?? 300);

export interface SuiteOptions {
  include?: string[];
  exclude?: string[];
  bless?: boolean;
  timeoutMs?: number;
  onConsole?: (text: string) => void;
}

export interface ScenarioResult {
  name: string;
  verdict: 'pass' | 'fail' | 'skip';
  /** Why it failed or was skipped; also "blessed" notes. */
  notes: string[];
  seconds: number | null;
}

export interface SuiteResult {
  scenarios: ScenarioResult[];
  run: RunResult;
  /** Problems of the run itself (splat, timeout, layout). */
  problems: string[];
  ok: boolean;
}

/** Names from the sequence file, in order, without comments. */
export function readSequence(file = path.join(VM_DIR, 'sequence')): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l !== '');
}

/** Layout errors: sequence names without scripts, scripts not in sequence. */
export function layoutProblems(sequence: string[]): string[] {
  const problems: string[] = [];
  const scripts = fs
    .readdirSync(TESTS_DIR)
    .filter((f) => f.endsWith('.sh'))
    .map((f) => f.slice(0, -3));
  for (const n of sequence) {
    if (!scripts.includes(n)) problems.push(`sequence names ${n} but tests/${n}.sh does not exist`);
  }
  for (const s of scripts) {
    if (!sequence.includes(s)) problems.push(`tests/${s}.sh is not listed in test/vm/sequence`);
  }
  return problems;
}

export function selectScenarios(
  sequence: string[],
  include: string[] = [],
  exclude: string[] = [],
): string[] {
  const inc = include.map((r) => new RegExp(r));
  const exc = exclude.map((r) => new RegExp(r));
  return sequence.filter(
    (n) => (inc.length === 0 || inc.some((r) => r.test(n))) && !exc.some((r) => r.test(n)),
  );
}

function readLines(p: string): string[] {
  return fs.existsSync(p)
    ? fs
        .readFileSync(p, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
    : [];
}

function unifiedDiff(expected: string, actual: string, label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scoutfs-diff-'));
  try {
    fs.writeFileSync(path.join(dir, 'golden'), expected);
    fs.writeFileSync(path.join(dir, 'output'), actual);
    execFileSync(
      'diff',
      ['-u', '--label', `golden/${label}`, '--label', 'output', 'golden', 'output'],
      {
        cwd: dir,
        encoding: 'utf8',
      },
    );
    return '';
  } catch (e) {
    return (e as { stdout?: string }).stdout ?? String(e);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Judges one scenario from its results directory. */
export function judgeScenario(name: string, dir: string, bless: boolean): ScenarioResult {
  if (!fs.existsSync(path.join(dir, 'status'))) {
    return {
      name,
      verdict: 'fail',
      notes: ['did not finish (the guest stopped during or before it)'],
      seconds: null,
    };
  }
  const status = parseInt(fs.readFileSync(path.join(dir, 'status'), 'utf8'), 10);
  const cs = readLines(path.join(dir, 'centiseconds'))[0];
  const seconds = cs === undefined ? null : parseInt(cs, 10) / 100;
  if (status === SKIP_STATUS) {
    return { name, verdict: 'skip', notes: readLines(path.join(dir, 'skip')), seconds };
  }
  const notes: string[] = [];
  if (status === KILLED_STATUS)
    notes.push(`killed: over the ${SCENARIO_TIMEOUT_S} s scenario time limit`);
  else if (status !== 0) notes.push(`exited with status ${status}`);

  const output = normalise(fs.readFileSync(path.join(dir, 'output'), 'utf8'));
  const golden = path.join(GOLDEN_DIR, name);
  if (bless && status === 0) {
    const old = fs.existsSync(golden) ? fs.readFileSync(golden, 'utf8') : null;
    if (old !== output) {
      fs.writeFileSync(golden, output);
      notes.push(`blessed: wrote golden/${name}`);
    }
  } else if (!fs.existsSync(golden)) {
    notes.push(
      `golden/${name} does not exist (bless it with SCOUTFS_VM_BLESS=1), output was:\n${output}`,
    );
  } else {
    const diff = unifiedDiff(fs.readFileSync(golden, 'utf8'), output, name);
    if (diff !== '') notes.push(`output differs from golden:\n${diff}`);
  }

  const dmesg = readLines(path.join(dir, 'dmesg'));
  const expect = readLines(path.join(dir, 'dmesg-expect'));
  const allow = [...expect, ...readLines(path.join(dir, 'dmesg-allow')), ...BENIGN_DMESG];
  const unexpected = dmesg.filter((l) => !allow.some((a) => l.includes(a)));
  if (unexpected.length > 0) notes.push(`unexpected kernel messages:\n${unexpected.join('\n')}`);
  for (const e of expect) {
    if (!dmesg.some((l) => l.includes(e))) notes.push(`expected kernel message missing: ${e}`);
  }
  const failed = notes.some((n) => !n.startsWith('blessed'));
  return { name, verdict: failed ? 'fail' : 'pass', notes, seconds };
}

/** Runs the selected scenarios in one boot and judges them. */
export async function runSuite(o: SuiteOptions = {}): Promise<SuiteResult> {
  const sequence = readSequence();
  const problems = layoutProblems(sequence);
  const names = selectScenarios(sequence, o.include, o.exclude);
  if (names.length === 0) problems.push('no scenario selected');
  const vm = Vm.create();
  const merged: string[] = [];
  try {
    /*
     * Crash scenarios (t_crash): the boot ends in the middle of one; boot
     * the same disks again and go on from that scenario, which runs again
     * with T_CRASHES set to how many times it crashed.
     */
    const dirs = new Map<string, string[]>();
    let todo = names;
    let resume: { name: string; crashes: number } | undefined;
    let run: RunResult;
    let seconds = 0;
    for (;;) {
      const env: Record<string, string> = {
        T_SCENARIOS: todo.join(' '),
        T_SCENARIO_TIMEOUT: String(SCENARIO_TIMEOUT_S),
      };
      if (resume)
        Object.assign(env, { T_RESUME: resume.name, T_RESUME_CRASHES: String(resume.crashes) });
      /* a healthy scenario takes well under SCENARIO_BUDGET_S; a hang is cut by the guest's per-scenario limit */
      const limit = o.timeoutMs ?? 1000 * (BOOT_BUDGET_S + SCENARIO_BUDGET_S * todo.length);
      run = await vm.boot({
        script: '. "$T_VM/guest/run-scenarios.sh"\n',
        env,
        timeoutMs: limit,
        onConsole: o.onConsole,
      });
      seconds += run.seconds;
      const dir = path.join(run.resultsDir, 'scenarios');
      for (const n of todo) dirs.set(n, [...(dirs.get(n) ?? []), path.join(dir, n)]);
      const crashed =
        run.crashed && !run.failure
          ? todo.find((n) => fs.existsSync(path.join(dir, n, 'crashed')))
          : undefined;
      if (!crashed) break;
      const crashes = (resume?.name === crashed ? resume.crashes : 0) + 1;
      if (crashes > MAX_CRASHES) {
        problems.push(
          `scenario ${crashed} crashed ${crashes} times; at most ${MAX_CRASHES} are allowed`,
        );
        break;
      }
      todo = todo.slice(todo.indexOf(crashed));
      resume = { name: crashed, crashes };
    }
    run = { ...run, seconds };
    const scenarios = names.map((n) => {
      const parts = (dirs.get(n) ?? []).filter((d) => fs.existsSync(d));
      if (parts.length <= 1)
        return judgeScenario(
          n,
          parts[0] ?? path.join(run.resultsDir, 'scenarios', n),
          o.bless ?? false,
        );
      const m = mergePhases(parts);
      merged.push(m);
      return judgeScenario(n, m, o.bless ?? false);
    });
    if (run.failure) problems.push(describeRun(run));
    const ok = problems.length === 0 && scenarios.every((s) => s.verdict !== 'fail');
    return { scenarios, run, problems, ok };
  } finally {
    for (const m of merged) fs.rmSync(m, { recursive: true, force: true });
    vm.dispose();
  }
}

/* boot limit of a suite run: boot and power-off, plus this per scenario */
const BOOT_BUDGET_S = 120;
const SCENARIO_BUDGET_S = 120;

/* a scenario may crash itself this many times */
const MAX_CRASHES = 4;

/*
 * One results directory for a scenario that ran over several boots:
 * output, kernel lines and dmesg declarations of every phase in order;
 * status, time and skip from the last.
 */
function mergePhases(parts: string[]): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'scoutfs-phases-'));
  const last = parts[parts.length - 1];
  for (const f of ['output', 'dmesg', 'dmesg-expect', 'dmesg-allow']) {
    const text = parts
      .map((d) => (fs.existsSync(path.join(d, f)) ? fs.readFileSync(path.join(d, f), 'utf8') : ''))
      .join('');
    if (text !== '' || fs.existsSync(path.join(last, f))) fs.writeFileSync(path.join(out, f), text);
  }
  for (const f of ['status', 'centiseconds', 'skip'])
    if (fs.existsSync(path.join(last, f))) fs.copyFileSync(path.join(last, f), path.join(out, f));
  return out;
}

export function formatSuite(r: SuiteResult): string {
  const lines: string[] = [];
  for (const s of r.scenarios) {
    const t = s.seconds === null ? '' : ` ${s.seconds.toFixed(2)}s`;
    lines.push(`${s.verdict.padEnd(4)} ${s.name}${t}`);
    for (const n of s.notes) lines.push(n.replace(/^/gm, '    '));
  }
  for (const p of r.problems) lines.push(p);
  const count = (v: ScenarioResult['verdict']) => r.scenarios.filter((s) => s.verdict === v).length;
  lines.push(
    `vm suite: ${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped; ` +
      `boot ${r.run.seconds.toFixed(1)}s; ${r.ok ? 'OK' : 'FAILED'}`,
  );
  return lines.join('\n');
}
