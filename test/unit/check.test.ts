/*
 * scoutfs check on small volumes built in TS (check-volume.ts): clean
 * volumes pass, and each kind of damage is reported with its exact message.
 */
import * as fs from 'fs';
import * as path from 'path';
import execa from 'execa';
import {
  BlockRef,
  BtreeBlock,
  BtreeItem,
  Dirent,
  ExtentListBlock,
  FsItemType,
  Key,
  KeyZone,
} from '../../utils/src/gen/format';
import { FORMAT_HASH_HEX } from '../../utils/src/gen/hash';
import { nameHash } from '../../utils/src/lib/check';
import { dataSeqKey, inodeKey, key, keyString, metaSeqKey } from '../../utils/src/lib/key';
import { mkfs } from '../../utils/src/lib/mkfs';
import {
  check,
  patchMetaBlock,
  S_IFIFO,
  S_IFLNK,
  S_IFREG,
  SEQ,
  TOTAL_DATA,
  TOTAL_META,
  Volume,
  WriteOptions,
  Written,
} from './check-volume';

let vol: Volume;
beforeEach(() => {
  vol = Volume.temp();
});
afterEach(() => vol.dispose());

/* a volume with one of everything */
function rich(v: Volume): Record<string, bigint> {
  const d = v.mkdir(1n, 'dir');
  const sub = v.mkdir(d, 'sub');
  const f = v.create(d, 'file', 10000n, 3n);
  v.link(sub, 'hardlink', f);
  const sym = v.symlink(1n, 'long-link', 'x'.repeat(2000));
  const fifo = v.inode(v.nextIno++, S_IFIFO | 0o600);
  v.entry(1n, 'fifo', fifo, 1);
  v.xattr(f, 'user.small', 10);
  v.xattr(f, 'user.big', 5000);
  const gone = v.create(1n, 'tmp', 4096n, 1n);
  return { d, sub, f, sym, fifo, gone };
}

test('a clean rich volume, one leaf', () => {
  rich(vol);
  const r = check(vol.write());
  expect(r.problems).toEqual([]);
  expect(r.inodes).toBe(7);
  expect(r.btreeBlocks).toBe(1);
  expect(r.listBlocks).toBe(4);
  expect(r.dataBlocksUsed).toBe(4n);
  expect(r.freeDataBlocks).toBe(TOTAL_DATA - 64n - 4n);
  expect(r.freeMetaBlocks).toBe(TOTAL_META - 2n - 5n);
});

test('a clean rich volume, three levels, blocks in the freed lists', () => {
  rich(vol);
  const w = vol.write({
    fanout: 4,
    metaFreed: [{ blkno: 100n, len: 3n }],
    dataFreed: [{ blkno: 1000n, len: 10n }],
  });
  expect(w.treeBlocks.length).toBeGreaterThanOrEqual(3);
  const r = check(w);
  expect(r.problems).toEqual([]);
  expect(r.freeDataBlocks).toBe(TOTAL_DATA - 64n - 4n);
});

/*
 * Item damage on a small volume: root (1) holds file "f" (1024, 8192
 * bytes in 2 blocks at data block 64) and directory "d" (1025).
 */
function small(v: Volume): void {
  v.create(1n, 'f', 8192n, 2n);
  v.mkdir(1n, 'd');
}
const F = 1024n;
const D = 1025n;

type Damage = [string, (v: Volume) => WriteOptions | void, string[]];
const itemCases: Damage[] = [
  [
    'missing meta_seq index item',
    (v) => v.remove(metaSeqKey(SEQ, F)),
    ['inode 1024: no META_SEQ index item at its meta_seq 7'],
  ],
  [
    'a second meta_seq index item',
    (v) => v.add(metaSeqKey(3n, F), undefined, 3n),
    ['inode 1024: META_SEQ index item at seq 3, but its meta_seq is 7'],
  ],
  [
    'missing data_seq index item',
    (v) => v.remove(dataSeqKey(SEQ, F)),
    ['inode 1024: no DATA_SEQ index item at its data_seq 7'],
  ],
  [
    'a directory in the data_seq index',
    (v) => v.add(dataSeqKey(SEQ, D)),
    ['inode 1025: DATA_SEQ index item at seq 7, but it is a directory'],
  ],
  [
    'an index item without an inode',
    (v) => v.add(metaSeqKey(SEQ, 5000n)),
    ['inode 5000: META_SEQ index item at seq 7 but no INODE item'],
  ],
  [
    'an index item written in another transaction',
    (v) => (v.find(metaSeqKey(SEQ, F))!.seq = 6n),
    ['item INODE_INDEX.0.META_SEQ.7.1024.0: written at seq 6, before the transaction it indexes'],
  ],
  [
    'an inode item written in another transaction than its meta_seq',
    (v) => (v.find(inodeKey(F))!.seq = 6n),
    ['inode 1024: inode item written at seq 6, before its meta_seq 7'],
  ],
  [
    'a dirent without its readdir twin',
    (v) => v.remove(key(KeyZone.FS, 1n, FsItemType.READDIR, 2n)),
    ['directory 1 entry "f" (pos 2) has no READDIR item'],
  ],
  [
    'a readdir item without its dirent',
    (v) => v.remove(key(KeyZone.FS, 1n, FsItemType.DIRENT, nameHash(Buffer.from('f')), 2n)),
    [
      'directory 1 READDIR item at pos 2 ("f") has no DIRENT item',
      'inode 1: directory size 2, but its names hold 1 bytes',
      'inode 1024 LINK_BACKREF (directory 1, pos 2, "f") has no DIRENT item',
    ],
  ],
  [
    'readdir and dirent values differ',
    (v) => {
      const it = v.find(key(KeyZone.FS, 1n, FsItemType.READDIR, 2n))!;
      it.value = Uint8Array.from(it.value);
      it.value[24] = 4;
    },
    ['directory 1 entry "f" (pos 2): READDIR and DIRENT values differ'],
  ],
  [
    'a dirent without a backref on its target',
    (v) => v.remove(key(KeyZone.FS, F, FsItemType.LINK_BACKREF, 1n, 2n)),
    [
      'inode 1024: nlink 1, but 0 link backrefs',
      'directory 1 entry "f" (pos 2) names inode 1024, which has no LINK_BACKREF for it',
    ],
  ],
  [
    'a dirent whose target inode is missing',
    (v) => {
      v.remove(inodeKey(F));
      v.remove(metaSeqKey(SEQ, F));
      v.remove(dataSeqKey(SEQ, F));
      v.remove(key(KeyZone.FS, F, FsItemType.DATA_EXTENT, 1n, 2n));
    },
    [
      'directory 1 entry "f" (pos 2) names inode 1024, which has no INODE item',
      'inode 1024: 1 items (LINK_BACKREF) but no INODE item',
    ],
  ],
  [
    'a file with a wrong nlink',
    (v) => v.setInode(F, { nlink: 2 }),
    ['inode 1024: nlink 2, but 1 link backrefs'],
  ],
  [
    'a directory with a wrong nlink',
    (v) => v.setInode(1n, { nlink: 2 }),
    ['inode 1: directory nlink 2, but 2 + 1 subdirectories'],
  ],
  [
    'a directory with two names',
    (v) => {
      v.entry(D, 'loop', D, 4);
      v.setInode(D, { nlink: 3 });
    },
    ['inode 1025: a directory with 2 link backrefs, expected 1'],
  ],
  [
    'an unlinked inode without an orphan item',
    (v) => {
      const ino = v.inode(v.nextIno++, S_IFREG | 0o600, { nlink: 0 });
      void ino;
    },
    ['inode 1026: nlink 0 without an ORPHAN item'],
  ],
  ['an orphan item of a linked inode', (v) => v.orphan(F), ['inode 1024: ORPHAN item but nlink 1']],
  [
    'an orphan item without an inode',
    (v) => v.orphan(5000n),
    ['inode 5000: ORPHAN item but no INODE item'],
  ],
  [
    'items of an inode without an INODE item',
    (v) => v.add(key(KeyZone.FS, 1000n, FsItemType.XATTR, 1n, 1n, 1), new Uint8Array(10)),
    [
      'inode 1000 xattr (hash 0x1 id 1): part 1 without a first part',
      'inode 1000: 1 items (XATTR) but no INODE item',
    ],
  ],
  [
    'inode_count differs',
    () => ({ patchSuper: (sb) => (sb.inode_count = 5n) }),
    ['super block: inode_count 5, but the tree holds 3 inodes'],
  ],
  [
    'next_ino not above every inode',
    () => ({ patchSuper: (sb) => (sb.next_ino = 1025n) }),
    [
      "inode 1025: inode number is not below the super block's next_ino 1025",
      'super block: next_ino 1025 is not above the largest inode number 1025',
    ],
  ],
  [
    'a missing symlink part',
    (v) => {
      const s = v.symlink(1n, 'ln', 'y'.repeat(2000));
      v.remove(key(KeyZone.FS, s, FsItemType.SYMLINK, 1n));
    },
    [
      'inode 1026: symlink part 1 is missing (found part 2)',
      'inode 1026: symlink target is 1105 bytes in 2 parts, expected 2001 in 3',
    ],
  ],
  [
    'a missing xattr part in the middle and at the end',
    (v) => {
      const h = v.xattr(F, 'user.big', 5000);
      v.remove(key(KeyZone.FS, F, FsItemType.XATTR, h, 1n, 2));
      const h2 = v.xattr(F, 'trusted.x', 1000);
      v.remove(key(KeyZone.FS, F, FsItemType.XATTR, h2, 2n, 1));
    },
    [
      'inode 1024 xattr "user.big" (id 1): part 2 is missing',
      'inode 1024 xattr "trusted.x" (id 2): has 1 of its 2 parts',
    ],
  ],
  [
    'overlapping data extents',
    (v) => {
      v.extent(F, 1n, 1n, v.allocData(1n));
      v.setInode(F, { online_blocks: 3n });
    },
    ['inode 1024 extent [0, 1]: overlaps the previous extent, which ends at 1'],
  ],
  [
    'a written extent past the end of the file: preallocation a crash left, not a problem',
    (v) => v.setInode(F, { size: 4096n }),
    [],
  ],
  [
    'online_blocks differs from the extents',
    (v) => v.setInode(F, { online_blocks: 5n }),
    ['inode 1024: online_blocks 5, but its extents hold 2'],
  ],
  [
    'two files sharing a data block',
    (v) => {
      const g = v.create(1n, 'g', 4096n, 0n);
      v.extent(g, 0n, 1n, 65n);
      v.setInode(g, { online_blocks: 1n });
    },
    ['data blocks 65 are claimed twice: by inode 1024 extent [0, 1] and by inode 1026 extent 0'],
  ],
  [
    'a dirent under the wrong hash',
    (v) => {
      const k = key(KeyZone.FS, 1n, FsItemType.DIRENT, nameHash(Buffer.from('f')), 2n);
      const it = v.find(k)!;
      it.key = { ...k, second: 5n };
    },
    ['directory 1 entry "f" (pos 2): filed under hash 0x5, its value says 0xaf63db4c8601ead9'],
  ],
  [
    "an entry whose type is not its inode's",
    (v) => {
      for (const t of [FsItemType.DIRENT, FsItemType.READDIR, FsItemType.LINK_BACKREF]) {
        const it = v.items.find(
          (i) => i.key.type === t && i.key.third >= 0n && Dirent.decode(i.value).ino === F,
        )!;
        it.value = Uint8Array.from(it.value);
        it.value[24] = 1;
      }
    },
    ['directory 1 entry "f" (pos 2): type 1, but inode 1024 is a regular file'],
  ],
  [
    'a deletion marker',
    (v) => v.add(key(KeyZone.FS, F, FsItemType.SYMLINK, 0n), undefined, SEQ, 1),
    ['item FS.1024.SYMLINK.0.0.0: a deletion marker in the fs btree'],
  ],
  [
    'an unknown key zone',
    (v) => v.add(key(12, 0n, 4)),
    ['item zone12.0.type4.0.0.0: unknown key zone 12'],
  ],
  [
    'an item newer than the super block',
    (v) => v.add(metaSeqKey(9n, 5000n), undefined, 9n),
    [
      "btree block 2 item 3 (INODE_INDEX.0.META_SEQ.9.5000.0): item seq 9 was never handed out (the super block's next seq is 8)",
      'inode 5000: META_SEQ index item at seq 9 but no INODE item',
    ],
  ],
];

test.each(itemCases)('%s', (_name, damage, want) => {
  small(vol);
  const opts = damage(vol) ?? {};
  expect(check(vol.write(opts)).problems).toEqual(want);
});

/*
 * Block damage.  small() with fanout 4 makes a two-level tree: leaves
 * 2..5 under parent 6; extent lists at 7 (meta_free), 8 (meta_freed),
 * 9 (data_free), 10 (data_freed).
 */
const ONES = 'zone255.18446744073709551615.type255.18446744073709551615.18446744073709551615.255';
const SKIPPED =
  'the leak checks of both devices were skipped: not every btree block or extent list could be read';

function twoLevel(v: Volume, o: WriteOptions = {}): Written {
  small(v);
  const w = v.write({ fanout: 4, ...o });
  expect(w.treeBlocks).toEqual([[6n], [2n, 3n, 4n, 5n]]);
  expect(w.listBlocks).toEqual([7n, 8n, 9n, 10n]);
  return w;
}

const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const itemOff = (i: number) => BtreeBlock.SIZE + i * BtreeItem.SIZE;
/* rewrite item i's key of a btree block */
function setKey(b: Uint8Array, i: number, k: Key): void {
  const h = BtreeItem.decode(b, itemOff(i));
  BtreeItem.encode({ ...h, key: k }, b, itemOff(i));
}
function getKey(b: Uint8Array, i: number): Key {
  return BtreeItem.decode(b, itemOff(i)).key;
}
function readBlock(meta: string, blkno: bigint): Uint8Array {
  let out = new Uint8Array(0);
  patchMetaBlock(meta, blkno, (b) => (out = Uint8Array.from(b)), false);
  return out;
}
/* set a parent item's block reference */
function setRef(b: Uint8Array, i: number, ref: { blkno: bigint; seq: bigint }): void {
  const h = BtreeItem.decode(b, itemOff(i));
  BlockRef.encode(ref, b, h.val_off);
}

test('a btree block with a bad checksum', () => {
  const w = twoLevel(vol);
  patchMetaBlock(w.meta, 3n, (b) => (b[1000] ^= 1), false);
  const p = check(w).problems;
  expect(p[0]).toMatch(
    /^btree block 3 \(referenced by btree block 6 item 1\): bad checksum \(stored 0x[0-9a-f]+, computed 0x[0-9a-f]+\)$/,
  );
  expect(p).toContain(SKIPPED);
  expect(p.some((l) => /leaked/.test(l))).toBe(false);
});

test.each<[string, (w: Written) => void, string[]]>([
  [
    'a wrong magic',
    (w) => patchMetaBlock(w.meta, 4n, (b) => dv(b).setUint32(4, 0x12345678, true)),
    [
      'btree block 4 (referenced by btree block 6 item 2): bad magic 0x12345678 (expected 0xe597f96d)',
    ],
  ],
  [
    'a stale reference (seq)',
    (w) => patchMetaBlock(w.meta, 6n, (b) => setRef(b, 0, { blkno: 2n, seq: 6n })),
    ["btree block 2 (referenced by btree block 6 item 0): seq 7 differs from the reference's 6"],
  ],
  [
    'a block at another place than it claims',
    (w) => {
      const leaf = readBlock(w.meta, 2n);
      patchMetaBlock(w.meta, 500n, (b) => b.set(leaf), false);
      patchMetaBlock(w.meta, 6n, (b) => setRef(b, 0, { blkno: 500n, seq: SEQ }));
    },
    ['btree block 500 (referenced by btree block 6 item 0): block claims blkno 2, read at 500'],
  ],
  [
    'a wrong level',
    (w) => patchMetaBlock(w.meta, 2n, (b) => (b[BtreeBlock.OFFSETS.level] = 1)),
    ['btree block 2: level 1, expected 0'],
  ],
  [
    'no items',
    (w) => patchMetaBlock(w.meta, 2n, (b) => dv(b).setUint32(BtreeBlock.OFFSETS.nr_items, 0, true)),
    ['btree block 2: item count 0 is not 1..1364'],
  ],
  [
    'a reference outside the device',
    (w) => patchMetaBlock(w.meta, 6n, (b) => setRef(b, 0, { blkno: 5000n, seq: SEQ })),
    [
      'btree block 5000 (referenced by btree block 6 item 0) is outside the metadata blocks [2, 1023]',
    ],
  ],
  [
    'a block referenced twice',
    (w) => patchMetaBlock(w.meta, 6n, (b) => setRef(b, 1, { blkno: 2n, seq: SEQ })),
    ['btree block 2 (referenced by btree block 6 item 1) is referenced a second time'],
  ],
])('a btree block with %s', (_n, damage, want) => {
  const w = twoLevel(vol);
  damage(w);
  const p = check(w).problems;
  expect(p.slice(0, want.length)).toEqual(want);
  expect(p).toContain(SKIPPED);
});

test('keys out of order in a leaf', () => {
  const w = twoLevel(vol);
  const b = readBlock(w.meta, 2n);
  const k0 = getKey(b, 0);
  const k1 = getKey(b, 1);
  patchMetaBlock(w.meta, 2n, (b) => {
    setKey(b, 0, k1);
    setKey(b, 1, k0);
  });
  expect(check(w).problems.slice(0, 1)).toEqual([
    `btree block 2 item 1 (${keyString(k0)}): key is not above the previous item's`,
  ]);
});

test("keys above their parent's bound, and a last parent key that is not the bound", () => {
  const w = twoLevel(vol);
  const leaf = readBlock(w.meta, 2n);
  const last = getKey(readBlock(w.meta, 5n), 1);
  patchMetaBlock(w.meta, 6n, (b) => {
    setKey(b, 0, getKey(leaf, 1));
    setKey(b, 3, last);
  });
  expect(check(w).problems.slice(0, 3)).toEqual([
    `btree block 2 item 2 (${keyString(getKey(leaf, 2))}): key is above its parent's bound ${keyString(getKey(leaf, 1))}`,
    `btree block 2 item 3 (${keyString(getKey(leaf, 3))}): key is above its parent's bound ${keyString(getKey(leaf, 1))}`,
    `btree block 6 item 3 (${keyString(last)}): the last item of a parent is not its bound ${ONES}`,
  ]);
});

test.each<[string, WriteOptions, string[]]>([
  [
    'a leaked metadata block range',
    { leakMeta: [{ blkno: 500n, len: 2n }] },
    ['metadata blocks [500, 501] are leaked: neither in use nor free'],
  ],
  [
    'a leaked data block',
    { leakData: [{ blkno: 100n, len: 1n }] },
    ['data blocks 100 are leaked: neither in use nor free'],
  ],
  [
    'a btree block also freed',
    { metaFreed: [{ blkno: 2n, len: 1n }] },
    ['metadata blocks 2 are claimed twice: by meta_freed extent 2 and by btree block 2'],
  ],
  [
    'data blocks in use and freed',
    { dataFreed: [{ blkno: 64n, len: 1n }] },
    ['data blocks 64 are claimed twice: by data_freed extent 64 and by inode 1024 extent [0, 1]'],
  ],
  [
    'a free extent past the end of the device',
    { dataFreed: [{ blkno: TOTAL_DATA - 1n, len: 4n }] },
    [
      "data blocks [4095, 4098] of data_freed extent [4095, 4098] are outside the device's 4 KiB blocks [64, 4095]",
    ],
  ],
  [
    'a root whose extent count is wrong',
    { patchSuper: (sb) => (sb.meta_free.nr_extents = 5n) },
    ['meta_free extent list holds 1 extents, the super block says 5'],
  ],
  [
    'a root whose free total is wrong',
    { patchSuper: (sb) => (sb.data_free.total_free += 1n) },
    ['data_free extent list holds 4030 free blocks, the super block says 4031'],
  ],
])('allocators: %s', (_n, o, want) => {
  small(vol);
  expect(check(vol.write(o)).problems).toEqual(want);
});

test('allocators: an extent list block with a bad checksum, and a chain that loops', () => {
  const w = twoLevel(vol);
  patchMetaBlock(w.meta, 7n, (b) => (b[200] ^= 1), false);
  const p = check(w).problems;
  expect(p[0]).toMatch(/^meta_free extent list block 7: bad checksum/);
  expect(p).toContain(SKIPPED);
  patchMetaBlock(w.meta, 7n, (b) => {
    b[200] ^= 1;
    BlockRef.encode({ blkno: 7n, seq: SEQ }, b, ExtentListBlock.OFFSETS.next);
  });
  expect(check(w).problems).toEqual([
    'meta_free extent list block 7 is reached a second time: the chain loops',
    SKIPPED,
  ]);
});

test('super blocks: format hash, swapped and foreign devices, checksum, geometry, blank device', () => {
  small(vol);
  const w = vol.write({ patchSuper: (sb) => (sb.format_hash = 1n) });
  expect(check(w).problems).toEqual([
    `metadata device super block: format hash 0000000000000001 differs from these utilities' ${FORMAT_HASH_HEX}`,
  ]);

  const good = vol.write();
  expect(check({ meta: good.data, data: good.meta }).problems).toEqual([
    'metadata device super block: this is a data device (no META_DEV flag); are the devices swapped?',
    'data device super block: this is a metadata device (META_DEV flag); are the devices swapped?',
  ]);

  const other = Volume.temp();
  try {
    fs.writeFileSync(path.join(other.dir, 'm'), '');
    fs.truncateSync(path.join(other.dir, 'm'), 64 << 20);
    fs.writeFileSync(path.join(other.dir, 'd'), '');
    fs.truncateSync(path.join(other.dir, 'd'), 16 << 20);
    mkfs({
      metaPath: path.join(other.dir, 'm'),
      dataPath: path.join(other.dir, 'd'),
      quorum: [{ nr: 0, addr: '127.0.0.1', port: 1 }],
      force: true,
      fsid: 5n,
      uuid: new Uint8Array(16).fill(1),
    });
    expect(check({ meta: good.meta, data: path.join(other.dir, 'd') }).problems).toEqual([
      "the data device belongs to another filesystem: fsid 0000000000000005 uuid 01010101010101010101010101010101, the metadata device's fsid 1122334455667788 uuid 07070707070707070707070707070707",
    ]);
    expect(check({ meta: path.join(other.dir, 'd'), data: good.data }).problems[0]).toBe(
      'metadata device super block: this is a data device (no META_DEV flag); are the devices swapped?',
    );
  } finally {
    other.dispose();
  }

  const big = vol.write({ patchSuper: (sb) => (sb.total_meta_blocks = 5000n) });
  expect(check(big).problems).toEqual([
    'metadata device super block: total_meta_blocks 5000, the metadata device holds 1024',
  ]);

  const crc = vol.write();
  const fd = fs.openSync(crc.meta, 'r+');
  fs.writeSync(fd, Buffer.from([0xff]), 0, 1, 65536 + 300);
  fs.closeSync(fd);
  expect(check(crc).problems[0]).toMatch(
    /^metadata device super block: bad checksum \(stored 0x[0-9a-f]+, computed 0x[0-9a-f]+\)$/,
  );

  fs.writeFileSync(crc.meta, '');
  fs.truncateSync(crc.meta, 64 << 20);
  expect(check(crc).problems).toEqual([
    'metadata device super block: not found (magic 0x0); not a scoutfs metadata device',
  ]);
});

describe('the scoutfs check command', () => {
  const CLI = path.resolve(__dirname, '../../bin/scoutfs');
  const run = (...args: string[]) => execa('node', [CLI, 'check', ...args], { reject: false });
  beforeAll(() => {
    if (!fs.existsSync(path.resolve(__dirname, '../../build/utils/src/cmd/check.js')))
      throw new Error('run `npm run build` before these tests');
  });

  test('clean: exit 0 and the summary', async () => {
    small(vol);
    const w = vol.write();
    const r = await run(w.meta, w.data);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      'checked 3 inodes, 14 items, 5 metadata blocks (1 btree, 4 extent list, 1017 free), 2 data blocks in use (4030 free): clean',
    );
    expect(r.exitCode).toBe(0);
  });

  test('problems: one line each, then the summary; exit 1', async () => {
    small(vol);
    vol.setInode(F, { nlink: 3 });
    const w = vol.write({ leakData: [{ blkno: 70n, len: 3n }] });
    const r = await run(w.meta, w.data);
    expect(r.stdout.split('\n')).toEqual([
      'inode 1024: nlink 3, but 1 link backrefs',
      'data blocks [70, 72] are leaked: neither in use nor free',
      'checked 3 inodes, 14 items, 5 metadata blocks (1 btree, 4 extent list, 1017 free), 2 data blocks in use (4027 free): 2 problems found',
    ]);
    expect(r.exitCode).toBe(1);
  });

  test('usage and I/O errors: exit 2', async () => {
    const missing = path.join(vol.dir, 'nope.img');
    const r = await run(missing, missing);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe(
      `scoutfs check: metadata device '${missing}' does not exist (create a file with e.g. 'truncate -s 64G ${missing}', or name a block device)`,
    );
    const u = await run();
    expect(u.exitCode).toBe(2);
    expect(u.stderr).toContain('Not enough non-option arguments');
  });
});

test('states a crash may leave are clean: an orphan half deleted, an interrupted truncate, unwritten blocks past EOF', () => {
  small(vol);
  /* unlinked while open, then its deletion was cut short: items gone, counters stale */
  const o = vol.inode(vol.nextIno++, S_IFREG | 0o600, {
    nlink: 0,
    size: 100000n,
    online_blocks: 20n,
  });
  vol.orphan(o);
  vol.extent(o, 10n, 2n, vol.allocData(2n));
  const s = vol.inode(vol.nextIno++, S_IFLNK | 0o777, { nlink: 0, size: 2000n });
  vol.orphan(s);
  vol.add(key(KeyZone.FS, s, FsItemType.SYMLINK, 2n), new Uint8Array(209));
  vol.add(key(KeyZone.FS, s, FsItemType.XATTR, 5n, 1n, 3), new Uint8Array(20));
  /* an O_TMPFILE never linked */
  vol.orphan(vol.inode(vol.nextIno++, S_IFREG | 0o600, { nlink: 0 }));
  /* a shrinking truncate recorded its size but not yet freed the extents past it */
  const t = vol.create(1n, 'trunc', 100n, 3n);
  vol.setInode(t, { flags: 1 });
  /* fallocate KEEP_SIZE */
  const k = vol.create(1n, 'keep', 10n, 1n);
  vol.extent(k, 1n, 5n, vol.allocData(5n), 2);
  vol.setInode(k, { online_blocks: 6n });
  expect(check(vol.write({ fanout: 3 })).problems).toEqual([]);
});
