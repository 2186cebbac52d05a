/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SCOUTFS_ITEM_RULES_H_
#define _SCOUTFS_ITEM_RULES_H_

/*
 * The rules between an item's fields (and between an item and its key)
 * that the schema's per-field rules (gen/rules.c) cannot say.  Pure
 * functions of plain numbers, so that a userspace test builds this
 * header and runs it against `scoutfs check`'s copies of the same rules
 * (utils/src/lib/item-rules.ts) over one table of cases
 * (test/unit/item-rules-c-ts.test.ts).  Each returns the reason the item
 * can't be trusted, naming the field, with the bad value in *bad; or
 * NULL.  The strings are compared with the TS ones: change both.
 */
#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/stat.h>
#else
#include <sys/stat.h>
#endif
#include "format.h"

/* an inode item's mode, flags, size and counts, as read */
static inline const char *scoutfs_inode_fields_invalid(u32 mode, u32 flags, u64 size,
						       u64 next_readdir_pos, u32 nlink,
						       u64 *bad)
{
	u32 type = mode & S_IFMT;

	*bad = mode;
	if (type != S_IFREG && type != S_IFDIR && type != S_IFLNK &&
	    type != S_IFCHR && type != S_IFBLK && type != S_IFIFO &&
	    type != S_IFSOCK)
		return "mode: not a file type";
	if (type != S_IFREG && (flags & SCOUTFS_INO_FLAG_TRUNCATE))
		return "mode: not a regular file but flags has TRUNCATE";
	*bad = size;
	if (type == S_IFLNK &&
	    (size == 0 || size >= SCOUTFS_SYMLINK_MAX_SIZE))
		return "size: a symlink's is not 1..4095";
	*bad = next_readdir_pos;
	if (type == S_IFDIR && next_readdir_pos < SCOUTFS_DIRPOS_FIRST)
		return "next_readdir_pos: a directory's is below 2";
	/* an empty directory has 2 links, its parent's entry and its "." */
	*bad = nlink;
	if (type == S_IFDIR && nlink == 1)
		return "nlink: a directory's is 1";
	return NULL;
}

/*
 * An unlinked inode must have its orphan item, or its eviction would
 * delete the items of an inode a directory still names.
 */
static inline const char *scoutfs_inode_orphan_invalid(u32 nlink, int has_orphan, u64 *bad)
{
	*bad = nlink;
	if (nlink == 0 && !has_orphan)
		return "nlink: 0 without an orphan item";
	return NULL;
}

/* a data extent's key: blocks [last - len + 1, last] of the largest file */
static inline const char *scoutfs_extent_key_invalid(u64 last, u64 len, u8 fourth, u64 *bad)
{
	*bad = fourth;
	if (fourth != 0)
		return "key: fourth is not 0";
	*bad = len;
	if (len == 0 || len - 1 > last)
		return "key: not a block range (len 0 or above last + 1)";
	*bad = last;
	if (last >= (SCOUTFS_MAX_FILE_SIZE >> SCOUTFS_BLOCK_SM_SHIFT))
		return "key: past the largest file";
	return NULL;
}

/*
 * A data extent's blocks: an offline extent maps none; an online one
 * lies inside the data device's data area, never over its super block,
 * the blocks before it, or past the end (total_data_blocks), and its end
 * doesn't wrap.
 */
static inline const char *scoutfs_extent_blocks_invalid(u64 blkno, u64 len, u8 flags,
							u64 total_data_blocks, u64 *bad)
{
	*bad = blkno;
	if (flags & SCOUTFS_EXTENT_FLAG_OFFLINE) {
		if (blkno != 0)
			return "blkno: an offline extent maps blocks";
		return NULL;
	}
	if (blkno < SCOUTFS_DATA_DEV_START_BLKNO || blkno + len < blkno ||
	    blkno + len > total_data_blocks)
		return "blkno: the blocks are not inside the data device's data area";
	return NULL;
}

/* an inode index item: zone INODE_INDEX, (0, type, seq, ino, 0), no value */
static inline const char *scoutfs_index_key_invalid(u64 first, u8 type, u8 fourth,
						    int val_len, u64 *bad)
{
	*bad = type;
	if (type != SCOUTFS_INDEX_ITEM_TYPE_META_SEQ &&
	    type != SCOUTFS_INDEX_ITEM_TYPE_DATA_SEQ)
		return "index key: type is not META_SEQ or DATA_SEQ";
	*bad = first;
	if (first != 0)
		return "index key: first is not 0";
	*bad = fourth;
	if (fourth != 0)
		return "index key: fourth is not 0";
	*bad = val_len;
	if (val_len != 0)
		return "index item: has a value";
	return NULL;
}

/* an orphan item: zone ORPHAN, (0, ORPHAN, ino, 0, 0), no value */
static inline const char *scoutfs_orphan_key_invalid(u64 first, u8 type, u64 third, u8 fourth,
						     int val_len, u64 *bad)
{
	*bad = type;
	if (type != SCOUTFS_ORPHAN_ITEM_TYPE_ORPHAN)
		return "orphan key: type is not ORPHAN";
	*bad = first;
	if (first != 0)
		return "orphan key: first is not 0";
	*bad = third;
	if (third != 0)
		return "orphan key: third is not 0";
	*bad = fourth;
	if (fourth != 0)
		return "orphan key: fourth is not 0";
	*bad = val_len;
	if (val_len != 0)
		return "orphan item: has a value";
	return NULL;
}

#endif
