/*
 * mutate: an image-mutation library for fuzzing an unmounted metadata
 * device image (test/fuzz/).
 *
 * A MetaImage reads the super block and walks the btrees of an image file
 * (the fs btree, logs_root and every log btree of the forest), listing
 * every metadata block (super, btree, extent list) and every leaf item with
 * what it is (inode, dirent, xattr header or part, a LogTrees record, ...)
 * and the tree it is in.  Deletion markers of log btrees are listed as the
 * kind of item their key names (they have no value).
 * Mutations are made on copies of the blocks they touch, kept as patches
 * (64 KiB block number -> new contents); the file itself is never written
 * unless writeTo() is asked to.  After a change a block is resealed (its
 * crc recomputed as the kernel checks it) unless the caller says not to.
 *
 * Field names and offsets come from the generated codecs (OFFSETS, SIZE),
 * block verification from crc.ts and the item header decoding from
 * check.ts, so this follows the format without restating it.
 */
import * as fs from 'fs';
import * as F from '../gen/format';
import {
  BLOCK_LG_SHIFT,
  BLOCK_LG_SIZE,
  BLOCK_SM_SHIFT,
  BLOCK_SM_SIZE,
  BlockMagic,
  BlockRef,
  BtreeBlock,
  BtreeItem,
  BtreeRoot,
  DataExtent,
  Dirent,
  ExtentListBlock,
  ExtentListRoot,
  FsItemType,
  IndexItemType,
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
} from '../gen/format';
import type { Codec } from '../codec';
import { decodeItemHeader } from './check';
import { blockProblem, crc32cRaw } from './crc';
import { closeDevice, Device, openDevice, readAt } from './device';
import { compareKeys, keyString } from './key';
import { hex64 } from './volume';

export const SUPER_BYTE_OFFSET = SUPER_BLKNO << BLOCK_SM_SHIFT;
/* the 64 KiB block holding the super block (and the quorum blocks after it) */
export const SUPER_LG_BLKNO = BigInt(SUPER_BYTE_OFFSET >> BLOCK_LG_SHIFT);
const ITEMS_OFF = BtreeBlock.SIZE;

/* ------------------------------------------------------------ fields */

export interface Field {
  /* dotted path from the struct, e.g. "nlink", "atime.nsec", "key.first" */
  path: string;
  /* byte offset from the start of the struct */
  off: number;
  /* 1, 2, 4 or 8 for integers; other sizes are byte arrays */
  width: number;
  /* an integer field (else raw bytes: arrays, uuids) */
  integer: boolean;
  /* explicit padding (its name starts with "_") */
  pad: boolean;
}

/* Every codec of the generated format module, to find the struct of a nested field. */
const CODECS: Codec<unknown>[] = (Object.values(F) as unknown[]).filter(
  (v): v is Codec<unknown> =>
    typeof v === 'object' && v !== null && 'OFFSETS' in v && 'SIZE' in v && 'zero' in v,
);

function nestedCodec(value: object, width: number): Codec<unknown> | undefined {
  const keys = Object.keys(value).sort().join(',');
  return CODECS.find(
    (c) =>
      c.SIZE === width &&
      Object.keys(c.zero() as object)
        .sort()
        .join(',') === keys,
  );
}

/*
 * The leaf fields of a struct, nested structs flattened.  A field's width
 * is the distance to the next field (the generator refuses implicit
 * padding, so fields are contiguous); its kind comes from the codec's
 * zero() value.  Flexible trailing arrays (width 0) are left out.
 */
export function structFields(codec: Codec<unknown>, prefix = '', base = 0): Field[] {
  const entries = Object.entries(codec.OFFSETS).sort((a, b) => a[1] - b[1]);
  const zero = codec.zero() as Record<string, unknown>;
  const out: Field[] = [];
  entries.forEach(([name, off], i) => {
    const end = i + 1 < entries.length ? entries[i + 1][1] : codec.SIZE;
    const width = end - off;
    if (width <= 0) return;
    const path = prefix + name;
    const pad = name.startsWith('_');
    const v = zero[name];
    if (
      !pad &&
      v !== null &&
      typeof v === 'object' &&
      !(v instanceof Uint8Array) &&
      !Array.isArray(v)
    ) {
      const sub = nestedCodec(v, width);
      if (sub) {
        out.push(...structFields(sub, path + '.', base + off));
        return;
      }
    }
    const integer =
      !pad && (typeof v === 'bigint' || typeof v === 'number') && [1, 2, 4, 8].includes(width);
    out.push({ path, off: base + off, width, integer, pad });
  });
  return out;
}

export function fieldOf(codec: Codec<unknown>, path: string): Field {
  const f = structFields(codec).find((x) => x.path === path);
  if (!f)
    throw new Error(
      `${codec.NAME} has no field ${path} (fields: ${structFields(codec)
        .map((x) => x.path)
        .join(', ')})`,
    );
  return f;
}

export const maxOf = (width: number): bigint => (1n << BigInt(8 * width)) - 1n;

/* Write an integer field little-endian at buf[off]; the value must fit. */
function fits(width: number, value: bigint): void {
  if (value < 0n || value > maxOf(width))
    throw new RangeError(`${value} does not fit ${width} bytes`);
}

export function writeUint(buf: Uint8Array, off: number, width: number, value: bigint): void {
  fits(width, value);
  if (off < 0 || off + width > buf.length)
    throw new RangeError(`field [${off}, +${width}) is outside the ${buf.length} byte buffer`);
  for (let i = 0; i < width; i++) buf[off + i] = Number((value >> BigInt(8 * i)) & 0xffn);
}

export function readUint(buf: Uint8Array, off: number, width: number): bigint {
  let v = 0n;
  for (let i = width - 1; i >= 0; i--) v = (v << 8n) | BigInt(buf[off + i]);
  return v;
}

/* ------------------------------------------------------------ items */

export type ItemKind =
  | 'meta_seq'
  | 'data_seq'
  | 'orphan'
  | 'inode'
  | 'xattr_hdr'
  | 'xattr_part'
  | 'dirent'
  | 'readdir'
  | 'backref'
  | 'symlink'
  | 'extent'
  | 'log_trees'
  | 'unknown';

export const ITEM_KINDS: readonly ItemKind[] = [
  'meta_seq',
  'data_seq',
  'orphan',
  'inode',
  'xattr_hdr',
  'xattr_part',
  'dirent',
  'readdir',
  'backref',
  'symlink',
  'extent',
  'log_trees',
];

/* The struct at the start of each kind's value (undefined: no value, or raw bytes). */
export const KIND_STRUCT: Record<ItemKind, Codec<unknown> | undefined> = {
  meta_seq: undefined,
  data_seq: undefined,
  orphan: undefined,
  inode: InodeItem as Codec<unknown>,
  xattr_hdr: XattrHdr as Codec<unknown>,
  xattr_part: undefined,
  dirent: Dirent as Codec<unknown>,
  readdir: Dirent as Codec<unknown>,
  backref: Dirent as Codec<unknown>,
  symlink: undefined,
  extent: DataExtent as Codec<unknown>,
  log_trees: LogTrees as Codec<unknown>,
  unknown: undefined,
};

export function itemKind(key: Key): ItemKind {
  switch (key.zone) {
    case KeyZone.INODE_INDEX:
      return key.type === IndexItemType.META_SEQ
        ? 'meta_seq'
        : key.type === IndexItemType.DATA_SEQ
          ? 'data_seq'
          : 'unknown';
    case KeyZone.ORPHAN:
      return key.type === OrphanItemType.ORPHAN ? 'orphan' : 'unknown';
    case KeyZone.LOG_TREES:
      return key.type === LogTreesItemType.LOG_TREES ? 'log_trees' : 'unknown';
    case KeyZone.FS:
      switch (key.type) {
        case FsItemType.INODE:
          return 'inode';
        case FsItemType.XATTR:
          return key.fourth === 0 ? 'xattr_hdr' : 'xattr_part';
        case FsItemType.DIRENT:
          return 'dirent';
        case FsItemType.READDIR:
          return 'readdir';
        case FsItemType.LINK_BACKREF:
          return 'backref';
        case FsItemType.SYMLINK:
          return 'symlink';
        case FsItemType.DATA_EXTENT:
          return 'extent';
      }
  }
  return 'unknown';
}

export interface LeafItem {
  /* 64 KiB block number of the leaf */
  blkno: bigint;
  /* index of the item in the leaf's item array */
  index: number;
  key: Key;
  seq: bigint;
  flags: number;
  /* byte offset of the value in the block, and its length */
  valOff: number;
  valLen: number;
  kind: ItemKind;
  /* the value's struct, if its kind has one */
  struct?: string;
  /* "fs", "logs_root" or "log btree rid 0x... nr N" */
  tree: string;
}

export const itemString = (it: LeafItem): string =>
  `block ${it.blkno} item ${it.index} ${it.kind} ${keyString(it.key)} val [${it.valOff}, +${it.valLen})`;

/* The header fields of an item that can be set (BtreeItem, key flattened). */
export const HEADER_FIELDS: readonly Field[] = structFields(BtreeItem as Codec<unknown>);

/* ------------------------------------------------------------ blocks */

export type BlockKind = 'super' | 'btree' | 'extent_list';

export interface MetaBlock {
  kind: BlockKind;
  /* 64 KiB block number (the super block: the one that holds it) */
  blkno: bigint;
  /* btree level, or the extent list's name */
  level?: number;
  list?: string;
  /* a btree block's tree, as LeafItem.tree */
  tree?: string;
}

/* Byte range of a block's checksummed region inside its 64 KiB block. */
function sealRange(kind: BlockKind): [number, number] {
  return kind === 'super'
    ? [SUPER_BYTE_OFFSET & (BLOCK_LG_SIZE - 1), BLOCK_SM_SIZE]
    : [0, BLOCK_LG_SIZE];
}

/* crc32c (~0 seed, no final inversion) over the bytes after the crc field to the end of the block. */
export function resealRegion(block: Uint8Array, start: number, size: number): void {
  const crc = crc32cRaw(block.subarray(start + 4, start + size));
  new DataView(block.buffer, block.byteOffset, block.byteLength).setUint32(start, crc, true);
}

export class MetaImage {
  readonly dev: Device;
  readonly sb: SuperBlock;
  readonly fsid: bigint;
  readonly blocks: MetaBlock[] = [];
  readonly items: LeafItem[] = [];
  /* changed 64 KiB blocks */
  readonly patches = new Map<bigint, Uint8Array>();
  private cache = new Map<bigint, Uint8Array>();

  private constructor(dev: Device) {
    this.dev = dev;
    const block = readAt(dev, BigInt(SUPER_BYTE_OFFSET), BLOCK_SM_SIZE);
    const problem = blockProblem(block, { magic: BlockMagic.SUPER, blkno: BigInt(SUPER_BLKNO) });
    if (problem) throw new Error(`${dev.path}: super block: ${problem}`);
    this.sb = SuperBlock.decode(block);
    this.fsid = this.sb.hdr.fsid;
    this.blocks.push({ kind: 'super', blkno: SUPER_LG_BLKNO });
    this.walkLists();
    this.walkTrees();
  }

  /* Open an unmounted image (read only: patches are kept in memory). */
  static open(path: string): MetaImage {
    return new MetaImage(openDevice('metadata image', path, false));
  }

  close(): void {
    closeDevice(this.dev);
  }

  /* The original contents of a 64 KiB block (a copy callers may keep). */
  original(blkno: bigint): Uint8Array {
    let b = this.cache.get(blkno);
    if (!b) {
      b = readAt(this.dev, blkno << BigInt(BLOCK_LG_SHIFT), BLOCK_LG_SIZE);
      this.cache.set(blkno, b);
    }
    return b;
  }

  /* The current (patched) contents of a block, for reading. */
  block(blkno: bigint): Uint8Array {
    return this.patches.get(blkno) ?? this.original(blkno);
  }

  /* A block to change: copied into the patches on first use. */
  private writable(blkno: bigint): Uint8Array {
    let b = this.patches.get(blkno);
    if (!b) {
      b = Uint8Array.from(this.original(blkno));
      this.patches.set(blkno, b);
    }
    return b;
  }

  /* Forget every mutation. */
  reset(): void {
    this.patches.clear();
  }

  private walkLists(): void {
    const lists: [string, ExtentListRoot][] = [
      ['meta_free', this.sb.meta_free],
      ['meta_freed', this.sb.meta_freed],
      ['data_free', this.sb.data_free],
      ['data_freed', this.sb.data_freed],
    ];
    for (const [name, root] of lists) {
      let ref = root.ref;
      const seen = new Set<bigint>();
      while (ref.blkno !== 0n && !seen.has(ref.blkno)) {
        seen.add(ref.blkno);
        const block = this.original(ref.blkno);
        const problem = blockProblem(block, {
          magic: BlockMagic.EXTENT_LIST,
          blkno: ref.blkno,
          seq: ref.seq,
          fsid: this.fsid,
        });
        if (problem) throw new Error(`${name} extent list block ${ref.blkno}: ${problem}`);
        this.blocks.push({ kind: 'extent_list', blkno: ref.blkno, list: name });
        ref = ExtentListBlock.decode(block).next;
      }
    }
  }

  /* The fs btree, logs_root and the log btrees logs_root's records name. */
  private walkTrees(): void {
    this.walkTree('fs', this.sb.fs_root);
    const first = this.items.length;
    this.walkTree('logs_root', this.sb.logs_root);
    for (const it of this.items.slice(first)) {
      if (it.kind !== 'log_trees' || it.valLen !== LogTrees.SIZE) continue;
      const r = LogTrees.decode(this.original(it.blkno), it.valOff);
      this.walkTree(`log btree rid 0x${hex64(r.rid)} nr ${r.nr}`, r.item_root);
    }
  }

  private walkTree(tree: string, root: BtreeRoot): void {
    if (root.height === 0) return;
    const rec = (ref: BlockRef, level: number): void => {
      const block = this.original(ref.blkno);
      const problem = blockProblem(block, {
        magic: BlockMagic.BTREE,
        blkno: ref.blkno,
        seq: ref.seq,
        fsid: this.fsid,
      });
      if (problem) throw new Error(`${tree}: btree block ${ref.blkno}: ${problem}`);
      const b = BtreeBlock.decode(block);
      if (b.level !== level)
        throw new Error(`${tree}: btree block ${ref.blkno}: level ${b.level}, expected ${level}`);
      this.blocks.push({ kind: 'btree', blkno: ref.blkno, level, tree });
      const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
      for (let i = 0; i < b.nr_items; i++) {
        const h = decodeItemHeader(view, ITEMS_OFF + i * BtreeItem.SIZE);
        if (h.val_off + h.val_len > BLOCK_LG_SIZE)
          throw new Error(`${tree}: btree block ${ref.blkno} item ${i}: value outside the block`);
        if (level > 0) {
          rec(BlockRef.decode(block, h.val_off), level - 1);
          continue;
        }
        const kind = itemKind(h.key);
        this.items.push({
          blkno: ref.blkno,
          index: i,
          key: h.key,
          seq: h.seq,
          flags: h.flags,
          valOff: h.val_off,
          valLen: h.val_len,
          kind,
          struct: KIND_STRUCT[kind]?.NAME,
          tree,
        });
      }
    };
    rec(root.ref, root.height - 1);
  }

  /*
   * The items of the merged view, in key order: of each key's copies in
   * the fs btree and the log btrees the one with the greatest seq (at
   * equal seqs the later tree's, log btrees after the fs btree, as check
   * takes it), none when that is a deletion marker.  The copies a change
   * must reach to be seen; with no log btrees, the fs btree's items.
   */
  visibleItems(): LeafItem[] {
    const best = new Map<string, LeafItem>();
    for (const it of this.items) {
      if (it.tree === 'logs_root') continue;
      const k = keyString(it.key);
      const b = best.get(k);
      if (!b || it.seq >= b.seq) best.set(k, it);
    }
    return [...best.values()]
      .filter((it) => !(it.flags & ITEM_FLAG_DELETION))
      .sort((a, b) => compareKeys(a.key, b.key));
  }

  /* The current value bytes of an item (from its original header). */
  value(it: LeafItem): Uint8Array {
    return this.block(it.blkno).subarray(it.valOff, it.valOff + it.valLen);
  }

  /* Recompute a block's crc (the super's over its 4 KiB, others over 64 KiB). */
  reseal(blkno: bigint): void {
    const kind = this.blocks.find((b) => b.blkno === blkno)?.kind ?? 'btree';
    const [start, size] = sealRange(kind);
    resealRegion(this.writable(blkno), start, size);
  }

  /*
   * Set one field of an item's value struct (path as structFields names
   * it) to `value`.  Throws when the item's kind has no struct, the field
   * is unknown or not an integer, the value does not fit it, or the
   * value is too short to hold it.
   */
  setValueField(it: LeafItem, path: string, value: bigint, reseal = true): void {
    const codec = KIND_STRUCT[it.kind];
    if (!codec) throw new Error(`${itemString(it)}: a ${it.kind} item value has no struct`);
    const f = fieldOf(codec, path);
    if (f.off + f.width > it.valLen)
      throw new Error(
        `${itemString(it)}: ${codec.NAME}.${path} is outside the ${it.valLen} byte value`,
      );
    fits(f.width, value);
    writeUint(this.writable(it.blkno), it.valOff + f.off, f.width, value);
    if (reseal) this.reseal(it.blkno);
  }

  /* Set a field of an item's header (BtreeItem: val_len, val_off, flags, seq, key.*, _pad). */
  setHeaderField(it: LeafItem, path: string, value: bigint, reseal = true): void {
    const f = fieldOf(BtreeItem as Codec<unknown>, path);
    fits(f.width, value);
    writeUint(
      this.writable(it.blkno),
      ITEMS_OFF + it.index * BtreeItem.SIZE + f.off,
      f.width,
      value,
    );
    if (reseal) this.reseal(it.blkno);
  }

  /* Set a field of a block's own struct (SuperBlock, BtreeBlock or ExtentListBlock). */
  setBlockField(b: MetaBlock, path: string, value: bigint, reseal = true): void {
    const codec = (
      b.kind === 'super' ? SuperBlock : b.kind === 'btree' ? BtreeBlock : ExtentListBlock
    ) as Codec<unknown>;
    const f = fieldOf(codec, path);
    fits(f.width, value);
    writeUint(this.writable(b.blkno), sealRange(b.kind)[0] + f.off, f.width, value);
    if (reseal) this.reseal(b.blkno);
  }

  /* Set bytes of an item's value at an offset into it (symlink targets, xattr names and values). */
  setValueBytes(it: LeafItem, off: number, bytes: Uint8Array, reseal = true): void {
    if (off < 0 || off + bytes.length > it.valLen)
      throw new RangeError(
        `${itemString(it)}: bytes [${off}, +${bytes.length}) are outside the value`,
      );
    this.writable(it.blkno).set(bytes, it.valOff + off);
    if (reseal) this.reseal(it.blkno);
  }

  /*
   * XOR `count` random bytes of a block's checksummed region with random
   * non-zero masks; returns the offsets (from the 64 KiB block's start).
   */
  flipBytes(b: MetaBlock, count: number, rand: () => number, reseal: boolean): number[] {
    const [start, size] = sealRange(b.kind);
    const block = this.writable(b.blkno);
    const offs: number[] = [];
    for (let i = 0; i < count; i++) {
      const off = start + Math.floor(rand() * size);
      block[off] ^= 1 + Math.floor(rand() * 255);
      offs.push(off);
    }
    if (reseal) this.reseal(b.blkno);
    return offs;
  }

  /* Does a block's stored crc match its contents now? */
  crcOk(blkno: bigint): boolean {
    const kind = this.blocks.find((b) => b.blkno === blkno)?.kind ?? 'btree';
    const [start, size] = sealRange(kind);
    const block = this.block(blkno);
    return (
      new DataView(block.buffer, block.byteOffset).getUint32(start, true) ===
      crc32cRaw(block.subarray(start + 4, start + size))
    );
  }

  /* Write the image with its patches to a new file (sparse copy of the original plus patches). */
  writeTo(path: string): void {
    fs.copyFileSync(this.dev.path, path);
    const fd = fs.openSync(path, 'r+');
    try {
      for (const [blkno, b] of this.patches)
        fs.writeSync(fd, b, 0, b.length, Number(blkno << BigInt(BLOCK_LG_SHIFT)));
    } finally {
      fs.closeSync(fd);
    }
  }
}
