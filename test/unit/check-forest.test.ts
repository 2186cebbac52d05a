/*
 * scoutfs check on volumes with log btrees (the forest, format/forest.ts):
 * logs_root and every log btree are walked and accounted, and the items
 * checked are the merged view (per key the greatest seq; a deletion
 * marker hides the key).
 */
import {
  BtreeBlock,
  BtreeItem,
  Dirent,
  InodeItem,
  Key,
  ITEM_FLAG_DELETION,
  KeyZone,
  LogTreesItemType,
  LOG_TREES_FINALIZED,
  OrphanItemType,
} from '../../utils/src/gen/format';
import { dataSeqKey, inodeKey, key, keyString, metaSeqKey } from '../../utils/src/lib/key';
import { check, patchMetaBlock, SEQ, Volume } from './check-volume';

const RID = 0xabcdef0123456789n;
const LOG = `log btree rid 0x${RID.toString(16)}`;

let vol: Volume;
beforeEach(() => {
  vol = Volume.temp();
});
afterEach(() => vol.dispose());

const empty = new Uint8Array(0);
const orphanKey = (ino: bigint) => key(KeyZone.ORPHAN, 0n, OrphanItemType.ORPHAN, ino);

/* a directory with files, hard links, an xattr and a symlink, all in the fs btree */
function populate(v: Volume): { d: bigint; f: bigint; g: bigint } {
  const d = v.mkdir(1n, 'dir');
  const f = v.create(d, 'file', 10000n, 3n);
  const g = v.create(1n, 'other', 0n);
  v.link(d, 'hardlink', g);
  v.xattr(f, 'user.x', 100);
  v.symlink(d, 'sym', 'target');
  return { d, f, g };
}

/*
 * Move a regular file's inode to an older version in the fs btree (at
 * `old`) and put its current version, written at SEQ, into `log`, with
 * markers for the old index items.
 */
function newerInLog(v: Volume, ino: bigint, old: bigint, markers = true) {
  const log = v.log(RID, 1n);
  const cur = v.find(inodeKey(ino))!;
  const i = InodeItem.decode(cur.value);
  v.remove(inodeKey(ino));
  v.remove(metaSeqKey(i.meta_seq, ino));
  v.remove(dataSeqKey(i.data_seq, ino));
  v.add(
    inodeKey(ino),
    InodeItem.encode({ ...i, meta_seq: old, data_seq: old, size: 1n, online_blocks: 99n }),
    old,
  );
  v.add(metaSeqKey(old, ino), empty, old);
  v.add(dataSeqKey(old, ino), empty, old);
  log.add(inodeKey(ino), cur.value, SEQ);
  log.add(metaSeqKey(SEQ, ino), empty, SEQ);
  log.add(dataSeqKey(SEQ, ino), empty, SEQ);
  if (markers) log.marker(metaSeqKey(old, ino)).marker(dataSeqKey(old, ino));
  return log;
}

test('an empty logs_root (as mkfs writes it) is clean', () => {
  populate(vol);
  const w = vol.write();
  expect(w.sb.logs_root.height).toBe(0);
  expect(w.sb.logs_root.ref.blkno).toBe(0n);
  const r = check(w);
  expect(r.problems).toEqual([]);
  expect(r.btreeBlocks).toBe(1);
});

test('a log btree with an empty item_root is clean; its logs_root block is counted', () => {
  populate(vol);
  vol.log(RID, 0n);
  const w = vol.write();
  expect(w.logsRootBlocks).toHaveLength(1);
  const r = check(w);
  expect(r.problems).toEqual([]);
  expect(r.btreeBlocks).toBe(2);
});

test('the newer seq wins: an inode and its index items updated in a log btree', () => {
  const { f } = populate(vol);
  newerInLog(vol, f, 3n);
  const w = vol.write();
  const r = check(w);
  expect(r.problems).toEqual([]);
  /* fs btree leaf, logs_root leaf, log btree leaf */
  expect(r.btreeBlocks).toBe(3);
  expect(BigInt(r.inodes)).toBe(vol.inodeCount());
  expect(r.items).toBe(vol.merged().length);
});

test('without the markers, the old index items are still there', () => {
  const { f } = populate(vol);
  newerInLog(vol, f, 3n, false);
  const r = check(vol.write());
  expect(r.problems).toEqual([
    `inode ${f}: META_SEQ index item at seq 3, but its meta_seq is 7`,
    `inode ${f}: DATA_SEQ index item at seq 3, but its data_seq is 7`,
  ]);
});

test('a newer copy in the fs btree wins over an older one in a log btree', () => {
  const { f } = populate(vol);
  const cur = vol.find(inodeKey(f))!;
  const i = InodeItem.decode(cur.value);
  /* an older, wrong version in the log: it must not be seen */
  vol.log(RID, 1n).add(inodeKey(f), InodeItem.encode({ ...i, nlink: 5, size: 3n }), 2n);
  const r = check(vol.write());
  expect(r.problems).toEqual([]);
});

test('a deletion marker in a log btree hides the fs btree item', () => {
  const { g } = populate(vol);
  /* a linked inode with an orphan item (from an older transaction): a problem, unless hidden */
  vol.add(orphanKey(g), empty, 5n);
  const bad = check(vol.write());
  expect(bad.problems).toEqual([`inode ${g}: ORPHAN item but nlink 2`]);
  vol.log(RID, 1n).marker(orphanKey(g));
  const r = check(vol.write());
  expect(r.problems).toEqual([]);
  expect(r.items).toBe(bad.items - 1);
});

test('a whole file removed by markers in two log btrees', () => {
  const { d, f } = populate(vol);
  const gone = vol.items.filter(
    (it) =>
      (it.key.zone === KeyZone.FS && it.key.first === f) ||
      (it.key.zone === KeyZone.INODE_INDEX && it.key.third === f) ||
      (it.key.zone === KeyZone.FS &&
        it.key.first === d &&
        it.value.length > Dirent.SIZE &&
        Buffer.from(it.value.subarray(Dirent.SIZE)).toString('latin1') === 'file'),
  );
  expect(gone.length).toBe(8);
  /* the file's items were written by an older transaction (5) */
  vol.setInode(f, { meta_seq: 5n, data_seq: 5n });
  for (const it of gone) {
    it.seq = 5n;
    if (it.key.zone === KeyZone.INODE_INDEX) it.key = { ...it.key, second: 5n };
  }
  const a = vol.log(RID, 1n);
  const b = vol.log(RID + 1n, 0n);
  gone.forEach((it, n) => (n % 2 ? a : b).marker(it.key, SEQ));
  /* the directory's new version hides its old size */
  const di = InodeItem.decode(vol.find(inodeKey(d))!.value);
  vol.setInode(d, { meta_seq: 5n, size: di.size + 99n });
  vol.remove(metaSeqKey(SEQ, d));
  vol.add(metaSeqKey(5n, d), empty, 5n);
  vol.find(inodeKey(d))!.seq = 5n;
  b.add(inodeKey(d), InodeItem.encode({ ...di, size: di.size - 4n }), SEQ);
  b.marker(metaSeqKey(5n, d));
  b.add(metaSeqKey(SEQ, d), empty, SEQ);
  const r = check(vol.write({ fanout: 3 }));
  expect(r.problems).toEqual([]);
  expect(BigInt(r.inodes)).toBe(vol.inodeCount());
});

test('a deletion marker with nothing under it is fine', () => {
  populate(vol);
  vol.log(RID, 1n).marker(inodeKey(99999n)).marker(metaSeqKey(5n, 99999n));
  const r = check(vol.write());
  expect(r.problems).toEqual([]);
});

test('equal seqs with identical copies are fine and counted once', () => {
  populate(vol);
  const before = check(vol.write());
  const log = vol.log(RID, 1n);
  log.flags = BigInt(LOG_TREES_FINALIZED);
  for (const it of vol.items) log.add(it.key, it.value, it.seq, it.flags);
  const r = check(vol.write({ fanout: 4 }));
  expect(r.problems).toEqual([]);
  expect(r.items).toBe(before.items);
  expect(r.inodes).toBe(before.inodes);
});

test('equal seqs with different copies are a problem', () => {
  const { g } = populate(vol);
  const i = InodeItem.decode(vol.find(inodeKey(g))!.value);
  vol.log(RID, 2n).add(inodeKey(g), InodeItem.encode({ ...i, uid: 5 }), SEQ);
  const r = check(vol.write());
  expect(r.problems).toEqual([
    `item ${keyString(inodeKey(g))}: seq 7 in both the fs btree and ${LOG} nr 2, with different contents`,
  ]);
});

test('equal seqs, a marker against an item, are a problem', () => {
  const { g } = populate(vol);
  vol.orphan(g);
  vol.log(RID, 2n).marker(orphanKey(g), SEQ);
  const r = check(vol.write());
  expect(r.problems).toEqual([
    `item ${keyString(orphanKey(g))}: seq 7 in both the fs btree and ${LOG} nr 2, with different contents`,
  ]);
});

test('items spread over the fs btree and three log btrees, many leaves, merge clean', () => {
  const d = vol.mkdir(1n, 'd');
  for (let n = 0; n < 60; n++) vol.create(n % 2 ? d : 1n, `f${n}`, 4096n, 1n);
  const all = [...vol.items];
  const logs = [vol.log(RID, 0n), vol.log(RID, 1n), vol.log(2n, 7n)];
  /* every third item moves to a log, every fifth is also left in the fs btree (a tie) */
  vol.items = [];
  all.forEach((it, n) => {
    if (n % 3 === 0) {
      logs[(n / 3) % logs.length].add(it.key, it.value, it.seq);
      if (n % 5 === 0) vol.items.push(it);
    } else vol.items.push(it);
  });
  const w = vol.write({ fanout: 4 });
  expect(w.logs.every((l) => l.leaves.length > 1)).toBe(true);
  const r = check(w);
  expect(r.problems).toEqual([]);
  expect(r.items).toBe(all.length);
  expect(r.inodes).toBe(62);
  expect(r.btreeBlocks).toBe(
    w.treeBlocks.flat().length + w.logs.flatMap((l) => l.blocks).length + 1,
  );
});

test('a deletion marker in the fs btree is a problem', () => {
  const { g } = populate(vol);
  vol.add(key(KeyZone.FS, g, 99), empty, SEQ, ITEM_FLAG_DELETION);
  const r = check(vol.write());
  expect(r.problems).toEqual([`item FS.${g}.type99.0.0.0: a deletion marker in the fs btree`]);
});

test('a deletion marker with a value in a log btree is a problem', () => {
  populate(vol);
  vol.log(RID, 1n).add(inodeKey(5000n), new Uint8Array(8), SEQ, ITEM_FLAG_DELETION);
  const w = vol.write();
  const r = check(w);
  expect(r.problems).toEqual([
    `${LOG} nr 1: btree block ${w.logs[0].leaves[0]} item 0 (${keyString(inodeKey(5000n))}): a deletion marker with a 8 byte value`,
  ]);
});

test('a log btree block also in a free list is a problem', () => {
  populate(vol);
  vol.log(RID, 1n).marker(inodeKey(5000n));
  const leaf = vol.write().logs[0].leaves[0];
  const r = check(vol.write({ metaFreed: [{ blkno: leaf, len: 1n }] }));
  expect(r.problems).toEqual([
    `metadata blocks ${leaf} are claimed twice: by meta_freed extent ${leaf} and by ${LOG} nr 1: btree block ${leaf}`,
  ]);
});

test('a logs_root block also in a free list is a problem', () => {
  populate(vol);
  vol.log(RID, 1n);
  const blk = vol.write().logsRootBlocks[0];
  const r = check(vol.write({ metaFreed: [{ blkno: blk, len: 1n }] }));
  expect(r.problems).toEqual([
    `metadata blocks ${blk} are claimed twice: by meta_freed extent ${blk} and by logs_root: btree block ${blk}`,
  ]);
});

test('a log btree block shared with the fs btree is a problem', () => {
  populate(vol);
  const log = vol.log(RID, 1n);
  log.patch = (r) => (r.item_root = { ref: { blkno: 2n, seq: SEQ }, height: 1 });
  const w = vol.write();
  const r = check(w);
  expect(r.problems).toContain(
    `${LOG} nr 1: btree block 2 (referenced by root) is referenced a second time`,
  );
});

test('a damaged log btree leaf is reported with its tree', () => {
  populate(vol);
  vol.log(RID, 3n).marker(inodeKey(5000n));
  const w = vol.write();
  const leaf = w.logs[0].leaves[0];
  patchMetaBlock(w.meta, leaf, (b) => (b[300] ^= 1), false);
  const r = check(w);
  expect(r.problems[0]).toMatch(
    new RegExp(`^${LOG} nr 3: btree block ${leaf} \\(referenced by root\\): bad checksum`),
  );
  expect(r.problems).toContain(
    'the leak checks of both devices were skipped: not every btree block or extent list could be read',
  );
});

test('a bad LogTrees record is a problem', () => {
  populate(vol);
  const log = vol.log(RID, 1n);
  log.flags = 2n;
  const r = check(vol.write());
  expect(r.problems).toEqual([
    `${LOG} nr 1: flags has bits outside LOG_TREES_FINALIZED (0x1), found 2`,
  ]);
});

test("a LogTrees record whose rid and nr are not its key's is a problem", () => {
  populate(vol);
  vol.log(RID, 1n).patch = (r) => (r.nr = 9n);
  const r = check(vol.write());
  expect(r.problems).toEqual([
    `${LOG} nr 1: its record says rid 0x${RID.toString(16)} nr 9, not its key's`,
  ]);
});

test('a LogTrees record with a bad item_root is a problem', () => {
  populate(vol);
  vol.log(RID, 1n).patch = (r) => (r.item_root = { ref: { blkno: 77n, seq: 0n }, height: 0 });
  const r = check(vol.write());
  expect(r.problems).toEqual([`${LOG} nr 1: item_root has height 0 but references block 77`]);
});

test('an item in logs_root that is not a LOG_TREES key is a problem', () => {
  populate(vol);
  vol.log(RID, 1n);
  const w = vol.write();
  const blk = w.logsRootBlocks[0];
  /* the first item's key type */
  patchMetaBlock(
    w.meta,
    blk,
    (b) =>
      (b[BtreeBlock.SIZE + BtreeItem.OFFSETS.key + Key.OFFSETS.type] =
        LogTreesItemType.LOG_TREES + 1),
  );
  const r = check(w);
  expect(r.problems).toEqual([
    `logs_root: btree block ${blk} item 0 (LOG_TREES.${RID}.type5.1.0.0): not a LOG_TREES key`,
  ]);
});
