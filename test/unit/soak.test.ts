// The soak's bookkeeping without a VM: the guest workload (test/soak/guest/
// soak.py) runs on the host in a plain directory, its journal is read and
// applied, and the verify pass of a second run must find every known name
// as recorded - and must notice a name that is not.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applyRecords, JournalRecord, Manifest, readJournal } from '../soak/soak';

const SOAK_PY = path.join(__dirname, '..', 'soak', 'guest', 'soak.py');

jest.setTimeout(120_000);

function run(dir: string, env: Record<string, string>): JournalRecord[] {
  const journal = path.join(dir, 'journal');
  fs.rmSync(journal, { force: true });
  fs.writeFileSync(journal, Buffer.alloc(4 * 1024 * 1024));
  execFileSync('python3', [SOAK_PY], {
    env: {
      ...process.env,
      SOAK_NO_MOUNT: '1',
      SOAK_JOURNAL_BUFFERED: '1',
      SOAK_MNT: path.join(dir, 'mnt'),
      SOAK_JOURNAL: journal,
      SOAK_SEED: '7',
      ...env,
    },
    stdio: 'pipe',
  });
  return readJournal(fs.readFileSync(journal));
}

test('the journal is read up to the first torn record', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scoutfs-soak-'));
  try {
    fs.mkdirSync(path.join(dir, 'mnt'));
    const recs = run(dir, { SOAK_CYCLE: '0', SOAK_OPS: '40' });
    expect(recs[0]).toMatchObject({ t: 'start', cycle: 0 });
    const img = fs.readFileSync(path.join(dir, 'journal'));
    img[5 * 4096 + 30] ^= 1; // a torn 6th record ends the journal there
    expect(readJournal(img)).toEqual(recs.slice(0, 5));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a workload with checkpoints, then a verify pass of what it recorded', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scoutfs-soak-'));
  try {
    fs.mkdirSync(path.join(dir, 'mnt'));
    let m: Manifest = {};
    const first = run(dir, { SOAK_CYCLE: '0', SOAK_OPS: '600' });
    expect(first.filter((r) => r.t === 'bug')).toEqual([]);
    expect(first.find((r) => r.t === 'done')).toMatchObject({ ops: 600, bugs: 0 });
    m = applyRecords(m, first);
    /* a second boot's workload on the same tree (no cut in between) */
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m));
    const second = run(dir, {
      SOAK_CYCLE: '1',
      SOAK_OPS: '600',
      SOAK_MANIFEST: path.join(dir, 'manifest.json'),
    });
    expect(second.find((r) => r.t === 'verify')).toMatchObject({
      checked: Object.keys(m).length,
      lost: 0,
    });
    expect(second.filter((r) => r.t === 'bug')).toEqual([]);
    m = applyRecords(m, second);
    const kinds = new Set(Object.values(m).map((e) => e.k));
    expect(kinds).toEqual(new Set(['f', 'l', 'a']));

    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m));
    const verify = () =>
      run(dir, {
        SOAK_CYCLE: '2',
        SOAK_DELAY: '0',
        SOAK_MANIFEST: path.join(dir, 'manifest.json'),
      });
    expect(verify().find((r) => r.t === 'verify')).toMatchObject({ lost: 0 });

    /* one known file changed, one name known absent brought back: both are found */
    const file = Object.keys(m).find((p) => m[p].k === 'f')!;
    const absent = Object.keys(m).find(
      (p) => m[p].k === 'a' && fs.existsSync(path.dirname(path.join(dir, 'mnt', 'soak', p))),
    )!;
    fs.appendFileSync(path.join(dir, 'mnt', 'soak', file), 'x');
    fs.writeFileSync(path.join(dir, 'mnt', 'soak', absent), '');
    const recs = verify();
    expect(recs.find((r) => r.t === 'verify')).toMatchObject({ lost: 2 });
    expect(
      recs
        .filter((r) => r.t === 'lost')
        .map((r) => r.p)
        .sort(),
    ).toEqual([file, absent].sort());
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
