// The fuzzer's CI sample (test/fuzz/): a fixed seed's first cases plus the
// named plans that reproduce the kernel bugs the fuzzer found, in two boots
// (populate, then all cases in one boot).  Fails when any case splats,
// hangs, returns a bad errno or cannot be unmounted, or rmmod fails.
import * as os from 'os';
import * as path from 'path';
import * as fs from 'fs';
import { fuzz, writeReport } from '../fuzz/fuzz';

export const SAMPLE_SEED = 20240601;
export const SAMPLE_CASES = 60;
/*
 * Named plans on the populated volume's items (test/fuzz/README.md): inode
 * #5 is /small (nlink 1 -> 0: unlink WARNs in drop_nlink), extent #0 is
 * /small's (blkno -> 16, the data super block: the overwrite writes it),
 * xattr headers #2 (user.two, 100 -> 2000) and #3 (user.big, 65536 -> 65537)
 * say more value than their parts hold, and #3 with val_len 2^32-1 (its
 * full first part passes the length check: before the val_len rule, the
 * u8 part counter of removexattr wrapped and spun for ever).
 */
export const SAMPLE_PLANS = [
  'inode.value.nlink=0#5',
  'extent.value.blkno=data_super#0',
  'xattr_hdr.value.val_len=2000#2',
  'xattr_hdr.value.val_len=65537#3',
  'xattr_hdr.value.val_len=max#3',
];

jest.setTimeout(20 * 60 * 1000);

test(`fuzz sample: seed ${SAMPLE_SEED}, ${SAMPLE_CASES} cases and ${SAMPLE_PLANS.length} named plans`, async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'scoutfs-fuzz-sample-'));
  try {
    const r = await fuzz({
      seed: SAMPLE_SEED,
      count: SAMPLE_CASES,
      plans: SAMPLE_PLANS,
      out,
      log: () => undefined,
    });
    writeReport(r, out);
    const failing = r.results
      .filter((c) => c.verdict === 'fail')
      .map((c) => `${c.id}: ${c.failure} ${c.detail?.split('\n')[0] ?? ''}\n    ${c.what}`);
    expect({ failing, bootFailures: r.bootFailures }).toEqual({ failing: [], bootFailures: [] });
    expect(r.results).toHaveLength(SAMPLE_CASES + SAMPLE_PLANS.length);
    /* the sample exercises the workload, not only refused mounts */
    expect(r.passes).toBeGreaterThan(SAMPLE_CASES / 4);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
