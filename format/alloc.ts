/*
 * Allocators.
 *
 * Free space of each device is a set of free extents.  A mount keeps the
 * set in memory and persists it at every commit as a chain of extent-list
 * blocks written copy-on-write to fresh metadata blocks; the super block
 * points at the head.  Blocks freed during a transaction are held aside and
 * only join the free set once that transaction's super block is durable,
 * so nothing a durable root references is ever overwritten.  Keeping the
 * allocator out of the btree means allocating never recurses into btree
 * edits.  (The cluster's server-owned allocators will add their own
 * structures; this is the single-node allocator.)
 */
import type { Flex, le32, le64, Pad } from './types';
import type { BlockHeader, BlockRef } from './block';

export interface FreeExtent {
  blkno: le64;
  /** @min 1 */
  len: le64;
}

export interface ExtentListRoot {
  ref: BlockRef;
  nr_extents: le64;
  total_free: le64;
}

/** @padcheck */
export interface ExtentListBlock {
  hdr: BlockHeader;
  next: BlockRef;
  nr: le32;
  _pad: Pad<4>;
  extents: Flex<FreeExtent>;
}
