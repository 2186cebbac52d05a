// The power-cut soak's CI sample (test/soak/): a fixed seed's first three
// cuts (1-4 s into the workload) and the last verify-only boot on one
// volume.  Fails on any fsync'd name not as recorded, a volume failing
// check or not mounting, a kernel splat or a workload model mismatch.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { soak, soakOk, writeReport } from '../soak/soak';

export const SAMPLE_SEED = 20240610;
export const SAMPLE_CYCLES = 3;

jest.setTimeout(15 * 60 * 1000);

test(`power-cut soak sample: seed ${SAMPLE_SEED}, ${SAMPLE_CYCLES} cuts`, async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'scoutfs-soak-sample-'));
  try {
    const r = await soak({
      seed: SAMPLE_SEED,
      cycles: SAMPLE_CYCLES,
      delay: [1, 4],
      out,
      log: () => undefined,
    });
    writeReport(r, out);
    const bad = r.results
      .filter((c) => c.failure || c.lost || c.splats.length || c.bugs.length || c.checkProblems)
      .map(
        (c) =>
          `cycle ${c.cycle}: ${c.failure ?? ''} lost ${c.lost} ${c.lostDetail.slice(0, 3).join('; ')} splats ${c.splats.join('; ')} bugs ${c.bugs.join('; ')} ${c.errors.slice(0, 3).join('; ')}`,
      );
    expect({ bad, stoppedBy: r.stoppedBy }).toEqual({ bad: [], stoppedBy: undefined });
    expect(soakOk(r)).toBe(true);
    expect(r.cycles).toBe(SAMPLE_CYCLES);
    /* the cuts came after fsync'd work that later boots verified */
    expect(r.results.reduce((s, c) => s + c.verified, 0)).toBeGreaterThan(0);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

/* The soak can see lost data: checkpoints recorded without fsync must be lost by the cut. */
test('power-cut soak notices data lost when checkpoints skip their fsyncs', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'scoutfs-soak-nofsync-'));
  try {
    const r = await soak({
      seed: SAMPLE_SEED,
      cycles: 1,
      delay: [3, 3],
      out,
      noFsync: true,
      log: () => undefined,
    });
    expect(r.results.map((c) => c.failure ?? '')).toEqual(['', '']);
    expect({ check: r.checkFailures, unmountable: r.unmountable, splats: r.splats }).toEqual({
      check: 0,
      unmountable: 0,
      splats: 0,
    });
    expect(r.dataLost).toBeGreaterThan(0);
    expect(soakOk(r)).toBe(false);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
