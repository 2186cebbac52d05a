/*
 * check: the offline consistency checker of an unmounted volume.
 *
 * Read-only.  It verifies, reporting every problem it finds and going on:
 *   - the super blocks of both devices (checksum, magic, flags, format
 *     hash, version, the same fsid and uuid) and the quorum blocks;
 *   - every block of the fs btree, of logs_root and of every log btree
 *     reachable from their roots (checksum, magic, blkno, seq, level, item
 *     count, value bounds, key order, and the parents' bounds: every key of
 *     a child is above the previous sibling's key and at most its own
 *     parent item's key; a parent's last item carries its own bound);
 *   - logs_root's LogTrees records (key, size, the schema's rules, the
 *     record's rid and nr those of its key);
 *   - the four extent-list chains of the allocators;
 *   - the accounting of both devices: every metadata block from
 *     first_meta_blkno is exactly one of a reachable block of any btree, a block
 *     of an extent-list chain, or inside a free or freed extent; every
 *     data block exactly one of a block of a data extent item or inside a
 *     free or freed extent (overlaps and leaks are reported with ranges);
 *   - the items: inodes, their meta_seq/data_seq index items, directory
 *     entries (DIRENT, its READDIR twin, the target's LINK_BACKREF), link
 *     counts, orphans, symlink targets, xattr parts, data extents, inode
 *     counts and next_ino.
 *
 * The items checked are the merged view of the fs btree and the log
 * btrees (the forest, format/forest.ts): of the copies of a key the one
 * with the greatest seq is the item, unless it is a deletion marker
 * (then there is no item).  Copies with equal seqs (a finalized log btree
 * half merged into the fs btree) must be identical; the later tree's wins
 * (log btrees after the fs btree, in logs_root's order).  Markers are only
 * allowed in log btrees.  Each tree is walked as a stream of leaves and
 * the streams are merged by key, so only a leaf per tree is held at once.
 *
 * Items are checked as a stream in key order: the index and orphan zones
 * come first and are remembered per inode (small), then each inode's FS
 * items are checked together, and only what relates inodes to each other
 * (entries waiting for their backref, per-directory subdirectory counts)
 * is kept until the end.  Nothing is quadratic.
 */
import {
  BLOCK_LG_SHIFT,
  BLOCK_LG_SIZE,
  BLOCK_SM_SHIFT,
  BLOCK_SM_SIZE,
  BlockMagic,
  BlockRef,
  BTREE_MAX_HEIGHT,
  BtreeBlock,
  BtreeItem,
  BtreeRoot,
  DATA_DEV_START_BLKNO,
  DataExtent,
  Dirent,
  ExtentFlag,
  ExtentListBlock,
  ExtentListRoot,
  FIRST_USER_INO,
  FORMAT_VERSION_MAX,
  FORMAT_VERSION_MIN,
  FreeExtent,
  FsItemType,
  IndexItemType,
  InodeItem,
  ITEM_FLAG_DELETION,
  ITEM_MAX_VAL_SIZE,
  Key,
  KeyZone,
  LogTrees,
  LogTreesItemType,
  META_DEV_START_BLKNO,
  NAME_LEN,
  QUORUM_MAX_SLOTS,
  ROOT_INO,
  SUPER_BLKNO,
  SUPER_FLAG_META_DEV,
  SuperBlock,
  XattrHdr,
} from '../gen/format';
import { FORMAT_HASH } from '../gen/hash';
import { invalid } from '../codec';
import type { Codec } from '../codec';
import { blockProblem, crc32cRaw } from './crc';
import { Device, readAt } from './device';
import {
  extentBlocksInvalid,
  extentKeyInvalid,
  indexKeyInvalid,
  inodeFieldsInvalid,
  inodeOrphanInvalid,
  orphanKeyInvalid,
} from './item-rules';
import { compareKeys, keyString } from './key';
import { hex64, readQuorumBlock, SUPER_OFFSET } from './volume';

const S_IFMT = 0o170000;
const S_IFSOCK = 0o140000;
const S_IFLNK = 0o120000;
const S_IFREG = 0o100000;
const S_IFBLK = 0o060000;
const S_IFDIR = 0o040000;
const S_IFCHR = 0o020000;
const S_IFIFO = 0o010000;
const DT_DIR = 4;
const FILE_TYPES: Record<number, string> = {
  [S_IFSOCK]: 'socket',
  [S_IFLNK]: 'symlink',
  [S_IFREG]: 'regular file',
  [S_IFBLK]: 'block device',
  [S_IFDIR]: 'directory',
  [S_IFCHR]: 'char device',
  [S_IFIFO]: 'fifo',
};
const KEY_ONES: Key = {
  zone: 0xff,
  first: 0xffffffffffffffffn,
  type: 0xff,
  second: 0xffffffffffffffffn,
  third: 0xffffffffffffffffn,
  fourth: 0xff,
};
const ITEMS_OFF = BtreeBlock.SIZE;
const MAX_ITEMS = Math.floor((BLOCK_LG_SIZE - ITEMS_OFF) / BtreeItem.SIZE);
const EXTENTS_PER_LIST = Math.floor((BLOCK_LG_SIZE - ExtentListBlock.SIZE) / FreeExtent.SIZE);
/* problems kept beyond this are counted, not stored */
const DEFAULT_MAX_PROBLEMS = 10000;

const MASK64 = (1n << 64n) - 1n;

/* FNV-1a, 64 bit: the name hash of directory entries and xattrs (kmod/src/dir.c). */
export function nameHash(name: Uint8Array): bigint {
  /* four 16-bit limbs, least significant first, keep every product exact */
  let a0 = 0x2325,
    a1 = 0x8422,
    a2 = 0x9ce4,
    a3 = 0xcbf2;
  for (let i = 0; i < name.length; i++) {
    a0 ^= name[i];
    /* h * 0x100000001b3 = h * 0x1b3 + (h << 40) */
    let v = a0 * 0x1b3;
    const r0 = v & 0xffff;
    v = a1 * 0x1b3 + Math.floor(v / 65536);
    const r1 = v & 0xffff;
    v = a2 * 0x1b3 + Math.floor(v / 65536) + ((a0 << 8) & 0xffff);
    const r2 = v & 0xffff;
    v = a3 * 0x1b3 + Math.floor(v / 65536) + (((a0 >>> 8) | (a1 << 8)) & 0xffff);
    a0 = r0;
    a1 = r1;
    a2 = r2;
    a3 = v & 0xffff;
  }
  return (BigInt(a3) << 48n) | (BigInt(a2) << 32n) | (BigInt(a1) << 16n) | BigInt(a0);
}

const fileType = (mode: number): string =>
  FILE_TYPES[mode & S_IFMT] ?? `unknown type 0${(mode & S_IFMT).toString(8)}`;
const isDir = (mode: number): boolean => (mode & S_IFMT) === S_IFDIR;
const isReg = (mode: number): boolean => (mode & S_IFMT) === S_IFREG;
const isLnk = (mode: number): boolean => (mode & S_IFMT) === S_IFLNK;
const quote = (b: Uint8Array): string => JSON.stringify(Buffer.from(b).toString('latin1'));
const range = (a: bigint, b: bigint): string => (a === b ? `${a}` : `[${a}, ${b}]`);

/*
 * BtreeItem.decode with one DataView for the whole block: the generated
 * codecs make a view per field, which dominates a walk of millions of items.
 * Exported for the image mutation library (utils/src/lib/mutate.ts).
 */
const IO = BtreeItem.OFFSETS;
const KO = Key.OFFSETS;
export function decodeItemHeader(v: DataView, off: number): BtreeItem {
  const k = off + IO.key;
  return {
    key: {
      first: v.getBigUint64(k + KO.first, true),
      second: v.getBigUint64(k + KO.second, true),
      third: v.getBigUint64(k + KO.third, true),
      fourth: v.getUint8(k + KO.fourth),
      type: v.getUint8(k + KO.type),
      zone: v.getUint8(k + KO.zone),
    },
    seq: v.getBigUint64(off + IO.seq, true),
    val_off: v.getUint16(off + IO.val_off, true),
    val_len: v.getUint16(off + IO.val_len, true),
    flags: v.getUint8(off + IO.flags),
  };
}

/* A message part computed only if a problem is reported (template literals call toString). */
type Text = { toString(): string };
class Lazy {
  private s?: string;
  constructor(private f: () => string) {}
  toString(): string {
    return (this.s ??= this.f());
  }
}

/* Offsets of a codec's explicit padding that hold something other than zero. */
function padsDirty(codec: Codec<unknown>, buf: Uint8Array, off = 0): boolean {
  for (const [o, n] of codec.PADS)
    for (let i = 0; i < n; i++) if (buf[off + o + i] !== 0) return true;
  return false;
}

export interface CheckOptions {
  /* problems stored beyond this many are only counted */
  maxProblems?: number;
}

export interface CheckReport {
  problems: string[];
  /* all problems, including those not stored */
  nrProblems: number;
  inodes: number;
  items: number;
  btreeBlocks: number;
  listBlocks: number;
  freeMetaBlocks: bigint;
  dataBlocksUsed: bigint;
  freeDataBlocks: bigint;
}

/* The one line `scoutfs check` ends with. */
export function summaryLine(r: CheckReport): string {
  const what =
    `checked ${r.inodes} inodes, ${r.items} items, ${r.btreeBlocks + r.listBlocks} metadata blocks ` +
    `(${r.btreeBlocks} btree, ${r.listBlocks} extent list, ${r.freeMetaBlocks} free), ` +
    `${r.dataBlocksUsed} data blocks in use (${r.freeDataBlocks} free)`;
  return `${what}: ${r.nrProblems === 0 ? 'clean' : `${r.nrProblems} problem${r.nrProblems === 1 ? '' : 's'} found`}`;
}

/* An extent of blocks and who claims it, for the device accounting. */
interface Claim {
  start: bigint;
  /* exclusive */
  end: bigint;
  what: () => string;
}

class Problems {
  list: string[] = [];
  count = 0;
  constructor(private max: number) {}
  add(msg: string): void {
    this.count++;
    if (this.list.length < this.max) this.list.push(msg);
  }
}

/*
 * Sort the claims on a device's blocks and report blocks claimed twice and
 * blocks of [first, total) nobody claims.
 */
function account(
  dev: string,
  unit: string,
  first: bigint,
  total: bigint,
  claims: Claim[],
  p: Problems,
  checkLeaks: boolean,
): void {
  const inRange: Claim[] = [];
  for (const c of claims) {
    if (c.end <= c.start) continue;
    if (c.start < first || c.end > total) {
      p.add(
        `${dev} blocks ${range(c.start, c.end - 1n)} of ${c.what()} are outside the device's ${unit} blocks [${first}, ${total - 1n}]`,
      );
      const s = c.start < first ? first : c.start;
      const e = c.end > total ? total : c.end;
      if (e > s) inRange.push({ start: s, end: e, what: c.what });
      continue;
    }
    inRange.push(c);
  }
  inRange.sort((a, b) =>
    a.start < b.start ? -1 : a.start > b.start ? 1 : a.end < b.end ? -1 : a.end > b.end ? 1 : 0,
  );
  let reach = first;
  let owner: Claim | undefined;
  for (const c of inRange) {
    if (c.start < reach && owner) {
      const end = c.end < reach ? c.end : reach;
      p.add(
        `${dev} blocks ${range(c.start, end - 1n)} are claimed twice: by ${owner.what()} and by ${c.what()}`,
      );
    } else if (c.start > reach && checkLeaks) {
      p.add(`${dev} blocks ${range(reach, c.start - 1n)} are leaked: neither in use nor free`);
    }
    if (c.end > reach) {
      reach = c.end;
      owner = c;
    }
  }
  if (reach < total && checkLeaks)
    p.add(`${dev} blocks ${range(reach, total - 1n)} are leaked: neither in use nor free`);
}

/* A tree being walked: the fs btree, logs_root or a log btree. */
type Tree =
  | { kind: 'fs' | 'log'; name: string; prefix: string }
  | { kind: 'logs'; name: string; prefix: string; logs: LogTreesRecord[] };

/* What the walk of logs_root keeps of each LogTrees record. */
interface LogTreesRecord {
  rid: bigint;
  nr: bigint;
  item_root: BtreeRoot;
  /* the allocators the server handed the mount that writes it */
  lists: [string, ExtentListRoot, 'meta' | 'data'][];
}

/* A leaf item of the fs btree or a log btree (deletion markers included). */
interface Entry {
  key: Key;
  seq: bigint;
  flags: number;
  value: Uint8Array;
}

/* A tree's stream of leaves and the position in the current one. */
interface Cursor {
  tree: Tree;
  leaves: Iterator<Entry[]>;
  batch: Entry[];
  i: number;
}

const cursor = (tree: Tree, leaves: Iterable<Entry[]>): Cursor => ({
  tree,
  leaves: leaves[Symbol.iterator](),
  batch: [],
  i: 0,
});

/* The cursor's current entry, reading its next leaf when needed; undefined at its end. */
function head(c: Cursor): Entry | undefined {
  while (c.i >= c.batch.length) {
    const n = c.leaves.next();
    if (n.done) return undefined;
    c.batch = n.value;
    c.i = 0;
  }
  return c.batch[c.i];
}

/* What the item pass keeps of an inode until the end. */
interface DirInfo {
  nlink: number;
  subdirs: number;
}

/* A directory entry waiting for its backref, or a backref for its entry. */
interface PendingLink {
  target: bigint;
  crc: number;
  name: string;
  type: number;
}

/* The FS items of one inode, checked together. */
class InodeGroup {
  inode?: InodeItem;
  nrItems = 0;
  types = new Set<string>();
  backrefs = 0;
  /* DIRENT items by pos, waiting for their READDIR twin */
  dirents = new Map<bigint, Uint8Array>();
  nameBytes = 0n;
  maxPos = 0n;
  /* xattr being assembled */
  xattr?: { hash: bigint; id: bigint; next: number; total: number; got: number; name: string };
  xattrNames = new Set<string>();
  symlink: Uint8Array[] = [];
  symlinkNext = 0n;
  lastExtentBlock = -1n;
  onlineBlocks = 0n;
  offlineBlocks = 0n;
  extentsPastSize = 0;
  constructor(readonly ino: bigint) {}
}

export class VolumeChecker {
  readonly p: Problems;
  readonly fsid: bigint;
  private metaClaims: Claim[] = [];
  private dataClaims: Claim[] = [];
  private treeComplete = true;
  private listsComplete = true;
  private visited = new Set<bigint>();
  btreeBlocks = 0;
  listBlocks = 0;
  items = 0;
  inodes = 0;
  private freeMeta = 0n;
  private freeData = 0n;
  private dataInUse = 0n;
  private sawRoot = false;
  private lastKey?: Key;
  /* index and orphan zones, by ino */
  private metaIdx = new Map<bigint, bigint[]>();
  private dataIdx = new Map<bigint, bigint[]>();
  private orphans = new Set<bigint>();
  private group?: InodeGroup;
  private maxIno = 0n;
  private dirs = new Map<bigint, DirInfo>();
  /* per directory, the subdirectories its entries name (counted from the backrefs) */
  private subdirs = new Map<bigint, number>();
  private pendingDirents = new Map<string, PendingLink>();
  private pendingBackrefs = new Map<string, PendingLink>();

  constructor(
    private meta: Device,
    readonly sb: SuperBlock,
    opts: CheckOptions = {},
  ) {
    this.p = new Problems(opts.maxProblems ?? DEFAULT_MAX_PROBLEMS);
    this.fsid = sb.hdr.fsid;
  }

  /*
   * The schema's field rules (format/ @min/@max/@mask tags and zero
   * pads), the same ones the kernel's generated scoutfs_*_invalid()
   * apply; false when one is broken, which is reported.
   */
  private rules(codec: Codec<unknown>, buf: Uint8Array, off: number, w: Text): boolean {
    const bad = invalid(codec, buf, off);
    if (bad) this.problem(`${w}: ${bad.message}, found ${bad.value}`);
    return !bad;
  }

  problem(msg: string): void {
    this.p.add(msg);
  }

  /* ------------------------------------------------------------ blocks */

  private readMeta(blkno: bigint): Uint8Array {
    return readAt(this.meta, blkno << BigInt(BLOCK_LG_SHIFT), BLOCK_LG_SIZE);
  }

  /* A reference's block number lies where metadata blocks can be read. */
  private refProblem(blkno: bigint): string | undefined {
    const sb = this.sb;
    if (blkno < sb.first_meta_blkno || blkno >= sb.total_meta_blocks)
      return `is outside the metadata blocks [${sb.first_meta_blkno}, ${sb.total_meta_blocks - 1n}]`;
    if ((blkno + 1n) << BigInt(BLOCK_LG_SHIFT) > this.meta.size)
      return `is past the end of the metadata device`;
    return undefined;
  }

  checkQuorum(): void {
    for (let slot = 0; slot < QUORUM_MAX_SLOTS; slot++) {
      const q = readQuorumBlock(this.meta, slot, this.fsid);
      if (typeof q === 'string') this.problem(`quorum block of slot ${slot}: ${q}`);
    }
  }

  /* ------------------------------------------------------- extent lists */

  checkExtentList(
    name: string,
    root: ExtentListRoot,
    device: 'meta' | 'data',
    anySeq = false,
  ): void {
    const sb = this.sb;
    const claims = device === 'meta' ? this.metaClaims : this.dataClaims;
    let ref = root.ref;
    let nr = 0n;
    let sum = 0n;
    let prevEnd = -1n;
    let hops = 0n;
    while (ref.blkno !== 0n) {
      const where = `${name} extent list block ${ref.blkno}`;
      const bad = this.refProblem(ref.blkno);
      if (bad) {
        this.problem(`${where} ${bad}`);
        this.listsComplete = false;
        return;
      }
      if (++hops > sb.total_meta_blocks || this.visited.has(ref.blkno)) {
        this.problem(`${where} is reached a second time: the chain loops`);
        this.listsComplete = false;
        return;
      }
      this.visited.add(ref.blkno);
      const block = this.readMeta(ref.blkno);
      const problem = blockProblem(block, {
        magic: BlockMagic.EXTENT_LIST,
        blkno: ref.blkno,
        seq: ref.seq,
        fsid: this.fsid,
      });
      const lb = ref.blkno;
      this.metaClaims.push({ start: lb, end: lb + 1n, what: () => where });
      this.listBlocks++;
      if (problem) {
        this.problem(`${where}: ${problem}`);
        this.listsComplete = false;
        return;
      }
      if (anySeq ? ref.seq >= sb.seq : ref.seq !== sb.hdr.seq)
        this.problem(
          anySeq
            ? `${where}: seq ${ref.seq} was never handed out (the super block's next seq is ${sb.seq})`
            : `${where}: seq ${ref.seq} is not the super block's ${sb.hdr.seq}`,
        );
      const b = ExtentListBlock.decode(block);
      if (padsDirty(ExtentListBlock, block)) this.problem(`${where}: padding is not zero`);
      if (b.nr > EXTENTS_PER_LIST) {
        this.problem(`${where}: holds ${b.nr} extents, at most ${EXTENTS_PER_LIST} fit`);
        this.listsComplete = false;
        return;
      }
      for (let i = 0; i < b.nr; i++) {
        const e = FreeExtent.decode(block, ExtentListBlock.OFFSETS.extents + i * FreeExtent.SIZE);
        const ext = `${name} extent ${range(e.blkno, e.blkno + e.len - 1n)}`;
        nr++;
        if (
          !this.rules(
            FreeExtent,
            block,
            ExtentListBlock.OFFSETS.extents + i * FreeExtent.SIZE,
            `${where}: extent ${i} at ${e.blkno}`,
          )
        )
          continue;
        if (e.blkno + e.len - 1n > MASK64) {
          this.problem(`${where}: extent ${i} at ${e.blkno} with length ${e.len} wraps`);
          continue;
        }
        if (e.blkno < prevEnd)
          this.problem(
            `${where}: ${ext} is not after the previous extent (ends at ${prevEnd - 1n})`,
          );
        prevEnd = e.blkno + e.len;
        sum += e.len;
        claims.push({ start: e.blkno, end: e.blkno + e.len, what: () => ext });
      }
      ref = b.next;
    }
    if (nr !== root.nr_extents)
      this.problem(
        `${name} extent list holds ${nr} extents, the super block says ${root.nr_extents}`,
      );
    if (sum !== root.total_free)
      this.problem(
        `${name} extent list holds ${sum} free blocks, the super block says ${root.total_free}`,
      );
    if (device === 'meta') this.freeMeta += sum;
    else this.freeData += sum;
  }

  /* -------------------------------------------------------------- btree */

  /*
   * The trees and their merged view.  logs_root is walked first (it is
   * small: one LogTrees record per log btree); then the fs btree and
   * every log btree are walked together, each as a stream of leaves,
   * and merged by key: of a key's copies the one with the greatest seq
   * is the item, unless it is a deletion marker (then there is none).
   */
  checkTree(): void {
    const logs: LogTreesRecord[] = [];
    const lt: Tree = { kind: 'logs', name: 'logs_root', prefix: 'logs_root: ', logs };
    /* yields nothing: the leaf pass keeps the records */
    const logsWalk = this.treeLeaves(lt, this.sb.logs_root, 'super block', 'logs_root');
    while (!logsWalk.next().done) continue;
    const streams: Cursor[] = [];
    const fs: Tree = { kind: 'fs', name: 'the fs btree', prefix: '' };
    streams.push(cursor(fs, this.treeLeaves(fs, this.sb.fs_root, 'super block', 'fs_root')));
    for (const r of logs) {
      const name = `log btree rid 0x${hex64(r.rid)} nr ${r.nr}`;
      const t: Tree = { kind: 'log', name, prefix: `${name}: ` };
      streams.push(cursor(t, this.treeLeaves(t, r.item_root, name, 'item_root')));
      /* free space a mount holds: written by it or the server, at seqs handed out */
      for (const [what, root, device] of r.lists)
        this.checkExtentList(`${name} ${what}`, root, device, true);
    }
    this.merge(streams);
  }

  /* The leaves of one tree, after the checks of its root. */
  private *treeLeaves(
    t: Tree,
    root: BtreeRoot,
    owner: string,
    rootName: string,
  ): Generator<Entry[]> {
    if (root.height === 0) {
      if (root.ref.blkno !== 0n)
        this.problem(`${owner}: ${rootName} has height 0 but references block ${root.ref.blkno}`);
      return;
    }
    if (root.height > BTREE_MAX_HEIGHT) {
      this.problem(`${owner}: ${rootName} height ${root.height} exceeds ${BTREE_MAX_HEIGHT}`);
      this.treeComplete = false;
      return;
    }
    /* a mount's log btree is written at its own transactions' seqs, all below super.seq */
    if (root.ref.seq >= this.sb.seq)
      this.problem(
        `${owner}: ${rootName} seq ${root.ref.seq} was never handed out (the super block's next seq is ${this.sb.seq})`,
      );
    yield* this.walk(t, root.ref, root.height - 1, undefined, KEY_ONES, this.sb.seq - 1n, 'root');
  }

  /* Merge the trees' sorted leaf streams; the first is the fs btree's. */
  private merge(streams: Cursor[]): void {
    const live = streams.filter((c) => head(c) !== undefined);
    if (live.length === 1) {
      /* only one tree holds items: no merging */
      const c = live[0];
      for (let e = head(c); e; c.i++, e = head(c))
        if (!(e.flags & ITEM_FLAG_DELETION)) this.item(e.key, e.seq, e.value);
      return;
    }
    const same: Cursor[] = [];
    while (live.length) {
      /* the smallest key, and every stream holding it */
      let min = live[0].batch[live[0].i].key;
      same.length = 0;
      for (const c of live) {
        const k = c.batch[c.i].key;
        const d = compareKeys(k, min);
        if (d < 0) {
          min = k;
          same.length = 0;
        }
        if (d <= 0) same.push(c);
      }
      /* the greatest seq wins; at equal seqs the later tree (log btrees after the fs btree) */
      let win = same[0];
      let best = win.batch[win.i];
      for (let j = 1; j < same.length; j++) {
        const c = same[j];
        const e = c.batch[c.i];
        if (e.seq < best.seq) continue;
        if (e.seq === best.seq && (e.flags !== best.flags || Buffer.compare(e.value, best.value)))
          this.problem(
            `item ${keyString(min)}: seq ${e.seq} in both ${win.tree.name} and ${c.tree.name}, with different contents`,
          );
        win = c;
        best = e;
      }
      for (const c of same) {
        c.i++;
        if (head(c) === undefined) live.splice(live.indexOf(c), 1);
      }
      if (!(best.flags & ITEM_FLAG_DELETION)) this.item(best.key, best.seq, best.value);
    }
  }

  /*
   * One block and its subtree: keys must be > lo (the previous
   * sibling's bound) and <= hi (its parent item's key).  Yields the
   * items of each leaf, in key order.
   */
  private *walk(
    t: Tree,
    ref: BlockRef,
    level: number,
    lo: Key | undefined,
    hi: Key,
    parentSeq: bigint,
    from: string,
  ): Generator<Entry[]> {
    const where = `${t.prefix}btree block ${ref.blkno}`;
    const bad = this.refProblem(ref.blkno);
    if (bad) {
      this.problem(`${where} (referenced by ${from}) ${bad}`);
      this.treeComplete = false;
      return;
    }
    if (this.visited.has(ref.blkno)) {
      this.problem(`${where} (referenced by ${from}) is referenced a second time`);
      this.treeComplete = false;
      return;
    }
    this.visited.add(ref.blkno);
    this.metaClaims.push({ start: ref.blkno, end: ref.blkno + 1n, what: () => where });
    this.btreeBlocks++;
    const block = this.readMeta(ref.blkno);
    const problem = blockProblem(block, {
      magic: BlockMagic.BTREE,
      blkno: ref.blkno,
      seq: ref.seq,
      fsid: this.fsid,
    });
    if (problem) {
      this.problem(`${where} (referenced by ${from}): ${problem}`);
      this.treeComplete = false;
      return;
    }
    if (ref.seq > parentSeq)
      this.problem(`${where}: seq ${ref.seq} is newer than its parent's ${parentSeq}`);
    const b = BtreeBlock.decode(block);
    if (b.level !== level) {
      this.problem(`${where}: level ${b.level}, expected ${level}`);
      this.treeComplete = false;
      return;
    }
    const itemsEnd = ITEMS_OFF + b.nr_items * BtreeItem.SIZE;
    if (b.nr_items === 0 || b.nr_items > MAX_ITEMS) {
      this.problem(`${where}: item count ${b.nr_items} is not 1..${MAX_ITEMS}`);
      this.treeComplete = false;
      return;
    }
    if (b.val_start < itemsEnd || b.val_start > BLOCK_LG_SIZE)
      this.problem(
        `${where}: value start ${b.val_start} is outside [${itemsEnd}, ${BLOCK_LG_SIZE}]`,
      );
    if (padsDirty(BtreeBlock, block)) this.problem(`${where}: header padding is not zero`);

    const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
    const leaf: Entry[] = [];
    let prev = lo;
    let order = true;
    for (let i = 0; i < b.nr_items; i++) {
      const off = ITEMS_OFF + i * BtreeItem.SIZE;
      const h = decodeItemHeader(view, off);
      const it = new Lazy(() => `${where} item ${i} (${keyString(h.key)})`);
      this.rules(BtreeItem, block, off, it);
      if (prev && compareKeys(h.key, prev) <= 0) {
        this.problem(
          i === 0
            ? `${it}: key is not above the previous sibling's bound ${keyString(prev)}`
            : `${it}: key is not above the previous item's`,
        );
        order = false;
        continue;
      }
      if (compareKeys(h.key, hi) > 0) {
        this.problem(`${it}: key is above its parent's bound ${keyString(hi)}`);
        order = false;
        continue;
      }
      if (
        h.val_len &&
        (h.val_off < b.val_start || h.val_off < itemsEnd || h.val_off + h.val_len > BLOCK_LG_SIZE)
      ) {
        this.problem(
          `${it}: value [${h.val_off}, +${h.val_len}) is outside the block's value area`,
        );
        prev = h.key;
        continue;
      }
      /* seqs come from the server's counter: every one handed out is below super.seq */
      if (h.seq >= this.sb.seq)
        this.problem(
          `${it}: item seq ${h.seq} was never handed out (the super block's next seq is ${this.sb.seq})`,
        );
      const value = block.subarray(h.val_off, h.val_off + h.val_len);
      if (level > 0) {
        if (h.val_len !== BlockRef.SIZE) {
          this.problem(`${it}: a parent item's value is ${h.val_len} bytes, not a block reference`);
          this.treeComplete = false;
        } else {
          if (i === b.nr_items - 1 && compareKeys(h.key, hi) !== 0)
            this.problem(`${it}: the last item of a parent is not its bound ${keyString(hi)}`);
          const child = BlockRef.decode(value);
          yield* this.walk(t, child, level - 1, prev, h.key, ref.seq, `${where} item ${i}`);
        }
      } else if (t.kind === 'logs') {
        this.logTreesItem(t.logs, h, value, it);
      } else {
        if (h.flags & ITEM_FLAG_DELETION) {
          if (t.kind === 'fs')
            this.problem(`item ${keyString(h.key)}: a deletion marker in the fs btree`);
          else if (h.val_len)
            this.problem(`${it}: a deletion marker with a ${h.val_len} byte value`);
        }
        leaf.push({ key: h.key, seq: h.seq, flags: h.flags, value });
      }
      prev = h.key;
    }
    if (!order) this.treeComplete = false;
    if (leaf.length) yield leaf;
  }

  /* A leaf item of logs_root: one log btree's LogTrees record. */
  private logTreesItem(logs: LogTreesRecord[], h: BtreeItem, value: Uint8Array, it: Text): void {
    const k = h.key;
    if (h.flags & ITEM_FLAG_DELETION) return this.problem(`${it}: a deletion marker in logs_root`);
    if (
      k.zone !== KeyZone.LOG_TREES ||
      k.type !== LogTreesItemType.LOG_TREES ||
      k.third !== 0n ||
      k.fourth !== 0
    )
      return this.problem(`${it}: not a LOG_TREES key`);
    const w = `log btree rid 0x${hex64(k.first)} nr ${k.second}`;
    if (value.length !== LogTrees.SIZE)
      return this.problem(
        `${w}: its LogTrees record is ${value.length} bytes, not ${LogTrees.SIZE}`,
      );
    this.rules(LogTrees, value, 0, w);
    const r = LogTrees.decode(value);
    if (r.rid !== k.first || r.nr !== k.second)
      this.problem(`${w}: its record says rid 0x${hex64(r.rid)} nr ${r.nr}, not its key's`);
    logs.push({
      rid: k.first,
      nr: k.second,
      item_root: r.item_root,
      lists: [
        ['meta_avail', r.meta_avail, 'meta'],
        ['meta_freed', r.meta_freed, 'meta'],
        ['data_avail', r.data_avail, 'data'],
        ['data_freed', r.data_freed, 'data'],
      ],
    });
  }

  /* -------------------------------------------------------------- items */

  /* An item of the merged view (never a deletion marker). */
  private item(key: Key, seq: bigint, value: Uint8Array): void {
    if (this.lastKey && compareKeys(key, this.lastKey) <= 0) return; /* reported by the walk */
    this.lastKey = key;
    this.items++;
    const k = new Lazy(() => keyString(key));
    switch (key.zone) {
      case KeyZone.INODE_INDEX:
        return this.indexItem(key, seq, value, k);
      case KeyZone.ORPHAN: {
        /* as the kernel's orphan scan: item_rules.h */
        const r = orphanKeyInvalid(key.first, key.type, key.third, key.fourth, value.length);
        if (r) this.problem(`item ${k}: ${r.why}, found ${r.bad}`);
        /* with a good key (whatever its value), count it as the inode's */
        if (!orphanKeyInvalid(key.first, key.type, key.third, key.fourth, 0))
          this.orphans.add(key.second);
        return;
      }
      case KeyZone.FS:
        return this.fsItem(key, seq, value, k);
      default:
        this.problem(`item ${k}: unknown key zone ${key.zone}`);
    }
  }

  private indexItem(key: Key, seq: bigint, value: Uint8Array, k: Text): void {
    const map =
      key.type === IndexItemType.META_SEQ
        ? this.metaIdx
        : key.type === IndexItemType.DATA_SEQ
          ? this.dataIdx
          : undefined;
    /* as the kernel's index walk: item_rules.h */
    const r = indexKeyInvalid(key.first, key.type, key.fourth, value.length);
    if (r) this.problem(`item ${k}: ${r.why}, found ${r.bad}`);
    if (!map || indexKeyInvalid(key.first, key.type, key.fourth, 0)) return;
    /* an item's seq is its transaction's, or a later lock write_seq */
    if (seq < key.second)
      this.problem(`item ${k}: written at seq ${seq}, before the transaction it indexes`);
    const l = map.get(key.third);
    if (l) l.push(key.second);
    else map.set(key.third, [key.second]);
  }

  private fsItem(key: Key, seq: bigint, value: Uint8Array, k: Text): void {
    const ino = key.first;
    if (!this.group || this.group.ino !== ino) {
      if (this.group) this.endGroup(this.group);
      this.group = new InodeGroup(ino);
      if (ino > this.maxIno) this.maxIno = ino;
    }
    const g = this.group;
    g.nrItems++;
    const type = (FsItemType as unknown as Record<number, string>)[key.type];
    if (!type) return this.problem(`item ${k}: unknown FS item type ${key.type}`);
    g.types.add(type);
    const mode = g.inode?.mode ?? 0;
    switch (key.type) {
      case FsItemType.INODE:
        return this.inodeItem(g, key, seq, value, k);
      case FsItemType.XATTR:
        return this.xattrItem(g, key, value, k);
      case FsItemType.DIRENT:
      case FsItemType.READDIR:
        if (g.inode && !isDir(mode))
          return this.problem(
            `item ${k}: directory entry item in inode ${ino}, a ${fileType(mode)}`,
          );
        return key.type === FsItemType.DIRENT
          ? this.direntItem(g, key, value, k)
          : this.readdirItem(g, key, value, k);
      case FsItemType.LINK_BACKREF:
        return this.backrefItem(g, key, value, k);
      case FsItemType.SYMLINK:
        if (g.inode && !isLnk(mode))
          return this.problem(`item ${k}: symlink item in inode ${ino}, a ${fileType(mode)}`);
        if (key.third !== 0n || key.fourth !== 0)
          return this.problem(`item ${k}: not a valid symlink key`);
        if (key.second !== g.symlinkNext && !this.orphaned(g))
          this.problem(
            `inode ${ino}: symlink part ${g.symlinkNext} is missing (found part ${key.second})`,
          );
        g.symlinkNext = key.second + 1n;
        g.symlink.push(value);
        return;
      case FsItemType.DATA_EXTENT:
        if (g.inode && !isReg(mode))
          return this.problem(`item ${k}: data extent item in inode ${ino}, a ${fileType(mode)}`);
        return this.extentItem(g, key, value, k);
    }
  }

  private inodeItem(g: InodeGroup, key: Key, seq: bigint, value: Uint8Array, k: Text): void {
    if (key.second !== 0n || key.third !== 0n || key.fourth !== 0)
      return this.problem(`item ${k}: not a valid inode key`);
    if (value.length !== InodeItem.SIZE)
      return this.problem(
        `inode ${g.ino}: inode item value is ${value.length} bytes, not ${InodeItem.SIZE}`,
      );
    const i = InodeItem.decode(value);
    g.inode = i;
    this.inodes++;
    const w = `inode ${g.ino}`;
    const type = i.mode & S_IFMT;
    this.rules(InodeItem, value, 0, w);
    /* the rules between fields, as the kernel's (item_rules.h) */
    const r = inodeFieldsInvalid(i.mode, i.flags, i.size, i.next_readdir_pos, i.nlink);
    if (r) this.problem(`${w}: ${r.why}, found ${r.bad}`);
    if (seq < i.meta_seq)
      this.problem(`${w}: inode item written at seq ${seq}, before its meta_seq ${i.meta_seq}`);
    if (g.ino === 0n || g.ino >= this.sb.next_ino)
      this.problem(
        `${w}: inode number is not below the super block's next_ino ${this.sb.next_ino}`,
      );
    if (g.ino === BigInt(ROOT_INO)) this.sawRoot = true;
    if (g.ino === BigInt(ROOT_INO) && type !== S_IFDIR)
      this.problem(`${w}: the root inode is a ${fileType(i.mode)}`);
  }

  private direntValue(
    g: InodeGroup,
    value: Uint8Array,
    pos: bigint,
    k: Text,
  ): { d: Dirent; name: Uint8Array } | undefined {
    if (value.length < Dirent.SIZE + 1 || value.length > Dirent.SIZE + NAME_LEN) {
      this.problem(
        `item ${k}: directory entry value is ${value.length} bytes, not ${Dirent.SIZE + 1}..${Dirent.SIZE + NAME_LEN}`,
      );
      return undefined;
    }
    const d = Dirent.decode(value);
    const name = value.subarray(Dirent.SIZE);
    const w = `directory ${g.ino} entry ${quote(name)} (pos ${pos})`;
    this.rules(Dirent, value, 0, w);
    if (d.pos !== pos) this.problem(`${w}: its value says pos ${d.pos}`);
    const hash = nameHash(name);
    if (d.hash !== hash)
      this.problem(`${w}: hash 0x${d.hash.toString(16)} is not the name's 0x${hash.toString(16)}`);
    if (
      name.includes(0x2f) ||
      name.includes(0) ||
      (name.length <= 2 && name.every((c) => c === 0x2e))
    )
      this.problem(`${w}: not a valid name`);
    return { d, name };
  }

  private direntItem(g: InodeGroup, key: Key, value: Uint8Array, k: Text): void {
    if (key.fourth !== 0) return this.problem(`item ${k}: not a valid dirent key`);
    const pos = key.third;
    const v = this.direntValue(g, value, pos, k);
    if (!v) return;
    if (key.second !== v.d.hash)
      this.problem(
        `directory ${g.ino} entry ${quote(v.name)} (pos ${pos}): filed under hash 0x${key.second.toString(16)}, its value says 0x${v.d.hash.toString(16)}`,
      );
    if (g.dirents.has(pos)) this.problem(`directory ${g.ino}: two DIRENT items at pos ${pos}`);
    g.dirents.set(pos, value);
    g.nameBytes += BigInt(v.name.length);
    if (pos > g.maxPos) g.maxPos = pos;
    /* the target's backref */
    const id = `${g.ino}/${pos}`;
    const mine: PendingLink = {
      target: v.d.ino,
      crc: crc32cRaw(value),
      name: quote(v.name),
      type: v.d.type,
    };
    const br = this.pendingBackrefs.get(id);
    if (br) {
      this.pendingBackrefs.delete(id);
      this.matchLink(g.ino, pos, mine, br);
    } else this.pendingDirents.set(id, mine);
  }

  private readdirItem(g: InodeGroup, key: Key, value: Uint8Array, k: Text): void {
    if (key.third !== 0n || key.fourth !== 0)
      return this.problem(`item ${k}: not a valid readdir key`);
    const pos = key.second;
    const twin = g.dirents.get(pos);
    if (!twin) {
      const v = value.length > Dirent.SIZE ? quote(value.subarray(Dirent.SIZE)) : '?';
      this.problem(`directory ${g.ino} READDIR item at pos ${pos} (${v}) has no DIRENT item`);
      return;
    }
    g.dirents.delete(pos);
    if (Buffer.compare(twin, value) !== 0) {
      this.problem(
        `directory ${g.ino} entry ${quote(twin.subarray(Dirent.SIZE))} (pos ${pos}): READDIR and DIRENT values differ`,
      );
    }
  }

  private backrefItem(g: InodeGroup, key: Key, value: Uint8Array, k: Text): void {
    if (key.fourth !== 0) return this.problem(`item ${k}: not a valid backref key`);
    const dir = key.second;
    const pos = key.third;
    g.backrefs++;
    const mine: PendingLink = {
      target: g.ino,
      crc: crc32cRaw(value),
      name: value.length > Dirent.SIZE ? quote(value.subarray(Dirent.SIZE)) : '?',
      type: -1,
    };
    if (value.length >= Dirent.SIZE) {
      const d = Dirent.decode(value);
      mine.type = d.type;
      if (d.ino !== g.ino)
        this.problem(
          `inode ${g.ino} LINK_BACKREF (directory ${dir}, pos ${pos}): its value names inode ${d.ino}`,
        );
    }
    if (!g.inode) {
      this.problem(
        `directory ${dir} entry ${mine.name} (pos ${pos}) names inode ${g.ino}, which has no INODE item`,
      );
    } else {
      const dtype = (g.inode.mode >> 12) & 15;
      if (mine.type !== dtype)
        this.problem(
          `directory ${dir} entry ${mine.name} (pos ${pos}): type ${mine.type}, but inode ${g.ino} is a ${fileType(g.inode.mode)}`,
        );
    }
    if (g.inode ? isDir(g.inode.mode) : mine.type === DT_DIR)
      this.subdirs.set(dir, (this.subdirs.get(dir) ?? 0) + 1);
    const id = `${dir}/${pos}`;
    const d = this.pendingDirents.get(id);
    if (d) {
      this.pendingDirents.delete(id);
      this.matchLink(dir, pos, d, mine);
    } else this.pendingBackrefs.set(id, mine);
  }

  private matchLink(dir: bigint, pos: bigint, dirent: PendingLink, backref: PendingLink): void {
    const w = `directory ${dir} entry ${dirent.name} (pos ${pos})`;
    if (dirent.target !== backref.target)
      this.problem(
        `${w} names inode ${dirent.target}, but the backref at (directory ${dir}, pos ${pos}) is inode ${backref.target}'s`,
      );
    else if (dirent.crc !== backref.crc)
      this.problem(
        `${w}: the LINK_BACKREF value of inode ${backref.target} differs from the DIRENT's`,
      );
  }

  private xattrItem(g: InodeGroup, key: Key, value: Uint8Array, k: Text): void {
    /* deleting an unlinked inode removes its items in key order: a crash leaves any suffix */
    if (this.orphaned(g)) return;
    const x = g.xattr;
    if (x && x.hash === key.second && x.id === key.third) {
      if (key.fourth !== x.next)
        this.problem(`inode ${g.ino} xattr ${x.name} (id ${x.id}): part ${x.next} is missing`);
      x.next = key.fourth + 1;
      x.got += value.length;
      const want = Math.min(ITEM_MAX_VAL_SIZE, x.total - key.fourth * ITEM_MAX_VAL_SIZE);
      if (value.length !== want)
        this.problem(
          `inode ${g.ino} xattr ${x.name} (id ${x.id}): part ${key.fourth} is ${value.length} bytes, expected ${want}`,
        );
      return;
    }
    if (x) this.endXattr(g);
    if (key.fourth !== 0) {
      this.problem(
        `inode ${g.ino} xattr (hash 0x${key.second.toString(16)} id ${key.third}): part ${key.fourth} without a first part`,
      );
      return;
    }
    if (value.length < XattrHdr.SIZE + 1)
      return this.problem(`item ${k}: xattr first part of ${value.length} bytes is too short`);
    const h = XattrHdr.decode(value);
    const nameBytes = value.subarray(XattrHdr.SIZE, XattrHdr.SIZE + h.name_len);
    const name = quote(nameBytes);
    const w = `inode ${g.ino} xattr ${name} (id ${key.third})`;
    const total = XattrHdr.SIZE + h.name_len + h.val_len;
    if (!this.rules(XattrHdr, value, 0, w)) return;
    if (XattrHdr.SIZE + h.name_len > value.length)
      return this.problem(`${w}: name length ${h.name_len} does not fit its first part`);
    const hash = nameHash(nameBytes);
    if (hash !== key.second)
      this.problem(
        `${w}: filed under hash 0x${key.second.toString(16)}, the name's is 0x${hash.toString(16)}`,
      );
    if (!/^"(user|trusted|security)\./.test(name))
      this.problem(`${w}: not in the user., trusted. or security. namespace`);
    if (g.xattrNames.has(name)) this.problem(`${w}: a second xattr with this name`);
    g.xattrNames.add(name);
    if (g.inode && key.third >= g.inode.next_xattr_id)
      this.problem(`${w}: id is not below the inode's next_xattr_id ${g.inode.next_xattr_id}`);
    const want = Math.min(ITEM_MAX_VAL_SIZE, total);
    if (value.length !== want)
      this.problem(`${w}: part 0 is ${value.length} bytes, expected ${want}`);
    g.xattr = { hash: key.second, id: key.third, next: 1, total, got: value.length, name };
  }

  private endXattr(g: InodeGroup): void {
    const x = g.xattr;
    g.xattr = undefined;
    if (!x || this.orphaned(g)) return;
    const parts = Math.ceil(x.total / ITEM_MAX_VAL_SIZE);
    if (x.next < parts)
      this.problem(
        `inode ${g.ino} xattr ${x.name} (id ${x.id}): has ${x.next} of its ${parts} parts`,
      );
  }

  private extentItem(g: InodeGroup, key: Key, value: Uint8Array, k: Text): void {
    const last = key.second;
    const len = key.third;
    /* the key and block rules as the kernel's (item_rules.h) */
    const kr = extentKeyInvalid(last, len, key.fourth);
    if (kr) return this.problem(`item ${k}: ${kr.why}, found ${kr.bad}`);
    const start = last - len + 1n;
    const w = `inode ${g.ino} extent ${range(start, last)}`;
    if (value.length !== DataExtent.SIZE)
      return this.problem(`${w}: value is ${value.length} bytes, not ${DataExtent.SIZE}`);
    const e = DataExtent.decode(value);
    this.rules(DataExtent, value, 0, w);
    const br = extentBlocksInvalid(e.blkno, len, e.flags, this.sb.total_data_blocks);
    if (br) this.problem(`${w}: ${br.why}, found ${br.bad}`);
    if (start <= g.lastExtentBlock)
      this.problem(`${w}: overlaps the previous extent, which ends at ${g.lastExtentBlock}`);
    if (last > g.lastExtentBlock) g.lastExtentBlock = last;
    if (e.flags & ExtentFlag.OFFLINE) {
      g.offlineBlocks += len;
    } else {
      g.onlineBlocks += len;
      this.dataInUse += len;
      /* a claim inside the device is checked against the others */
      if (!br) {
        const ino = g.ino;
        this.dataClaims.push({
          start: e.blkno,
          end: e.blkno + len,
          what: () => `inode ${ino} extent ${range(start, last)}`,
        });
      }
    }
    /*
     * Blocks past i_size are no problem: fallocate KEEP_SIZE leaves
     * unwritten ones, an interrupted truncate any, and extending
     * writes preallocate written ones that a crash can leave (the
     * kernel frees them before the size grows over them).
     */
    if (g.inode && !(e.flags & ExtentFlag.UNWRITTEN)) {
      const blocks = (g.inode.size + BigInt(BLOCK_SM_SIZE) - 1n) >> BigInt(BLOCK_SM_SHIFT);
      if (last >= blocks) g.extentsPastSize++;
    }
  }

  /* an unlinked inode whose deletion may have been cut short by a crash */
  private orphaned(g: InodeGroup): boolean {
    return !!g.inode && g.inode.nlink === 0 && this.orphans.has(g.ino);
  }

  private endGroup(g: InodeGroup): void {
    if (g.xattr) this.endXattr(g);
    const i = g.inode;
    const ino = g.ino;
    const w = `inode ${ino}`;
    const metaSeqs = this.metaIdx.get(ino) ?? [];
    const dataSeqs = this.dataIdx.get(ino) ?? [];
    this.metaIdx.delete(ino);
    this.dataIdx.delete(ino);
    const orphan = this.orphans.has(ino);
    this.orphans.delete(ino);
    for (const [pos, v] of g.dirents)
      this.problem(
        `directory ${ino} entry ${quote(v.subarray(Dirent.SIZE))} (pos ${pos}) has no READDIR item`,
      );

    if (!i) {
      const types = [...g.types].filter((t) => t !== 'INODE').join(', ');
      this.problem(`${w}: ${g.nrItems} items (${types}) but no INODE item`);
      for (const s of metaSeqs)
        this.problem(`${w}: META_SEQ index item at seq ${s} but no INODE item`);
      for (const s of dataSeqs)
        this.problem(`${w}: DATA_SEQ index item at seq ${s} but no INODE item`);
      if (orphan) this.problem(`${w}: ORPHAN item but no INODE item`);
      return;
    }

    /* index items */
    const idx = (name: string, want: bigint | undefined, have: bigint[]) => {
      if (want !== undefined && !have.includes(want))
        this.problem(`${w}: no ${name} index item at its ${name.toLowerCase()} ${want}`);
      for (const s of have)
        if (s !== want)
          this.problem(
            `${w}: ${name} index item at seq ${s}, but its ${name.toLowerCase()} is ${want ?? 'none'}`,
          );
    };
    idx('META_SEQ', i.meta_seq, metaSeqs);
    if (isReg(i.mode)) idx('DATA_SEQ', i.data_seq, dataSeqs);
    else
      for (const s of dataSeqs)
        this.problem(`${w}: DATA_SEQ index item at seq ${s}, but it is a ${fileType(i.mode)}`);
    /* every transaction seq handed out is below super.seq */
    const top = this.sb.seq - 1n;
    if (i.meta_seq > top)
      this.problem(
        `${w}: meta_seq ${i.meta_seq} was never handed out (the super block's next seq is ${this.sb.seq})`,
      );
    if (isReg(i.mode) && i.data_seq > top)
      this.problem(
        `${w}: data_seq ${i.data_seq} was never handed out (the super block's next seq is ${this.sb.seq})`,
      );

    /* links */
    if (i.nlink === 0) {
      if (inodeOrphanInvalid(i.nlink, orphan)) this.problem(`${w}: nlink 0 without an ORPHAN item`);
      if (g.backrefs) this.problem(`${w}: nlink 0 but ${g.backrefs} link backrefs`);
    } else {
      if (orphan) this.problem(`${w}: ORPHAN item but nlink ${i.nlink}`);
      if (isDir(i.mode)) {
        const want = ino === BigInt(ROOT_INO) ? 0 : 1;
        if (g.backrefs !== want)
          this.problem(`${w}: a directory with ${g.backrefs} link backrefs, expected ${want}`);
        this.dirs.set(ino, { nlink: i.nlink, subdirs: 0 });
      } else if (BigInt(i.nlink) !== BigInt(g.backrefs)) {
        this.problem(`${w}: nlink ${i.nlink}, but ${g.backrefs} link backrefs`);
      }
    }
    if (ino === BigInt(ROOT_INO) && i.nlink === 0)
      this.problem(`${w}: the root directory has nlink 0`);

    /* directory contents */
    if (isDir(i.mode)) {
      if (!(i.nlink === 0 && orphan) && i.size !== g.nameBytes)
        this.problem(`${w}: directory size ${i.size}, but its names hold ${g.nameBytes} bytes`);
      if (g.maxPos && g.maxPos >= i.next_readdir_pos)
        this.problem(
          `${w}: entry pos ${g.maxPos} is not below next_readdir_pos ${i.next_readdir_pos}`,
        );
      if (i.nlink === 0 && g.maxPos)
        this.problem(`${w}: a removed directory (nlink 0) still has entries`);
    }

    /* symlink target */
    if (isLnk(i.mode) && !(i.nlink === 0 && orphan)) {
      const size = Number(i.size) + 1;
      const parts = Math.ceil(size / ITEM_MAX_VAL_SIZE);
      if (g.symlink.length === 0) this.problem(`${w}: symlink without a target`);
      else {
        const got = Buffer.concat(g.symlink);
        if (g.symlink.length !== parts || got.length !== size)
          this.problem(
            `${w}: symlink target is ${got.length} bytes in ${g.symlink.length} parts, expected ${size} in ${parts}`,
          );
        else if (got[size - 1] !== 0 || got.indexOf(0) !== size - 1)
          this.problem(`${w}: symlink target has a misplaced NUL`);
      }
    }

    /* data */
    if (isReg(i.mode) && !(i.nlink === 0 && orphan)) {
      if (i.online_blocks !== g.onlineBlocks)
        this.problem(
          `${w}: online_blocks ${i.online_blocks}, but its extents hold ${g.onlineBlocks}`,
        );
      if (i.offline_blocks !== g.offlineBlocks)
        this.problem(
          `${w}: offline_blocks ${i.offline_blocks}, but its extents hold ${g.offlineBlocks}`,
        );
    }
  }

  /* After the walk: what relates inodes to each other. */
  finishItems(): void {
    if (this.group) this.endGroup(this.group);
    this.group = undefined;
    for (const [ino, seqs] of this.metaIdx)
      for (const s of seqs)
        this.problem(`inode ${ino}: META_SEQ index item at seq ${s} but no INODE item`);
    for (const [ino, seqs] of this.dataIdx)
      for (const s of seqs)
        this.problem(`inode ${ino}: DATA_SEQ index item at seq ${s} but no INODE item`);
    for (const ino of this.orphans) this.problem(`inode ${ino}: ORPHAN item but no INODE item`);
    for (const [id, d] of this.pendingDirents) {
      const [dir, pos] = id.split('/');
      this.problem(
        `directory ${dir} entry ${d.name} (pos ${pos}) names inode ${d.target}, which has no LINK_BACKREF for it`,
      );
    }
    for (const [id, b] of this.pendingBackrefs) {
      const [dir, pos] = id.split('/');
      this.problem(
        `inode ${b.target} LINK_BACKREF (directory ${dir}, pos ${pos}, ${b.name}) has no DIRENT item`,
      );
    }
    for (const [ino, d] of this.dirs) {
      const subdirs = this.subdirs.get(ino) ?? 0;
      if (d.nlink !== 2 + subdirs)
        this.problem(`inode ${ino}: directory nlink ${d.nlink}, but 2 + ${subdirs} subdirectories`);
    }
    if (!this.treeComplete) return; /* counts of a partial walk mean nothing */
    if (BigInt(this.inodes) !== this.sb.inode_count)
      this.problem(
        `super block: inode_count ${this.sb.inode_count}, but the tree holds ${this.inodes} inodes`,
      );
    if (this.maxIno >= this.sb.next_ino)
      this.problem(
        `super block: next_ino ${this.sb.next_ino} is not above the largest inode number ${this.maxIno}`,
      );
  }

  /* ------------------------------------------------------------ overall */

  run(): CheckReport {
    const sb = this.sb;
    this.checkQuorum();
    this.checkExtentList('meta_free', sb.meta_free, 'meta');
    this.checkExtentList('meta_freed', sb.meta_freed, 'meta');
    this.checkExtentList('data_free', sb.data_free, 'data');
    this.checkExtentList('data_freed', sb.data_freed, 'data');
    this.checkTree();
    this.finishItems();
    if (!this.sawRoot && this.treeComplete)
      this.problem(`inode ${ROOT_INO}: the root directory has no INODE item`);
    const complete = this.treeComplete && this.listsComplete;
    if (!complete)
      this.problem(
        'the leak checks of both devices were skipped: not every btree block or extent list could be read',
      );
    account(
      'metadata',
      '64 KiB',
      sb.first_meta_blkno,
      sb.total_meta_blocks,
      this.metaClaims,
      this.p,
      complete,
    );
    account(
      'data',
      '4 KiB',
      sb.first_data_blkno,
      sb.total_data_blocks,
      this.dataClaims,
      this.p,
      complete,
    );
    return {
      problems: this.p.list,
      nrProblems: this.p.count,
      inodes: this.inodes,
      items: this.items,
      btreeBlocks: this.btreeBlocks,
      listBlocks: this.listBlocks,
      freeMetaBlocks: this.freeMeta,
      dataBlocksUsed: this.dataInUse,
      freeDataBlocks: this.freeData,
    };
  }
}

/* ------------------------------------------------------------ super blocks */

/* Read and verify one device's super block; undefined when it can't be used. */
export function checkSuper(
  dev: Device,
  which: 'metadata' | 'data',
  p: { add(m: string): void },
): SuperBlock | undefined {
  const w = `${which} device super block`;
  if (dev.size < SUPER_OFFSET + BigInt(BLOCK_SM_SIZE)) {
    p.add(`${w}: the device (${dev.size} bytes) is too small to hold one`);
    return undefined;
  }
  const block = readAt(dev, SUPER_OFFSET, BLOCK_SM_SIZE);
  const sb = SuperBlock.decode(block);
  if (sb.hdr.magic !== BlockMagic.SUPER) {
    p.add(`${w}: not found (magic 0x${sb.hdr.magic.toString(16)}); not a scoutfs ${which} device`);
    return undefined;
  }
  const problem = blockProblem(block, { magic: BlockMagic.SUPER, blkno: BigInt(SUPER_BLKNO) });
  if (problem) {
    p.add(`${w}: ${problem}`);
    return undefined;
  }
  let ok = true;
  const isMeta = (sb.flags & BigInt(SUPER_FLAG_META_DEV)) !== 0n;
  if (which === 'metadata' && !isMeta) {
    p.add(`${w}: this is a data device (no META_DEV flag); are the devices swapped?`);
    ok = false;
  }
  if (which === 'data' && isMeta) {
    p.add(`${w}: this is a metadata device (META_DEV flag); are the devices swapped?`);
    ok = false;
  }
  if (sb.flags & ~BigInt(SUPER_FLAG_META_DEV))
    p.add(`${w}: unknown flags 0x${sb.flags.toString(16)}`);
  if (sb.format_hash !== FORMAT_HASH) {
    p.add(
      `${w}: format hash ${hex64(sb.format_hash)} differs from these utilities' ${hex64(FORMAT_HASH)}`,
    );
    ok = false;
  }
  if (sb.version < BigInt(FORMAT_VERSION_MIN) || sb.version > BigInt(FORMAT_VERSION_MAX)) {
    p.add(
      `${w}: format version ${sb.version} is outside the supported ${FORMAT_VERSION_MIN}..${FORMAT_VERSION_MAX}`,
    );
    ok = false;
  }
  if (padsDirty(SuperBlock, block)) p.add(`${w}: padding is not zero`);
  return ok ? sb : undefined;
}

/* The metadata super's geometry and counters, given both devices. */
function checkMetaSuper(sb: SuperBlock, meta: Device, data: Device, p: Problems): boolean {
  const w = 'metadata device super block';
  let ok = true;
  const metaBlocks = meta.size >> BigInt(BLOCK_LG_SHIFT);
  const dataBlocks = data.size >> BigInt(BLOCK_SM_SHIFT);
  if (sb.first_meta_blkno !== BigInt(META_DEV_START_BLKNO)) {
    p.add(`${w}: first_meta_blkno ${sb.first_meta_blkno} is not ${META_DEV_START_BLKNO}`);
    ok = false;
  }
  if (sb.first_data_blkno !== BigInt(DATA_DEV_START_BLKNO)) {
    p.add(`${w}: first_data_blkno ${sb.first_data_blkno} is not ${DATA_DEV_START_BLKNO}`);
    ok = false;
  }
  if (sb.total_meta_blocks <= sb.first_meta_blkno || sb.total_meta_blocks > metaBlocks) {
    p.add(
      `${w}: total_meta_blocks ${sb.total_meta_blocks}, the metadata device holds ${metaBlocks}`,
    );
    ok = false;
  }
  if (sb.total_data_blocks <= sb.first_data_blkno || sb.total_data_blocks > dataBlocks) {
    p.add(`${w}: total_data_blocks ${sb.total_data_blocks}, the data device holds ${dataBlocks}`);
    ok = false;
  }
  /* the next transaction's seq: past the header's, and past lock write_seqs handed out */
  if (sb.seq < 2n || sb.hdr.seq >= sb.seq)
    p.add(`${w}: seq ${sb.seq} does not follow its header's seq ${sb.hdr.seq}`);
  if (sb.next_ino < BigInt(FIRST_USER_INO))
    p.add(`${w}: next_ino ${sb.next_ino} is below ${FIRST_USER_INO}`);
  return ok;
}

export interface CheckOutcome {
  report: CheckReport;
  /* the volume could not be checked past its super blocks */
  superOnly: boolean;
}

/* Check an unmounted volume on two open devices. */
export function checkVolume(meta: Device, data: Device, opts: CheckOptions = {}): CheckOutcome {
  const p = new Problems(opts.maxProblems ?? DEFAULT_MAX_PROBLEMS);
  const msb = checkSuper(meta, 'metadata', p);
  const dsb = checkSuper(data, 'data', p);
  if (msb && dsb) {
    if (msb.hdr.fsid !== dsb.hdr.fsid || Buffer.compare(msb.uuid, dsb.uuid) !== 0)
      p.add(
        `the data device belongs to another filesystem: fsid ${hex64(dsb.hdr.fsid)} uuid ${Buffer.from(dsb.uuid).toString('hex')}, ` +
          `the metadata device's fsid ${hex64(msb.hdr.fsid)} uuid ${Buffer.from(msb.uuid).toString('hex')}`,
      );
  }
  if (!msb || !checkMetaSuper(msb, meta, data, p)) {
    const report: CheckReport = {
      problems: p.list,
      nrProblems: p.count,
      inodes: 0,
      items: 0,
      btreeBlocks: 0,
      listBlocks: 0,
      freeMetaBlocks: 0n,
      dataBlocksUsed: 0n,
      freeDataBlocks: 0n,
    };
    return { report, superOnly: true };
  }
  const c = new VolumeChecker(meta, msb, opts);
  for (const l of p.list) c.problem(l);
  c.p.count += p.count - p.list.length;
  return { report: c.run(), superOnly: false };
}
