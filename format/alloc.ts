/*
 * Allocators.  Free extents (metadata and data) are items in btrees keyed
 * by end block and by size order.  Metadata for a transaction comes from
 * alloc lists: chains of 64 KiB blocks of block numbers, an "avail" list to
 * allocate from and a "freed" list of blocks freed in the transaction that
 * may only be reused once the transaction is durable.
 */
import type { Flex, le32, le64 } from './types';
import type { BlockHeader, BlockRef } from './block';
import type { BtreeRoot } from './btree';

export interface AllocRoot {
	total_len: le64;
	root: BtreeRoot;
}

export interface AllocListHead {
	ref: BlockRef;
	total_nr: le64;
	first_nr: le32;
	flags: le32;
}

export interface AllocListBlock {
	hdr: BlockHeader;
	next: BlockRef;
	start: le32;
	nr: le32;
	blknos: Flex<le64>;
}

/* A free extent item's value (the key holds end and length). */
export interface FreeExtent {
	blkno: le64;
	len: le64;
}
