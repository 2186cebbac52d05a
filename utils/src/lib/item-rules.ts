/*
 * The rules between an item's fields (and between an item and its key)
 * that the schema's per-field rules cannot say, as `scoutfs check`
 * applies them.  Each is the twin of a C function in
 * kmod/src/item_rules.h, which the kernel applies to what it reads:
 * same arguments, same order of tests, same reason and bad value (u64
 * arithmetic where C wraps).  test/unit/item-rules-c-ts.test.ts runs
 * both over one table of cases, so change the two together.
 */
import {
  BLOCK_SM_SHIFT,
  DATA_DEV_START_BLKNO,
  DIRPOS_FIRST,
  ExtentFlag,
  IndexItemType,
  INO_FLAG_TRUNCATE,
  MAX_FILE_SIZE,
  OrphanItemType,
  SYMLINK_MAX_SIZE,
} from '../gen/format';

/* why the item can't be trusted, naming the field, and the bad value */
export interface RuleBreak {
  why: string;
  bad: bigint;
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const FILE_TYPES = [0o140000, S_IFLNK, S_IFREG, 0o060000, S_IFDIR, 0o020000, 0o010000];
const MAX_BLOCKS = BigInt(MAX_FILE_SIZE) >> BigInt(BLOCK_SM_SHIFT);

const brk = (why: string, bad: bigint | number): RuleBreak => ({ why, bad: BigInt(bad) });

/* scoutfs_inode_fields_invalid() */
export function inodeFieldsInvalid(
  mode: number,
  flags: number,
  size: bigint,
  nextReaddirPos: bigint,
  nlink: number,
): RuleBreak | undefined {
  const type = mode & S_IFMT;
  if (!FILE_TYPES.includes(type)) return brk('mode: not a file type', mode);
  if (type !== S_IFREG && flags & INO_FLAG_TRUNCATE)
    return brk('mode: not a regular file but flags has TRUNCATE', mode);
  if (type === S_IFLNK && (size === 0n || size >= BigInt(SYMLINK_MAX_SIZE)))
    return brk("size: a symlink's is not 1..4095", size);
  if (type === S_IFDIR && nextReaddirPos < BigInt(DIRPOS_FIRST))
    return brk("next_readdir_pos: a directory's is below 2", nextReaddirPos);
  if (type === S_IFDIR && nlink === 1) return brk("nlink: a directory's is 1", nlink);
  return undefined;
}

/* scoutfs_inode_orphan_invalid() */
export function inodeOrphanInvalid(nlink: number, hasOrphan: boolean): RuleBreak | undefined {
  if (nlink === 0 && !hasOrphan) return brk('nlink: 0 without an orphan item', nlink);
  return undefined;
}

/* scoutfs_extent_key_invalid(): blocks [last - len + 1, last] */
export function extentKeyInvalid(last: bigint, len: bigint, fourth: number): RuleBreak | undefined {
  if (fourth !== 0) return brk('key: fourth is not 0', fourth);
  if (len === 0n || len - 1n > last)
    return brk('key: not a block range (len 0 or above last + 1)', len);
  if (last >= MAX_BLOCKS) return brk('key: past the largest file', last);
  return undefined;
}

/* scoutfs_extent_blocks_invalid(): inside the data device's data area */
export function extentBlocksInvalid(
  blkno: bigint,
  len: bigint,
  flags: number,
  totalDataBlocks: bigint,
): RuleBreak | undefined {
  if (flags & ExtentFlag.OFFLINE)
    return blkno !== 0n ? brk('blkno: an offline extent maps blocks', blkno) : undefined;
  /* C's blkno + len < blkno (a u64 wrap) is an end past any total here */
  if (blkno < BigInt(DATA_DEV_START_BLKNO) || blkno + len > totalDataBlocks)
    return brk("blkno: the blocks are not inside the data device's data area", blkno);
  return undefined;
}

/* scoutfs_index_key_invalid(): (0, META_SEQ|DATA_SEQ, seq, ino, 0), no value */
export function indexKeyInvalid(
  first: bigint,
  type: number,
  fourth: number,
  valLen: number,
): RuleBreak | undefined {
  if (type !== IndexItemType.META_SEQ && type !== IndexItemType.DATA_SEQ)
    return brk('index key: type is not META_SEQ or DATA_SEQ', type);
  if (first !== 0n) return brk('index key: first is not 0', first);
  if (fourth !== 0) return brk('index key: fourth is not 0', fourth);
  if (valLen !== 0) return brk('index item: has a value', valLen);
  return undefined;
}

/* scoutfs_orphan_key_invalid(): (0, ORPHAN, ino, 0, 0), no value */
export function orphanKeyInvalid(
  first: bigint,
  type: number,
  third: bigint,
  fourth: number,
  valLen: number,
): RuleBreak | undefined {
  if (type !== OrphanItemType.ORPHAN) return brk('orphan key: type is not ORPHAN', type);
  if (first !== 0n) return brk('orphan key: first is not 0', first);
  if (third !== 0n) return brk('orphan key: third is not 0', third);
  if (fourth !== 0) return brk('orphan key: fourth is not 0', fourth);
  if (valLen !== 0) return brk('orphan item: has a value', valLen);
  return undefined;
}
