/*
 * Inode, directory, xattr, symlink and data extent items of the FS zone.
 */
import type { Flex, le32, le64, Pad, u8 } from './types';
import type { Timespec } from './block';

export const ROOT_INO = 1;
export const FIRST_USER_INO = 1024;
export const LOCK_INODE_GROUP_NR = 1024;
/* readdir positions 0 and 1 are "." and ".." */
export const DIRPOS_FIRST = 2;
export const NAME_LEN = 255;
export const SYMLINK_MAX_SIZE = 4096;
export const XATTR_MAX_NAME_LEN = 255;
export const XATTR_MAX_VAL_LEN = 65536;
/* The largest file size (16 TiB) and the most 4 KiB blocks a file can hold. */
export const MAX_FILE_SIZE = 1n << 44n;
export const MAX_FILE_BLOCKS = MAX_FILE_SIZE >> 12n;
/* The most links an inode can have (s_max_links). */
export const LINK_MAX = 0x7fffffff;
/* The largest d_type a directory entry records (DT_WHT). */
export const DIRENT_TYPE_MAX = 14;
/* S_IFMT | 07777: the bits of a mode. */
export const MODE_BITS = 0xffff;

/* inode_item.flags */
export const INO_FLAG_TRUNCATE = 1;
export const INO_FLAG_RETENTION = 2;

/*
 * Field tags (@min, @max, @mask) are rules every reader enforces: the
 * kernel refuses an item that breaks one with EUCLEAN, `scoutfs check`
 * reports it.  Rules between fields (nlink against the file type and the
 * orphan item, size against the type) are in the kernel's inode.c and in
 * check.
 */
/**
 * @cpu
 * @rulecheck
 */
export interface InodeItem {
  /** @max MAX_FILE_SIZE */
  size: le64;
  meta_seq: le64;
  data_seq: le64;
  data_version: le64;
  /** @max MAX_FILE_BLOCKS */
  online_blocks: le64;
  /** @max MAX_FILE_BLOCKS */
  offline_blocks: le64;
  next_readdir_pos: le64;
  /** @min 1 */
  next_xattr_id: le64;
  version: le64;
  proj: le64;
  /** @max LINK_MAX */
  nlink: le32;
  uid: le32;
  gid: le32;
  /** @mask MODE_BITS */
  mode: le32;
  rdev: le32;
  /** @mask INO_FLAG_TRUNCATE | INO_FLAG_RETENTION */
  flags: le32;
  atime: Timespec;
  ctime: Timespec;
  mtime: Timespec;
  crtime: Timespec;
}

/* The value of DIRENT, READDIR and LINK_BACKREF items. */
/** @rulecheck */
export interface Dirent {
  /** @min 1 */
  ino: le64;
  hash: le64;
  /** @min DIRPOS_FIRST */
  pos: le64;
  /** @max DIRENT_TYPE_MAX */
  type: u8;
  _pad: Pad<7>;
  name: Flex<u8>;
}

/* Part 0 of an xattr: header, name, then the start of the value. */
/** @rulecheck */
export interface XattrHdr {
  /** @max XATTR_MAX_VAL_LEN */
  val_len: le32;
  /** @min 1 */
  name_len: u8;
  _pad: Pad<3>;
}

/* data_extent.flags */
export enum ExtentFlag {
  OFFLINE = 1,
  UNWRITTEN = 2,
}

/* DATA_EXTENT item value; the key holds (ino, last logical block, length). */
/** @rulecheck */
export interface DataExtent {
  blkno: le64;
  /** @mask ExtentFlag */
  flags: u8;
  _pad: Pad<7>;
}
