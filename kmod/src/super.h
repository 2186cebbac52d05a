/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SCOUTFS_SUPER_H_
#define _SCOUTFS_SUPER_H_

#include <linux/fs.h>
#include <linux/blkdev.h>
#include "format.h"
#include "glue.h"
#include "compat.h"

struct scoutfs_block_cache;
struct scoutfs_item_cache;
struct scoutfs_counters;
struct scoutfs_sysfs_mount;
struct scoutfs_forest_info;
struct scoutfs_lock_info;
struct scoutfs_alloc_info;
struct scoutfs_trans_info;
struct scoutfs_quorum_info;
struct scoutfs_server_info;
struct scoutfs_client_info;

struct scoutfs_sb_info {
	struct super_block *sb;
	struct block_device *meta_bdev;
	struct scoutfs_bdev_claim meta_claim;	/* what closes meta_bdev */
	bool meta_write;	/* meta_bdev is open for writing: not when ro */
	/*
	 * Nothing is written: a read-only mount, or one remounted so.
	 * Ours rather than SB_RDONLY, which the VFS changes only after
	 * reconfigure, where remount,rw already deletes orphans.
	 */
	bool read_only;
	u64 fsid;
	/* random id of this mount among the mounts of the volume */
	u64 rid;
	/* generated from format/mount.ts (gen/glue.h) */
	struct scoutfs_mount_options opts;

	/*
	 * The super block as last committed, updated by the commit under the
	 * transaction's write lock.  Readers that need a field take
	 * trans hold or the items read lock.
	 */
	struct scoutfs_super_block super;

	/* the orphan scan (inode.c): queued while it runs */
	struct delayed_work orphan_work;
	bool orphan_scanning;

	/*
	 * The cluster's seq counter, kept by the server's mount: the next
	 * transaction seq or lock write_seq to hand out, every one greater
	 * than all before (scoutfs_next_seq()); saved as super.seq by each
	 * commit.
	 */
	atomic64_t next_seq;
	/*
	 * Set in a mount whose roots other mounts' commits change (a client
	 * of another mount's server): a block that isn't what a reference
	 * wants is -ESTALE, not corruption, until the roots are refreshed.
	 */
	bool follower;
	/*
	 * Inode numbers: next_ino is persisted at each commit.  A client
	 * uses the run [next_ino, ino_end) the server handed it.
	 */
	spinlock_t ino_lock;
	u64 next_ino;
	u64 ino_end;
	struct mutex ino_mutex;
	atomic64_t inode_count;

	struct scoutfs_block_cache *blocks;
	struct scoutfs_item_cache *items;
	struct scoutfs_forest_info *forest;
	struct scoutfs_lock_info *locks;
	struct scoutfs_alloc_info *alloc;
	struct scoutfs_trans_info *trans;
	struct scoutfs_counters *counters;
	struct scoutfs_sysfs_mount *sysfs;
	struct scoutfs_quorum_info *quorum;
	struct scoutfs_server_info *server;
	struct scoutfs_client_info *client;
};

static inline struct scoutfs_sb_info *SCOUTFS_SB(struct super_block *sb)
{
	return sb->s_fs_info;
}

static inline bool scoutfs_read_only(struct super_block *sb)
{
	return READ_ONCE(SCOUTFS_SB(sb)->read_only);
}

/* allocate a fresh, never used inode number */
u64 scoutfs_next_seq(struct super_block *sb);
int scoutfs_cluster_stable_seq(struct super_block *sb, u64 *seq);
int scoutfs_alloc_ino(struct super_block *sb, u64 *ino);

extern const struct super_operations scoutfs_super_ops;

#endif
