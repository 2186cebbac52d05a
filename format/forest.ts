/*
 * The forest: every mount writes its commits into its own log btree;
 * readers merge the log btrees and the shared fs btree (the super
 * block's fs_root) by item seq, the greatest winning, a deletion marker
 * (ITEM_FLAG_DELETION) hiding older copies; finalized log btrees are
 * merged into the fs btree in the background and then freed.
 *
 * The super block's logs_root is a btree of one LogTrees item per log
 * btree, keyed zone LOG_TREES, first = the writing mount's rid, type
 * LOG_TREES, second = nr (0, 1, ... for each log btree the mount starts).
 */
import type { le64 } from './types';
import type { BlockRef } from './block';
import type { BtreeRoot } from './btree';
import type { ExtentListRoot } from './alloc';

/* LOG_TREES zone: first = rid, second = nr */
export enum LogTreesItemType {
  LOG_TREES = 4,
}

/* log_trees.flags: no more commits go into it; it waits to be merged */
export const LOG_TREES_FINALIZED = 1;

/** @rulecheck */
export interface LogTrees {
  /* the mount's allocators (a server gives each mount its own; unused on one node) */
  meta_avail: ExtentListRoot;
  meta_freed: ExtentListRoot;
  /* the items of the commits written into this log btree */
  item_root: BtreeRoot;
  /* bloom filter of the lock ranges written (not built yet: zero) */
  bloom_ref: BlockRef;
  data_avail: ExtentListRoot;
  data_freed: ExtentListRoot;
  rid: le64;
  nr: le64;
  /* the first and last transaction seq committed into it */
  get_trans_seq: le64;
  commit_trans_seq: le64;
  /* the greatest item seq in it */
  max_item_seq: le64;
  /* inodes created minus deleted by its commits (two's complement) */
  inode_count_delta: le64;
  /** @mask LOG_TREES_FINALIZED */
  flags: le64;
}
