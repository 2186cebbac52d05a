/*
 * The quorum election (kmod/src/quorum_sm.c, built in userspace) in a
 * deterministic simulator (test/c/quorum_sim.c): clusters of 1, 2, 3 and
 * 5 members on a network that loses messages, splits into partitions and
 * heals, with members crashing, leaving and restarting from their
 * persisted terms.  Each run is a seeded random script; the checks:
 *
 *   - at most one leader per term (with fewer than 3 slots one vote
 *     elects, so two members can lead in one term: not checked there);
 *   - a member never sends in a term it has not persisted, and its terms
 *     only grow, also across restarts;
 *   - liveness: whenever a majority of the slots is up, connected and
 *     loses nothing for long enough, it agrees on one leader within a
 *     bound (the heartbeat timeout plus a few election rounds); after the
 *     final heal, every member does, with 1 and 2 slots too.
 */
import execa from 'execa';
import { gccWithKshim } from './helpers/kshim-gcc';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
const HB = 2000;
/* the time a connected majority may take to agree on a leader */
const BOUND = HB + 4000;
const END = 60000;
const HEAL = 45000;

/* xorshift64: the same scripts every run */
function rng(seed: bigint): (n: number) => number {
  let x = seed * 0x9e3779b97f4a7c15n + 1n;
  return (n: number) => {
    x ^= (x << 13n) & 0xffffffffffffffffn;
    x ^= x >> 7n;
    x ^= (x << 17n) & 0xffffffffffffffffn;
    return Number(x % BigInt(n));
  };
}

interface Phase {
  start: number;
  end: number;
  /* members up and reaching each other with no loss, if they form a majority */
  majority?: number[];
}

interface Scenario {
  slots: number;
  seed: number;
  script: string;
  phases: Phase[];
}

/* random phases of 2..10 s: loss, partitions, crashes, clean stops, restarts */
function scenario(slots: number, seed: number): Scenario {
  const r = rng(BigInt(seed * 31 + slots));
  const lines = [`slots ${slots} seed ${seed} hb ${HB}`];
  const up = new Set(Array.from({ length: slots }, (_, i) => i));
  const phases: Phase[] = [];
  let t = 0;
  while (t < HEAL) {
    const len = Math.min(2000 + r(8001), HEAL - t);
    const loss = r(3) === 0 ? r(31) : 0;
    lines.push(`${t} loss ${loss}`);
    for (let i = 0; i < slots; i++) {
      const x = r(10);
      if (up.has(i) && x === 0) {
        lines.push(`${t} ${r(2) ? 'crash' : 'stop'} ${i}`);
        up.delete(i);
      } else if (!up.has(i) && x < 5) {
        lines.push(`${t} restart ${i}`);
        up.add(i);
      }
    }
    /* half the phases split the slots into two random groups */
    let groups: number[][] = [Array.from({ length: slots }, (_, i) => i)];
    if (r(2)) {
      const a: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < slots; i++) (r(2) ? a : b).push(i);
      groups = [a, b].filter((g) => g.length);
      lines.push(`${t} part ${groups.map((g) => g.map((i) => i.toString(16)).join('')).join('|')}`);
    } else {
      lines.push(`${t} heal`);
    }
    const need = slots < 3 ? slots : Math.floor(slots / 2) + 1;
    const big = groups.map((g) => g.filter((i) => up.has(i))).find((g) => g.length >= need);
    phases.push({ start: t, end: t + len, majority: loss === 0 && slots >= 3 ? big : undefined });
    t += len;
  }
  lines.push(`${HEAL} loss 0`, `${HEAL} heal`);
  for (let i = 0; i < slots; i++) if (!up.has(i)) lines.push(`${HEAL} restart ${i}`);
  lines.push(`${END} end`);
  phases.push({ start: HEAL, end: END, majority: Array.from({ length: slots }, (_, i) => i) });
  return { slots, seed, script: lines.join('\n') + '\n', phases };
}

interface View {
  role: number;
  term: number;
  leader: number;
}
const LEADER = 2;

/* the problems of one run, as sentences */
function judge(sc: Scenario, out: string): { problems: string[]; elections: number } {
  const problems: string[] = [];
  const leaderOf = new Map<number, number>();
  const lastTerm = new Map<number, number>();
  const views = new Map<number, Map<number, View>>();
  let elections = 0;
  for (const line of out.split('\n').filter(Boolean)) {
    const [tt, what, a, b, c, d] = line.split(' ');
    const t = Number(tt);
    const slot = Number(a);
    const term = Number(b);
    if (what === 'VIOLATION') problems.push(line);
    if (what === 'elect') {
      elections++;
      const other = leaderOf.get(term);
      if (other !== undefined && other !== slot && sc.slots >= 3)
        problems.push(`${t}: slots ${other} and ${slot} both elected in term ${term}`);
      leaderOf.set(term, slot);
    }
    if (what === 'persist' || what === 'start' || what === 'elect') {
      const last = lastTerm.get(slot) ?? 0;
      if (term < last || (what === 'persist' && term === last && last !== 0))
        problems.push(`${t}: slot ${slot} ${what} term ${term} after term ${last}`);
      lastTerm.set(slot, Math.max(last, term));
    }
    if (what === 'view') {
      if (!views.has(t)) views.set(t, new Map());
      views.get(t)!.set(slot, { role: Number(b), term: Number(c), leader: Number(d) });
    }
  }
  /* liveness: at a phase's end, a majority that had the bound agrees on a leader */
  for (const p of sc.phases) {
    if (!p.majority || p.end - p.start < BOUND + 200) continue;
    const at = Math.floor((p.end - 100) / 100) * 100;
    const v = views.get(at);
    const group = p.majority.map((i) => v?.get(i));
    const leaders = group.filter((x) => x && x.role === LEADER);
    const leaderSlot = p.majority[group.findIndex((x) => x && x.role === LEADER)];
    const ok =
      leaders.length === 1 &&
      group.every((x) => x && x.term === leaders[0]!.term && x.leader === leaderSlot);
    if (!ok)
      problems.push(
        `${at}: slots ${p.majority.join(',')} (up, connected, no loss since ${p.start}) have no common leader: ` +
          p.majority.map((i, k) => `${i}=${JSON.stringify(group[k] ?? 'down')}`).join(' '),
      );
  }
  return { problems, elections };
}

let tmp: string;
let sim: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scoutfs-qsm-'));
  sim = path.join(tmp, 'quorum_sim');
  await gccWithKshim(
    sim,
    [path.join(ROOT, 'kmod/src/quorum_sm.c'), path.join(ROOT, 'test/c/quorum_sim.c')],
    ['-O2'],
  );
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function run(sc: Scenario): Promise<string> {
  return (await execa(sim, [], { input: sc.script })).stdout;
}

describe.each([1, 2, 3, 5])('%i slot(s)', (slots) => {
  test('safety and liveness over 20 seeded runs', async () => {
    let elections = 0;
    let checked = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const sc = scenario(slots, seed);
      const { problems, elections: e } = judge(sc, await run(sc));
      expect({ seed, problems }).toEqual({ seed, problems: [] });
      elections += e;
      checked += sc.phases.filter((p) => p.majority && p.end - p.start >= BOUND + 200).length;
    }
    /* the runs did elect, and liveness was judged more than at the end */
    expect(elections).toBeGreaterThan(20);
    expect(checked).toBeGreaterThan(slots >= 3 ? 25 : 19);
  });
});

test('a quiet cluster elects once, within two election timeouts, and keeps its leader', async () => {
  for (const slots of [1, 3, 5]) {
    const out = await run({
      slots,
      seed: 7,
      script: `slots ${slots} seed 7 hb ${HB}\n20000 end\n`,
      phases: [],
    });
    const elects = out.split('\n').filter((l) => l.includes(' elect '));
    expect(elects).toHaveLength(1);
    expect(Number(elects[0].split(' ')[0])).toBeLessThan(slots === 1 ? 10 : 700);
  }
});

test('a restarted member starts at the greatest persisted term and never goes back', async () => {
  const out = await run({
    slots: 3,
    seed: 3,
    script: `slots 3 seed 3 hb ${HB}\n0 part 0|12\n5000 crash 0\n5000 heal\n6000 restart 0\n12000 end\n`,
    phases: [],
  });
  const lines = out.split('\n');
  /* slot 0 alone stood again and again: its term grew past the others' */
  const persisted0 = lines
    .filter((l) => / persist 0 /.test(l) && Number(l.split(' ')[0]) < 6000)
    .map((l) => Number(l.split(' ')[3]));
  const restart = lines.find((l) => /^6000 start 0 /.test(l))!;
  expect(Number(restart.split(' ')[3])).toBe(Math.max(...persisted0));
  expect(persisted0.length).toBeGreaterThan(5);
  /* and the cluster re-elected above it */
  const after = lines
    .filter((l) => / elect /.test(l) && Number(l.split(' ')[0]) > 6000)
    .map((l) => Number(l.split(' ')[3]));
  for (const t of after) expect(t).toBeGreaterThan(Math.max(...persisted0));
});
