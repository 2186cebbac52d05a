/*
 * Devices, blocks, block headers and the super block.
 *
 * Metadata lives in 64 KiB blocks on the metadata device; the super block,
 * quorum blocks and file data use 4 KiB blocks.  The first 64 KiB of both
 * devices are left alone (boot loaders, labels).  Every metadata block starts
 * with a BlockHeader whose crc32c covers the rest of the block.
 */
import type { Arr, le16, le32, le64, Pad, u8 } from './types';
import type { BtreeRoot } from './btree';
import type { ExtentListRoot } from './alloc';

export const BLOCK_SM_SHIFT = 12;
export const BLOCK_SM_SIZE = 1 << BLOCK_SM_SHIFT;
export const BLOCK_LG_SHIFT = 16;
export const BLOCK_LG_SIZE = 1 << BLOCK_LG_SHIFT;
export const BLOCK_SM_PER_LG_SHIFT = BLOCK_LG_SHIFT - BLOCK_SM_SHIFT;

/* Fixed locations, in 4 KiB block numbers. */
export const SUPER_BLKNO = 16;
export const QUORUM_BLKNO = 17;
export const QUORUM_MAX_SLOTS = 15;
/* the greatest slot number */
export const QUORUM_LAST_SLOT = QUORUM_MAX_SLOTS - 1;
/* First allocatable metadata block (64 KiB units) and data block (4 KiB units). */
export const META_DEV_START_BLKNO = 2;
export const DATA_DEV_START_BLKNO = 64;

/* The smallest devices mkfs accepts (bytes). */
export const MIN_META_DEV_BYTES = 64n * 1024n * 1024n;
export const MIN_DATA_DEV_BYTES = 16n * 1024n * 1024n;

/* Distinct magic numbers per block kind. */
export enum BlockMagic {
  SUPER = 0x103c428b,
  BTREE = 0xe597f96d,
  EXTENT_LIST = 0x5e6f7a8b,
  QUORUM = 0xbc310868,
  BLOOM = 0x31d48e9c,
}

/* Format versions: append-only. */
export enum FormatVersion {
  V1 = 1,
}
export const FORMAT_VERSION_MIN = 1;
export const FORMAT_VERSION_MAX = 1;

/* super.flags */
export const SUPER_FLAG_META_DEV = 1;

/*
 * crc: crc32c seeded with ~0 without final inversion, over the block from
 * the byte after crc to the end of the block.
 */
export interface BlockHeader {
  crc: le32;
  magic: le32;
  fsid: le64;
  seq: le64;
  blkno: le64;
}

/* A reference to a metadata block: reads verify both blkno and seq. */
export interface BlockRef {
  blkno: le64;
  seq: le64;
}

export interface Timespec {
  sec: le64;
  /** @max 999999999 */
  nsec: le32;
  _pad: Pad<4>;
}

/* quorum slot address family */
export enum QuorumAddrFamily {
  UNUSED = 0,
  IPV4 = 1,
}

export interface QuorumSlot {
  addr: le32;
  port: le16;
  family: u8;
  _pad: Pad<1>;
}

export interface QuorumConfig {
  version: le64;
  slots: Arr<QuorumSlot, 15>;
}

/** @padcheck */
export interface SuperBlock {
  hdr: BlockHeader;
  format_hash: le64;
  version: le64;
  flags: le64;
  uuid: Arr<u8, 16>;
  /* the next transaction seq: never reused */
  seq: le64;
  next_ino: le64;
  inode_count: le64;
  /* 64 KiB blocks */
  total_meta_blocks: le64;
  first_meta_blkno: le64;
  /* 4 KiB blocks */
  total_data_blocks: le64;
  first_data_blkno: le64;
  quorum: QuorumConfig;
  /* free 64 KiB blocks of the metadata device */
  meta_free: ExtentListRoot;
  /* free 4 KiB blocks of the data device */
  data_free: ExtentListRoot;
  /*
   * Blocks freed by the transaction this super block commits: free once
   * it is durable, so mount adds them to the free sets.
   */
  meta_freed: ExtentListRoot;
  data_freed: ExtentListRoot;
  /* all filesystem items, merged from the log btrees */
  fs_root: BtreeRoot;
  /* one LogTrees item per log btree not yet merged (format/forest.ts) */
  logs_root: BtreeRoot;
}
