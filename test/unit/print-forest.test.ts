/*
 * scoutfs print on volumes with log btrees: logs_root's records and each
 * log btree's items, deletion markers included, with their seqs.
 */
import { LOG_TREES_FINALIZED } from '../../utils/src/gen/format';
import { closeDevice, openDevice } from '../../utils/src/lib/device';
import { inodeKey, metaSeqKey } from '../../utils/src/lib/key';
import { printVolume } from '../../utils/src/lib/print';
import { readSuper } from '../../utils/src/lib/volume';
import { Volume } from './check-volume';

let vol: Volume;
beforeEach(() => {
  vol = Volume.temp();
});
afterEach(() => vol.dispose());

function print(meta: string): { lines: string[]; problems: number } {
  const dev = openDevice('metadata device', meta, false);
  try {
    const lines: string[] = [];
    const problems = printVolume(dev, readSuper(dev, 'metadata'), (s) => lines.push(s));
    return { lines, problems };
  } finally {
    closeDevice(dev);
  }
}

test('an empty logs_root prints as none', () => {
  const w = vol.write();
  const { lines, problems } = print(w.meta);
  expect(problems).toBe(0);
  expect(lines).toContain('  logs_root: blkno=0 seq=0 height=0');
  expect(lines[lines.length - 1]).toBe('log btrees: none');
});

test('log btree records and their items, markers and seqs', () => {
  const f = vol.create(1n, 'f');
  const a = vol.log(0x1234n, 2n);
  a.flags = BigInt(LOG_TREES_FINALIZED);
  a.patch = (r) => (r.inode_count_delta = BigInt.asUintN(64, -3n));
  a.add(inodeKey(f), vol.find(inodeKey(f))!.value, 6n).marker(metaSeqKey(5n, f), 7n);
  vol.log(0x1234n, 3n);
  const w = vol.write();
  const { lines, problems } = print(w.meta);
  expect(problems).toBe(0);
  const logsRoot = w.logsRootBlocks[0];
  const leaf = w.logs[0].leaves[0];
  const at = lines.indexOf('log btrees:');
  expect(lines.slice(at, at + 4)).toEqual([
    'log btrees:',
    `  btree block ${logsRoot} level 0 items 2`,
    `    LOG_TREES.${0x1234n}.LOG_TREES.2.0.0 seq=7: log btree rid=0x0000000000001234 nr=2 ` +
      `get_trans_seq=7 commit_trans_seq=7 max_item_seq=7 inode_count_delta=-3 flags=0x1 (FINALIZED) ` +
      `item_root: blkno=${leaf} seq=7 height=1`,
    `    LOG_TREES.${0x1234n}.LOG_TREES.3.0.0 seq=7: log btree rid=0x0000000000001234 nr=3 ` +
      `get_trans_seq=7 commit_trans_seq=7 max_item_seq=0 inode_count_delta=0 flags=0x0 ` +
      `item_root: blkno=0 seq=0 height=0`,
  ]);
  const items = lines.indexOf('log btree rid 0x0000000000001234 nr 2 items:');
  expect(lines.slice(items, items + 4)).toEqual([
    'log btree rid 0x0000000000001234 nr 2 items:',
    `  btree block ${leaf} level 0 items 2`,
    `    INODE_INDEX.0.META_SEQ.5.${f}.0 seq=7: deletion marker`,
    expect.stringMatching(
      new RegExp(`^    FS\\.${f}\\.INODE\\.0\\.0\\.0 seq=6: inode mode=0100644 `),
    ),
  ]);
  expect(lines[lines.length - 1]).toBe('log btree rid 0x0000000000001234 nr 3 items:');
});
