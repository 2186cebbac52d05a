/*
 * Small consistent volumes for the checker tests, built in TS: the
 * utilities' mkfs writes the super blocks and quorum blocks, then this
 * writes an fs btree (several levels if asked) holding the items the test
 * describes, extent lists that free exactly the blocks nothing uses, and
 * the super block pointing at all of it.  Tests then damage the items
 * before writing, or the bytes after.
 *
 * Log btrees (the forest): log(rid, nr) adds one, whose items (deletion
 * markers too) are written into a btree of its own after the fs btree's
 * and the extent lists' blocks, followed by logs_root holding a LogTrees
 * record for each; with none, logs_root is empty as mkfs leaves it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  BLOCK_LG_SIZE,
  BLOCK_SM_SIZE,
  BlockMagic,
  BlockRef,
  BtreeBlock,
  DataExtent,
  Dirent,
  ExtentListBlock,
  ExtentListRoot,
  FreeExtent,
  FsItemType,
  BtreeRoot,
  InodeItem,
  ITEM_FLAG_DELETION,
  Key,
  KeyZone,
  LogTrees,
  LogTreesItemType,
  OrphanItemType,
  SUPER_BLKNO,
  SuperBlock,
  XattrHdr,
} from '../../utils/src/gen/format';
import { buildLeaf, Item } from '../../utils/src/lib/btree';
import { sealBlock } from '../../utils/src/lib/crc';
import { closeDevice, openDevice } from '../../utils/src/lib/device';
import { checkVolume, CheckReport, nameHash } from '../../utils/src/lib/check';
import { dataSeqKey, inodeKey, key, keyString, metaSeqKey } from '../../utils/src/lib/key';
import { mkfs } from '../../utils/src/lib/mkfs';

export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
export const S_IFIFO = 0o010000;
export const FSID = 0x1122334455667788n;
/* the seq of the transaction every item and block was written in */
export const SEQ = 7n;
const ONES: Key = {
  zone: 0xff,
  first: 2n ** 64n - 1n,
  type: 0xff,
  second: 2n ** 64n - 1n,
  third: 2n ** 64n - 1n,
  fourth: 0xff,
};
const META_BYTES = 64n << 20n;
const DATA_BYTES = 16n << 20n;
export const TOTAL_META = META_BYTES >> 16n;
export const TOTAL_DATA = DATA_BYTES >> 12n;

const ts = { sec: 1700000000n, nsec: 5 };

export interface WriteOptions {
  /* at most this many items per leaf and children per parent (default: one leaf) */
  fanout?: number;
  /* these extents go to meta_freed / data_freed instead of the free lists */
  metaFreed?: FreeExtent[];
  dataFreed?: FreeExtent[];
  /* blocks taken out of the free lists: leaked */
  leakMeta?: FreeExtent[];
  leakData?: FreeExtent[];
  /* change the super block before it is written */
  patchSuper?: (sb: SuperBlock) => void;
}

/* One log btree: its items and what its LogTrees record says. */
export class LogSpec {
  items: Item[] = [];
  /* LogTrees.flags */
  flags = 0n;
  /* change the record before it is written */
  patch?: (r: LogTrees) => void;
  constructor(
    readonly rid: bigint,
    readonly nr: bigint,
  ) {}

  add(k: Key, value: Uint8Array = new Uint8Array(0), seq = SEQ, flags = 0): this {
    this.items.push({ key: k, seq, flags, value });
    return this;
  }

  /* a deletion marker */
  marker(k: Key, seq = SEQ): this {
    return this.add(k, new Uint8Array(0), seq, ITEM_FLAG_DELETION);
  }
}

export interface WrittenLog {
  rid: bigint;
  nr: bigint;
  /* the log btree's blocks, root first */
  blocks: bigint[];
  leaves: bigint[];
}

export interface Written {
  meta: string;
  data: string;
  sb: SuperBlock;
  /* blknos of the tree's blocks: root first, then by level, leaves last */
  treeBlocks: bigint[][];
  leaves: bigint[];
  listBlocks: bigint[];
  logs: WrittenLog[];
  /* logs_root's blocks, root first */
  logsRootBlocks: bigint[];
}

export class Volume {
  items: Item[] = [];
  logs: LogSpec[] = [];
  private index = new Map<string, Item>();
  nextIno = 1024n;
  nextData = 64n;
  constructor(
    readonly dir: string,
    readonly metaBytes = META_BYTES,
    readonly dataBytes = DATA_BYTES,
  ) {
    this.inode(1n, S_IFDIR | 0o755, { nlink: 2 });
  }

  static temp(metaBytes?: bigint, dataBytes?: bigint): Volume {
    return new Volume(
      fs.mkdtempSync(path.join(os.tmpdir(), 'scoutfs-check-')),
      metaBytes,
      dataBytes,
    );
  }

  dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  add(k: Key, value: Uint8Array = new Uint8Array(0), seq = SEQ, flags = 0): void {
    const it = { key: k, seq, flags, value };
    this.items.push(it);
    this.index.set(keyString(k), it);
  }

  /* the item with this key (its key must not have been edited since it was added) */
  find(k: Key): Item | undefined {
    const it = this.index.get(keyString(k));
    return it && keyEq(it.key, k) ? it : this.items.find((i) => keyEq(i.key, k));
  }

  remove(k: Key): void {
    const n = this.items.length;
    this.index.delete(keyString(k));
    this.items = this.items.filter((i) => !keyEq(i.key, k));
    if (this.items.length !== n - 1)
      throw new Error(
        `no item ${JSON.stringify(k, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`,
      );
  }

  getInode(ino: bigint): InodeItem {
    return InodeItem.decode(this.find(inodeKey(ino))!.value);
  }

  setInode(ino: bigint, patch: Partial<InodeItem>): void {
    const it = this.find(inodeKey(ino))!;
    it.value = InodeItem.encode({ ...InodeItem.decode(it.value), ...patch });
  }

  inode(ino: bigint, mode: number, patch: Partial<InodeItem> = {}): bigint {
    const item: InodeItem = {
      ...InodeItem.zero(),
      meta_seq: SEQ,
      data_seq: (mode & 0o170000) === S_IFREG ? SEQ : 0n,
      next_readdir_pos: 2n,
      next_xattr_id: 1n,
      version: 1n,
      nlink: 1,
      mode,
      atime: ts,
      ctime: ts,
      mtime: ts,
      crtime: ts,
      ...patch,
    };
    this.add(inodeKey(ino), InodeItem.encode(item));
    this.add(metaSeqKey(item.meta_seq, ino));
    if ((mode & 0o170000) === S_IFREG) this.add(dataSeqKey(item.data_seq, ino));
    return ino;
  }

  /* a name for ino in dir: DIRENT, READDIR, LINK_BACKREF; the caller keeps nlink right */
  entry(dir: bigint, name: string, ino: bigint, dtype: number): bigint {
    const d = this.getInode(dir);
    const pos = d.next_readdir_pos;
    const nb = Buffer.from(name, 'latin1');
    const hash = nameHash(nb);
    const v = Buffer.concat([Dirent.encode({ ino, hash, pos, type: dtype }), nb]);
    this.add(key(KeyZone.FS, dir, FsItemType.DIRENT, hash, pos), new Uint8Array(v));
    this.add(key(KeyZone.FS, dir, FsItemType.READDIR, pos), new Uint8Array(v));
    this.add(key(KeyZone.FS, ino, FsItemType.LINK_BACKREF, dir, pos), new Uint8Array(v));
    this.setInode(dir, { next_readdir_pos: pos + 1n, size: d.size + BigInt(nb.length) });
    return pos;
  }

  mkdir(dir: bigint, name: string): bigint {
    const ino = this.inode(this.nextIno++, S_IFDIR | 0o755, { nlink: 2 });
    this.entry(dir, name, ino, 4);
    this.setInode(dir, { nlink: this.getInode(dir).nlink + 1 });
    return ino;
  }

  /* a regular file with `blocks` data blocks from its start in one extent */
  create(dir: bigint, name: string, size = 0n, blocks = 0n): bigint {
    const ino = this.inode(this.nextIno++, S_IFREG | 0o644, { size, online_blocks: blocks });
    this.entry(dir, name, ino, 8);
    if (blocks) this.extent(ino, 0n, blocks, this.allocData(blocks));
    return ino;
  }

  allocData(n: bigint): bigint {
    const b = this.nextData;
    this.nextData += n;
    return b;
  }

  extent(ino: bigint, start: bigint, len: bigint, blkno: bigint, flags = 0): void {
    this.add(
      key(KeyZone.FS, ino, FsItemType.DATA_EXTENT, start + len - 1n, len),
      DataExtent.encode({ blkno, flags }),
    );
  }

  link(dir: bigint, name: string, ino: bigint): void {
    this.entry(dir, name, ino, 8);
    this.setInode(ino, { nlink: this.getInode(ino).nlink + 1 });
  }

  symlink(dir: bigint, name: string, target: string): bigint {
    const ino = this.inode(this.nextIno++, S_IFLNK | 0o777, { size: BigInt(target.length) });
    this.entry(dir, name, ino, 10);
    const all = Buffer.concat([Buffer.from(target, 'latin1'), Buffer.from([0])]);
    for (let nr = 0n, off = 0; off < all.length; nr++, off += 896)
      this.add(
        key(KeyZone.FS, ino, FsItemType.SYMLINK, nr),
        new Uint8Array(all.subarray(off, off + 896)),
      );
    return ino;
  }

  xattr(ino: bigint, name: string, valLen: number): bigint {
    const i = this.getInode(ino);
    const id = i.next_xattr_id;
    const nb = Buffer.from(name, 'latin1');
    const all = Buffer.concat([
      XattrHdr.encode({ val_len: valLen, name_len: nb.length }),
      nb,
      Buffer.alloc(valLen, 0x61),
    ]);
    const hash = nameHash(nb);
    for (let nr = 0, off = 0; off < all.length; nr++, off += 896)
      this.add(
        key(KeyZone.FS, ino, FsItemType.XATTR, hash, id, nr),
        new Uint8Array(all.subarray(off, off + 896)),
      );
    this.setInode(ino, { next_xattr_id: id + 1n });
    return hash;
  }

  orphan(ino: bigint): void {
    this.add(key(KeyZone.ORPHAN, 0n, OrphanItemType.ORPHAN, ino));
  }

  /* a log btree (written in the order added; logs_root sorts them by rid, nr) */
  log(rid: bigint, nr: bigint): LogSpec {
    const l = new LogSpec(rid, nr);
    this.logs.push(l);
    return l;
  }

  /* the items of the merged view: per key the greatest seq, a deletion marker hiding it */
  merged(): Item[] {
    const best = new Map<string, Item>();
    for (const it of [...this.items, ...this.logs.flatMap((l) => l.items)]) {
      const k = keyString(it.key);
      const b = best.get(k);
      if (!b || it.seq >= b.seq) best.set(k, it);
    }
    return [...best.values()].filter((i) => !(i.flags & ITEM_FLAG_DELETION));
  }

  inodeCount(): bigint {
    return BigInt(
      this.merged().filter((i) => i.key.zone === KeyZone.FS && i.key.type === FsItemType.INODE)
        .length,
    );
  }

  write(o: WriteOptions = {}): Written {
    const meta = path.join(this.dir, 'meta.img');
    const data = path.join(this.dir, 'data.img');
    for (const f of [meta, data]) fs.writeFileSync(f, '');
    fs.truncateSync(meta, Number(this.metaBytes));
    fs.truncateSync(data, Number(this.dataBytes));
    mkfs({
      metaPath: meta,
      dataPath: data,
      quorum: [{ nr: 0, addr: '127.0.0.1', port: 1 }],
      force: true,
      fsid: FSID,
      uuid: new Uint8Array(16).fill(7),
    });

    const fd = fs.openSync(meta, 'r+');
    const put = (blkno: bigint, b: Uint8Array) =>
      fs.writeSync(fd, b, 0, b.length, Number(blkno) * BLOCK_LG_SIZE);
    let next = 2n;
    const alloc = () => next++;
    const fsTree = writeTree(this.items, o.fanout, alloc, put);
    const { treeBlocks, leaves } = fsTree;

    /* extent lists: four single-block chains */
    const listBlocks = [next++, next++, next++, next++];

    /* the log btrees, then logs_root */
    const logs: WrittenLog[] = [];
    const records: Item[] = [];
    for (const l of this.logs) {
      const t = writeTree(l.items, o.fanout, alloc, put);
      logs.push({ rid: l.rid, nr: l.nr, blocks: t.treeBlocks.flat(), leaves: t.leaves });
      const maxSeq = l.items.reduce((a, i) => (i.seq > a ? i.seq : a), 0n);
      const r: LogTrees = {
        ...LogTrees.zero(),
        item_root: t.root,
        rid: l.rid,
        nr: l.nr,
        get_trans_seq: SEQ,
        commit_trans_seq: SEQ,
        max_item_seq: maxSeq,
        flags: l.flags,
      };
      l.patch?.(r);
      records.push({
        key: key(KeyZone.LOG_TREES, l.rid, LogTreesItemType.LOG_TREES, l.nr),
        seq: SEQ,
        flags: 0,
        value: LogTrees.encode(r),
      });
    }
    const logsTree = writeTree(records, undefined, alloc, put);
    const usedData = (this.logs.length ? this.merged() : this.items)
      .filter(
        (i) =>
          i.key.zone === KeyZone.FS &&
          i.key.type === FsItemType.DATA_EXTENT &&
          i.value.length === DataExtent.SIZE,
      )
      .map((i) => ({
        blkno: DataExtent.decode(i.value).blkno,
        len: i.key.third,
        flags: DataExtent.decode(i.value).flags,
      }))
      .filter((e) => !(e.flags & 1));
    const metaFree = minus(complement([{ blkno: 2n, len: next - 2n }], 2n, this.metaBytes >> 16n), [
      ...(o.metaFreed ?? []),
      ...(o.leakMeta ?? []),
    ]);
    const dataFree = minus(complement(usedData, 64n, this.dataBytes >> 12n), [
      ...(o.dataFreed ?? []),
      ...(o.leakData ?? []),
    ]);
    const lists = [metaFree, o.metaFreed ?? [], dataFree, o.dataFreed ?? []];
    const roots: ExtentListRoot[] = lists.map((l, i) => {
      const blkno = listBlocks[i];
      const b = new Uint8Array(BLOCK_LG_SIZE);
      ExtentListBlock.encode(
        {
          hdr: { crc: 0, magic: BlockMagic.EXTENT_LIST, fsid: FSID, seq: SEQ, blkno },
          next: { blkno: 0n, seq: 0n },
          nr: l.length,
        },
        b,
      );
      l.forEach((e, j) =>
        FreeExtent.encode(e, b, ExtentListBlock.OFFSETS.extents + j * FreeExtent.SIZE),
      );
      put(blkno, sealBlock(b));
      return {
        ref: { blkno, seq: SEQ },
        nr_extents: BigInt(l.length),
        total_free: l.reduce((a, e) => a + e.len, 0n),
      };
    });

    const sbBuf = Buffer.alloc(BLOCK_SM_SIZE);
    fs.readSync(fd, sbBuf, 0, BLOCK_SM_SIZE, SUPER_BLKNO * BLOCK_SM_SIZE);
    const sb = SuperBlock.decode(sbBuf);
    sb.hdr.seq = SEQ;
    sb.seq = SEQ + 1n;
    sb.next_ino = this.nextIno;
    sb.inode_count = this.inodeCount();
    [sb.meta_free, sb.meta_freed, sb.data_free, sb.data_freed] = roots;
    sb.fs_root = fsTree.root;
    sb.logs_root = logsTree.root;
    o.patchSuper?.(sb);
    fs.writeSync(
      fd,
      sealBlock(SuperBlock.encode(sb, new Uint8Array(BLOCK_SM_SIZE))),
      0,
      BLOCK_SM_SIZE,
      SUPER_BLKNO * BLOCK_SM_SIZE,
    );
    fs.closeSync(fd);
    return {
      meta,
      data,
      sb,
      treeBlocks,
      leaves,
      listBlocks,
      logs,
      logsRootBlocks: logsTree.treeBlocks.flat(),
    };
  }
}

/*
 * Write a btree of these items (leaves of at most `fan` items, parents
 * of at most `fan` children), its blocks from alloc(); an empty tree has
 * height 0 and no blocks.
 */
function writeTree(
  items: Item[],
  fan: number | undefined,
  alloc: () => bigint,
  put: (blkno: bigint, b: Uint8Array) => void,
): { root: BtreeRoot; treeBlocks: bigint[][]; leaves: bigint[] } {
  const sorted = [...items].sort((a, b) => cmp(a.key, b.key));
  /* leaves, then parents up to a single root */
  type Node = { bound: Key; blkno: bigint };
  let level: Node[] = [];
  const leaves: bigint[] = [];
  const treeBlocks: bigint[][] = [];
  const leafChunks = chunks(sorted, fan, (it) => 48 + it.value.length);
  leafChunks.forEach((chunk, i) => {
    const blkno = alloc();
    put(blkno, buildLeaf(chunk, FSID, blkno, SEQ));
    leaves.push(blkno);
    level.push({
      bound: i === leafChunks.length - 1 ? ONES : chunk[chunk.length - 1].key,
      blkno,
    });
  });
  treeBlocks.push(leaves);
  let height = level.length ? 1 : 0;
  while (level.length > 1) {
    const up: Node[] = [];
    const blknos: bigint[] = [];
    for (const kids of chunks(level, fan, () => 48 + 16)) {
      const blkno = alloc();
      const parentItems = kids.map((k) => ({
        key: k.bound,
        seq: SEQ,
        flags: 0,
        value: BlockRef.encode({ blkno: k.blkno, seq: SEQ }),
      }));
      const b = buildLeaf(parentItems, FSID, blkno, SEQ);
      b[BtreeBlock.OFFSETS.level] = height;
      put(blkno, sealBlock(b));
      blknos.push(blkno);
      up.push({ bound: kids[kids.length - 1].bound, blkno });
    }
    treeBlocks.unshift(blknos);
    level = up;
    height++;
  }
  const root: BtreeRoot = {
    ref: { blkno: level.length ? level[0].blkno : 0n, seq: level.length ? SEQ : 0n },
    height,
  };
  return { root, treeBlocks, leaves };
}

/* runs of at most n entries (or as many as fit a block when n is not given) */
function chunks<T>(all: T[], n: number | undefined, size: (t: T) => number): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let bytes = 0;
  for (const t of all) {
    const sz = size(t);
    if (cur.length && (n !== undefined ? cur.length >= n : bytes + sz > BLOCK_LG_SIZE - 64)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(t);
    bytes += sz;
  }
  if (cur.length) out.push(cur);
  return out;
}

export function keyEq(a: Key, b: Key): boolean {
  return cmp(a, b) === 0;
}

function cmp(a: Key, b: Key): number {
  for (const f of ['zone', 'first', 'type', 'second', 'third', 'fourth'] as const)
    if (a[f] !== b[f]) return a[f] < b[f] ? -1 : 1;
  return 0;
}

/* free extents of [first, total) around the used ones */
function complement(used: FreeExtent[], first: bigint, total: bigint): FreeExtent[] {
  const s = [...used].sort((a, b) => (a.blkno < b.blkno ? -1 : 1));
  const out: FreeExtent[] = [];
  let at = first;
  for (const u of s) {
    if (u.blkno > at) out.push({ blkno: at, len: u.blkno - at });
    if (u.blkno + u.len > at) at = u.blkno + u.len;
  }
  if (at < total) out.push({ blkno: at, len: total - at });
  return out;
}

/* remove the blocks of `take` (each inside one extent) from `from` */
function minus(from: FreeExtent[], take: FreeExtent[]): FreeExtent[] {
  let out = from;
  for (const t of take) {
    out = out.flatMap((e) => {
      if (t.blkno + t.len <= e.blkno || t.blkno >= e.blkno + e.len) return [e];
      const r: FreeExtent[] = [];
      if (t.blkno > e.blkno) r.push({ blkno: e.blkno, len: t.blkno - e.blkno });
      if (t.blkno + t.len < e.blkno + e.len)
        r.push({ blkno: t.blkno + t.len, len: e.blkno + e.len - t.blkno - t.len });
      return r;
    });
  }
  return out;
}

/* Flip bytes of a written metadata block, optionally resealing its checksum. */
export function patchMetaBlock(
  meta: string,
  blkno: bigint,
  fn: (b: Uint8Array) => void,
  reseal = true,
): void {
  const fd = fs.openSync(meta, 'r+');
  const b = new Uint8Array(BLOCK_LG_SIZE);
  fs.readSync(fd, b, 0, BLOCK_LG_SIZE, Number(blkno) * BLOCK_LG_SIZE);
  fn(b);
  if (reseal) sealBlock(b);
  fs.writeSync(fd, b, 0, BLOCK_LG_SIZE, Number(blkno) * BLOCK_LG_SIZE);
  fs.closeSync(fd);
}

export function check(w: { meta: string; data: string }): CheckReport {
  const meta = openDevice('metadata device', w.meta, false);
  const data = openDevice('data device', w.data, false);
  try {
    return checkVolume(meta, data).report;
  } finally {
    closeDevice(meta);
    closeDevice(data);
  }
}
