/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SCOUTFS_BLOCK_H_
#define _SCOUTFS_BLOCK_H_

#include "format.h"

struct scoutfs_block {
	struct rb_node node;
	struct list_head lru_head;
	struct list_head dirty_head;
	u64 blkno;
	refcount_t refcount;
	unsigned long flags;
	void *data;
};

/*
 * Read a metadata block through a reference and verify it: checksum (once,
 * when read from disk), magic, fsid, blkno and seq.  Returns -EIO (after a
 * message) for a block that fails verification.
 */
struct scoutfs_block *scoutfs_block_read_ref(struct super_block *sb,
					     const struct scoutfs_block_ref *ref,
					     u32 magic);
/* a new, zeroed, dirty block with an initialised header */
struct scoutfs_block *scoutfs_block_new(struct super_block *sb, u64 blkno,
					u32 magic, u64 seq);
void scoutfs_block_put(struct super_block *sb, struct scoutfs_block *bl);
bool scoutfs_block_is_dirty(struct scoutfs_block *bl);

/*
 * Drop a dirty block the open commit wrote and no longer references from
 * the dirty blocks and the cache: it is never written.  The caller's
 * reference stays for it to put.
 */
void scoutfs_block_forget(struct super_block *sb, struct scoutfs_block *bl);

/* commit: checksum and write every dirty block, wait for all */
int scoutfs_block_write_dirty(struct super_block *sb);

/* 4 KiB super block I/O */
int scoutfs_block_read_super(struct super_block *sb, struct block_device *bdev,
			     struct scoutfs_super_block *super);
int scoutfs_block_write_super(struct super_block *sb,
			      const struct scoutfs_super_block *super);

/*
 * Synchronous I/O of one 4 KiB block of the metadata device (the quorum
 * blocks): opf REQ_OP_READ, or REQ_OP_WRITE with the flags that make it
 * durable; buf is kmalloc'd, 4 KiB.
 */
int scoutfs_block_sm_io(struct super_block *sb, blk_opf_t opf, u64 blkno, void *buf);

u32 scoutfs_block_crc(const void *data, unsigned int size);

int scoutfs_block_setup(struct super_block *sb);
void scoutfs_block_destroy(struct super_block *sb);

#endif
