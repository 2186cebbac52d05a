/*
 * Btree blocks as the utilities see them: building a leaf (mkfs) and
 * walking a tree (print, check).  Layout (format/btree.ts): BtreeBlock
 * header, then nr_items BtreeItem headers sorted by key, values packed
 * from the end of the 64 KiB block down to val_start.  Parent items carry
 * a BlockRef to the child whose greatest key is the item's key.
 */
import {
  BLOCK_LG_SIZE,
  BlockMagic,
  BlockRef,
  BtreeBlock,
  BtreeItem,
  BtreeRoot,
  Key,
} from '../gen/format';
import { blockProblem, sealBlock } from './crc';
import { compareKeys, keyString } from './key';

export interface Item {
  key: Key;
  seq: bigint;
  flags: number;
  value: Uint8Array;
}

export const ITEMS_OFF = BtreeBlock.SIZE;

export function buildLeaf(items: Item[], fsid: bigint, blkno: bigint, seq: bigint): Uint8Array {
  const sorted = [...items].sort((a, b) => compareKeys(a.key, b.key));
  const block = new Uint8Array(BLOCK_LG_SIZE);
  let valStart = BLOCK_LG_SIZE;
  sorted.forEach((it, i) => {
    valStart -= it.value.length;
    block.set(it.value, valStart);
    BtreeItem.encode(
      {
        key: it.key,
        seq: it.seq,
        val_off: it.value.length ? valStart : 0,
        val_len: it.value.length,
        flags: it.flags,
      },
      block,
      ITEMS_OFF + i * BtreeItem.SIZE,
    );
  });
  if (ITEMS_OFF + sorted.length * BtreeItem.SIZE > valStart)
    throw new Error(`leaf overflow: ${sorted.length} items do not fit a block`);
  BtreeBlock.encode(
    {
      hdr: { crc: 0, magic: BlockMagic.BTREE, fsid, seq, blkno },
      nr_items: sorted.length,
      val_start: valStart,
      level: 0,
    },
    block,
  );
  return sealBlock(block);
}

export interface WalkedBlock {
  blkno: bigint;
  level: number;
  items: Item[];
}

export type ReadBlock = (blkno: bigint) => Uint8Array;

/* Decode a btree block, throwing a description of whatever is wrong. */
export function decodeBtreeBlock(block: Uint8Array, ref: BlockRef, fsid: bigint): WalkedBlock {
  const problem = blockProblem(block, {
    magic: BlockMagic.BTREE,
    blkno: ref.blkno,
    seq: ref.seq,
    fsid,
  });
  if (problem) throw new Error(`btree block ${ref.blkno}: ${problem}`);
  const b = BtreeBlock.decode(block);
  const maxItems = Math.floor((BLOCK_LG_SIZE - ITEMS_OFF) / BtreeItem.SIZE);
  if (b.nr_items > maxItems)
    throw new Error(`btree block ${ref.blkno}: nr_items ${b.nr_items} exceeds ${maxItems}`);
  const items: Item[] = [];
  for (let i = 0; i < b.nr_items; i++) {
    const h = BtreeItem.decode(block, ITEMS_OFF + i * BtreeItem.SIZE);
    if (
      h.val_len &&
      (h.val_off < ITEMS_OFF + b.nr_items * BtreeItem.SIZE || h.val_off + h.val_len > BLOCK_LG_SIZE)
    )
      throw new Error(
        `btree block ${ref.blkno}: item ${i} value [${h.val_off}, +${h.val_len}) outside the block's value area`,
      );
    items.push({
      key: h.key,
      seq: h.seq,
      flags: h.flags,
      value: block.slice(h.val_off, h.val_off + h.val_len),
    });
    if (i && compareKeys(items[i - 1].key, h.key) >= 0)
      throw new Error(
        `btree block ${ref.blkno}: item ${i} key ${keyString(h.key)} is not greater than its predecessor`,
      );
  }
  return { blkno: ref.blkno, level: b.level, items };
}

/* Visit every block of a tree, parents before children. */
export function walkTree(
  root: BtreeRoot,
  fsid: bigint,
  read: ReadBlock,
  visit: (b: WalkedBlock) => void,
): void {
  if (root.height === 0) return;
  const rec = (ref: BlockRef, expectLevel: number) => {
    const b = decodeBtreeBlock(read(ref.blkno), ref, fsid);
    if (b.level !== expectLevel)
      throw new Error(`btree block ${ref.blkno}: level ${b.level}, expected ${expectLevel}`);
    visit(b);
    if (b.level > 0) for (const it of b.items) rec(BlockRef.decode(it.value), b.level - 1);
  };
  rec(root.ref, root.height - 1);
}

/* All leaf items in key order. */
export function treeItems(root: BtreeRoot, fsid: bigint, read: ReadBlock): Item[] {
  const out: Item[] = [];
  walkTree(root, fsid, read, (b) => {
    if (b.level === 0) out.push(...b.items);
  });
  return out;
}
