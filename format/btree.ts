/*
 * Copy-on-write btree blocks (64 KiB).  Item headers form a sorted array at
 * the front of the block; values are packed from the end of the block
 * towards the headers.  Parent items carry a BlockRef to their child and
 * the greatest key the child may hold.
 */
import type { le16, le32, le64, Pad, u8 } from './types';
import type { BlockHeader, BlockRef } from './block';
import type { Key } from './key';

export const BTREE_MAX_HEIGHT = 20;

/* btree item flags */
export const ITEM_FLAG_DELETION = 1;

export interface BtreeRoot {
  ref: BlockRef;
  height: u8;
  _pad: Pad<7>;
}

/** @rulecheck */
export interface BtreeItem {
  key: Key;
  /* seq of the transaction (or lock grant) that wrote the item */
  seq: le64;
  val_off: le16;
  /** @max ITEM_MAX_VAL_SIZE */
  val_len: le16;
  /** @mask ITEM_FLAG_DELETION */
  flags: u8;
  _pad: Pad<3>;
}

export interface BtreeBlock {
  hdr: BlockHeader;
  nr_items: le32;
  /* offset of the lowest value byte; values grow down from the block end */
  val_start: le32;
  level: u8;
  _pad: Pad<7>;
}
