/*
 * The lock server's state machine (kmod/src/lock_server_sm.c, built in
 * userspace) under the simulator test/c/lock_server_sim.c:
 *
 *   - random runs of 2..5 clients on ordered links, delivered in seeded
 *     random interleavings, with late invalidation answers, disconnects
 *     and bad inputs; the simulator checks after every step that no two
 *     clients' own views of their modes conflict, that no request waits
 *     too long, that write_seqs grow and that bad inputs are refused
 *     with no change; here the summaries show the paths were taken;
 *   - scripted sequences whose outputs are compared exactly.
 */
import execa from 'execa';
import { gccWithKshim } from './helpers/kshim-gcc';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LockMode } from '../../format/net';

const ROOT = path.resolve(__dirname, '../..');
const SEEDS = 25;
const STEPS = 20000;

let tmp: string;
let sim: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scoutfs-lsm-'));
  sim = path.join(tmp, 'lock_server_sim');
  await gccWithKshim(
    sim,
    [path.join(ROOT, 'kmod/src/lock_server_sm.c'), path.join(ROOT, 'test/c/lock_server_sim.c')],
    ['-O2'],
  );
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/* the summary line's "name number" pairs */
function summary(out: string): Record<string, number> {
  const last = out.trim().split('\n').pop() ?? '';
  const words = last.split(' ');
  const r: Record<string, number> = {};
  for (let i = 0; i + 1 < words.length; i += 2) r[words[i]] = Number(words[i + 1]);
  return r;
}

test("the state machine's modes are format/net.ts LockMode", () => {
  const h = fs.readFileSync(path.join(ROOT, 'kmod/src/lock_server_sm.h'), 'utf8');
  const modes: Record<string, number> = {};
  for (const m of h.matchAll(/SCOUTFS_LSM_(\w+) = (\d+),/g)) modes[m[1]] = Number(m[2]);
  expect(modes).toEqual({
    NULL: LockMode.NULL,
    READ: LockMode.READ,
    WRITE: LockMode.WRITE,
    WRITE_ONLY: LockMode.WRITE_ONLY,
  });
});

describe.each([2, 3, 4, 5])('%i clients', (clients) => {
  test(`safety, liveness and refusals over ${SEEDS} seeded runs`, async () => {
    const total: Record<string, number> = {};
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = await execa(sim, ['random', String(seed), String(clients), String(STEPS)], {
        reject: false,
      });
      const violations = r.stdout.split('\n').filter((l) => l.startsWith('VIOLATION'));
      expect({ seed, violations, exitCode: r.exitCode }).toEqual({
        seed,
        violations: [],
        exitCode: 0,
      });
      const s = summary(r.stdout);
      expect(s.seed).toBe(seed);
      expect(s.violations).toBe(0);
      expect(s.steps).toBeGreaterThanOrEqual(STEPS);
      for (const [k, v] of Object.entries(s)) total[k] = (total[k] ?? 0) + v;
    }
    /* the paths that matter were taken, each many times */
    const runs = SEEDS;
    expect(total.requests).toBeGreaterThan(2000 * runs);
    expect(total.grants).toBeGreaterThan(1900 * runs);
    expect(total.grants_write).toBeGreaterThan(1000 * runs);
    expect(total.invalidations).toBeGreaterThan(400 * runs);
    expect(total.inv_read).toBeGreaterThan(50 * runs);
    expect(total.answered_null).toBeGreaterThan(5 * runs);
    expect(total.ignored).toBeGreaterThan(50 * runs);
    expect(total.null_requests).toBeGreaterThan(300 * runs);
    expect(total.gone).toBeGreaterThan(50 * runs);
    for (const k of Object.keys(total).filter((k) => k.startsWith('bad_')))
      expect({ [k]: total[k] > 2 * runs }).toEqual({ [k]: true });
    expect(Object.keys(total).filter((k) => k.startsWith('bad_'))).toHaveLength(9);
  });
});

/* run a script; lines of calls in, lines of outputs back */
async function script(lines: string[]): Promise<string[]> {
  const r = await execa(sim, ['script'], { input: lines.join('\n') + '\n' });
  return r.stdout.split('\n');
}

describe('scripted', () => {
  test('READ and READ share, WRITE_ONLY and WRITE_ONLY share with growing seqs', async () => {
    expect(await script(['req 1 0 N R', 'req 2 0 N R', 'req 1 1 N WO', 'req 2 1 N WO'])).toEqual([
      'grant 1 0 N R 0',
      'grant 2 0 N R 0',
      'grant 1 1 N WO 1',
      'grant 2 1 N WO 2',
      'entries 4',
    ]);
  });

  test('WRITE invalidates two READ holders to NULL, then is granted', async () => {
    expect(
      await script(['req 1 0 N R', 'req 2 0 N R', 'req 3 0 N W', 'done 1 0 R N', 'done 2 0 R N']),
    ).toEqual([
      'grant 1 0 N R 0',
      'grant 2 0 N R 0',
      'invalidate 1 0 R N',
      'invalidate 2 0 R N',
      'grant 3 0 N W 1',
      'entries 1',
    ]);
  });

  test('READ invalidates a WRITE holder down to READ; WRITE_ONLY takes it to NULL', async () => {
    expect(
      await script(['req 1 0 N W', 'req 2 0 N R', 'done 1 0 W R', 'req 3 0 N WO', 'done 1 0 R N']),
    ).toEqual([
      'grant 1 0 N W 1',
      'invalidate 1 0 W R',
      'grant 2 0 N R 0',
      'invalidate 1 0 R N',
      'invalidate 2 0 R N',
      'entries 2',
    ]);
  });

  test('an upgrade invalidates the other holders and keeps its entry', async () => {
    expect(await script(['req 1 0 N R', 'req 2 0 N R', 'req 1 0 R W', 'done 2 0 R N'])).toEqual([
      'grant 1 0 N R 0',
      'grant 2 0 N R 0',
      'invalidate 2 0 R N',
      'grant 1 0 R W 1',
      'entries 1',
    ]);
  });

  test('requests are granted in order: a compatible one waits behind an incompatible one', async () => {
    expect(
      await script([
        'req 1 0 N W',
        'req 2 0 N R',
        'req 3 0 N W',
        'req 4 0 N R',
        'done 1 0 W R',
        'done 1 0 R N',
        'done 2 0 R N',
        'done 3 0 W R',
      ]),
    ).toEqual([
      'grant 1 0 N W 1',
      'invalidate 1 0 W R',
      'grant 2 0 N R 0',
      /* 4's READ would fit 1 and 2 but 3's WRITE is ahead of it */
      'invalidate 1 0 R N',
      'invalidate 2 0 R N',
      'grant 3 0 N W 2',
      'invalidate 3 0 W R',
      'grant 4 0 N R 0',
      'entries 2',
    ]);
  });

  test('a client that is gone unblocks the waiters and releases its entries', async () => {
    expect(
      await script(['req 1 0 N W', 'req 2 0 N R', 'req 3 0 N W', 'gone 1', 'gone 2', 'gone 3']),
    ).toEqual([
      'grant 1 0 N W 1',
      'invalidate 1 0 W R',
      'grant 2 0 N R 0',
      'invalidate 2 0 R N',
      'grant 3 0 N W 2',
      'idle 0',
      'entries 0',
    ]);
  });

  test('a gone requester lets the next one in; the late answer is still taken', async () => {
    expect(
      await script(['req 1 0 N R', 'req 2 0 N W', 'req 3 0 N R', 'gone 2', 'done 1 0 R N']),
    ).toEqual(['grant 1 0 N R 0', 'invalidate 1 0 R N', 'grant 3 0 N R 0', 'entries 1']);
  });

  test('a requester waits for its own answer to an invalidation before its grant', async () => {
    expect(
      await script(['req 1 0 N R', 'req 2 0 N WO', 'req 1 0 R W', 'gone 2', 'done 1 0 R N']),
    ).toEqual(['grant 1 0 N R 0', 'invalidate 1 0 R N', 'grant 1 0 N W 1', 'entries 1']);
  });

  test('giving the lock back is granted at once and answers an invalidation', async () => {
    expect(
      await script(['req 1 0 N W', 'req 2 0 N R', 'req 3 0 N W', 'req 1 0 W N', 'done 2 0 R N']),
    ).toEqual([
      'grant 1 0 N W 1',
      'invalidate 1 0 W R',
      'grant 1 0 W N 0',
      'grant 2 0 N R 0',
      'invalidate 2 0 R N',
      'grant 3 0 N W 2',
      'entries 1',
    ]);
  });

  test('each kind of bad input is refused with its errno and changes nothing', async () => {
    const setup = ['req 1 0 N W', 'req 2 0 N R', 'req 3 0 N R'];
    const bad: [string, string][] = [
      ['req 4 0 N 4', 'EINVAL mode out of range'],
      ['done 1 0 9 R', 'EINVAL mode out of range'],
      ['req 4 0 N N', 'EINVAL request for the mode already held'],
      ['req 1 0 W R', 'EINVAL request neither for more nor for NULL'],
      ['req 4 0 R WO', 'EINVAL request neither for more nor for NULL'],
      ['req 2 0 N W', 'EPROTO request while another is queued'],
      ['req 4 0 R W', 'EPROTO request from a mode not held'],
      ['done 4 0 R N', 'EPROTO invalidation answer from a client holding nothing'],
      ['done 1 0 R N', 'EPROTO invalidation answer from a mode not held'],
      ['done 1 0 W WO', 'EPROTO invalidation answer to a mode not asked for'],
      ['done 1 0 W W', 'EPROTO invalidation answer to a mode not asked for'],
    ];
    const before = ['grant 1 0 N W 1', 'invalidate 1 0 W R'];
    /* then the answer lets the queue move on as if nothing had come in between */
    const after = ['done 1 0 W R'];
    const afterOut = ['grant 2 0 N R 0', 'grant 3 0 N R 0', 'entries 3'];
    const out = await script([...setup, ...bad.map(([line]) => line), ...after]);
    expect(out).toEqual([...before, ...bad.map(([, why]) => `refused ${why}`), ...afterOut]);
    /* an answer nobody asked for */
    expect(await script(['req 1 0 N R', 'done 1 0 R N'])).toEqual([
      'grant 1 0 N R 0',
      'refused EPROTO invalidation answer that was not asked for',
      'entries 1',
    ]);
  });
});
