/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SCOUTFS_ALLOC_H_
#define _SCOUTFS_ALLOC_H_

/*
 * Block allocators of the metadata (64 KiB blocks) and data (4 KiB
 * blocks) devices.  Call with the transaction held.  Freed blocks are
 * reusable only after the transaction that freed them is durable.
 */

/*
 * Allocate up to *count contiguous data blocks, preferably at or after
 * hint; on success *blkno and *count (>= 1) describe the extent.
 * -ENOSPC when the data device is full.
 */
int scoutfs_alloc_data(struct super_block *sb, u64 hint, u64 *blkno, u64 *count);
/* free data blocks; they stay in use until this transaction is durable */
int scoutfs_free_data(struct super_block *sb, u64 blkno, u64 count);

/* used by the btree and the commit */
int scoutfs_alloc_meta(struct super_block *sb, u64 *blkno);
int scoutfs_free_meta(struct super_block *sb, u64 blkno, u64 block_seq);
int scoutfs_free_meta_unwritten(struct super_block *sb, u64 blkno);

u64 scoutfs_alloc_free_meta_blocks(struct super_block *sb);
u64 scoutfs_alloc_free_data_blocks(struct super_block *sb);
u64 scoutfs_alloc_meta_low(struct super_block *sb, bool reset);
u64 scoutfs_alloc_list_blocks(struct super_block *sb, u64 blocks);

int scoutfs_alloc_setup(struct super_block *sb);
int scoutfs_alloc_load_super(struct super_block *sb);
void scoutfs_alloc_destroy(struct super_block *sb);
/* commit: write the allocator lists into the super block being committed */
int scoutfs_alloc_write(struct super_block *sb, struct scoutfs_extent_list_root *roots[4], u64 seq);
int scoutfs_alloc_load(struct super_block *sb, const struct scoutfs_log_trees *lt);
bool scoutfs_alloc_data_low(struct super_block *sb);
int scoutfs_alloc_reclaim(struct super_block *sb, struct scoutfs_log_trees *lt);
int scoutfs_alloc_fill(struct super_block *sb, struct scoutfs_log_trees *lt, u64 meta, u64 data,
		       u64 seq);
/* commit done and durable: blocks freed in it become free */
void scoutfs_alloc_committed(struct super_block *sb);

#endif
