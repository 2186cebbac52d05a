/*
 * Item keys.  Every piece of filesystem metadata is an item in a btree,
 * addressed by a fixed-size key compared field by field in the order
 * zone, first, type, second, third, fourth.  All FS-zone items of an inode
 * share first = ino so they cluster, and an inode group is one key range.
 */
import type { le64, Pad, u8 } from './types';

export enum KeyZone {
  INODE_INDEX = 4,
  ORPHAN = 8,
  FS = 16,
  LOCK = 20,
  LOG_TREES = 24,
  MOUNTED_CLIENT = 28,
}

/* INODE_INDEX zone: first 0, second = seq (major), third = ino */
export enum IndexItemType {
  META_SEQ = 4,
  DATA_SEQ = 8,
}

/* ORPHAN zone: second = ino */
export enum OrphanItemType {
  ORPHAN = 4,
}

/* FS zone: first = ino */
export enum FsItemType {
  INODE = 4,
  XATTR = 8,
  DIRENT = 12,
  READDIR = 16,
  LINK_BACKREF = 20,
  SYMLINK = 24,
  DATA_EXTENT = 28,
}

/* LOCK zone: names that are never stored. */
export enum LockItemType {
  RENAME = 4,
}

export interface Key {
  first: le64;
  second: le64;
  third: le64;
  fourth: u8;
  type: u8;
  zone: u8;
  _pad: Pad<5>;
}

/* Largest value an item can carry; bigger payloads are split into parts. */
export const ITEM_MAX_VAL_SIZE = 896;
