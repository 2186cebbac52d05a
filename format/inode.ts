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

/* inode_item.flags */
export const INO_FLAG_TRUNCATE = 1;
export const INO_FLAG_RETENTION = 2;

/** @cpu */
export interface InodeItem {
	size: le64;
	meta_seq: le64;
	data_seq: le64;
	data_version: le64;
	online_blocks: le64;
	offline_blocks: le64;
	next_readdir_pos: le64;
	next_xattr_id: le64;
	version: le64;
	proj: le64;
	nlink: le32;
	uid: le32;
	gid: le32;
	mode: le32;
	rdev: le32;
	flags: le32;
	atime: Timespec;
	ctime: Timespec;
	mtime: Timespec;
	crtime: Timespec;
}

/* The value of DIRENT, READDIR and LINK_BACKREF items. */
export interface Dirent {
	ino: le64;
	hash: le64;
	pos: le64;
	type: u8;
	_pad: Pad<7>;
	name: Flex<u8>;
}

/* Part 0 of an xattr: header, name, then the start of the value. */
export interface XattrHdr {
	val_len: le32;
	name_len: u8;
	_pad: Pad<3>;
}

/* data_extent.flags */
export enum ExtentFlag {
	OFFLINE = 1,
	UNWRITTEN = 2,
}

/* DATA_EXTENT item value; the key holds (ino, last logical block, length). */
export interface DataExtent {
	blkno: le64;
	flags: u8;
	_pad: Pad<7>;
}
