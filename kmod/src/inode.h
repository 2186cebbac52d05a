/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SCOUTFS_INODE_H_
#define _SCOUTFS_INODE_H_

#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include "format.h"
#include "compat.h"

struct scoutfs_lock;

/*
 * SCOUTFS_MAX_FILE_SIZE (format/inode.ts), 16 TiB, keeps every byte offset
 * and block number far from the limits of loff_t and of the extent
 * arithmetic; writes and truncates past it fail with EFBIG.  The mount
 * sets s_maxbytes to it.
 */

struct scoutfs_inode_info {
	/*
	 * The fields of the inode item that struct inode doesn't hold.
	 * meta_seq and data_seq are the seqs of the index items the inode
	 * currently has (data_seq only for regular files).
	 */
	u64 meta_seq;
	u64 data_seq;
	u64 data_version;
	u64 online_blocks;
	u64 offline_blocks;
	u64 next_readdir_pos;
	u64 next_xattr_id;
	u64 version;
	u64 proj;
	u32 flags;
	struct timespec64 crtime;

	/* in-memory only: SCOUTFS_INO_STATE_* bits */
	unsigned long state;

	/* serialises writing the inode item and its index items */
	struct mutex item_mutex;
	/* xattr readers against xattr writers (getxattr is unlocked) */
	struct rw_semaphore xattr_rwsem;
	/* block mapping readers against extent changes */
	struct rw_semaphore extent_rwsem;

	/* the lock grant (lock->refresh_gen) the item was last read under */
	u64 refresh_gen;
	/* tasks doing page cache work under a lock (lock.h) */
	spinlock_t lock_tasks_lock;
	struct list_head lock_tasks;
	/* references the lock worker puts later, on its list while any (lock.c) */
	struct list_head lock_iput_head;
	unsigned int lock_iputs;

	struct inode inode;
};

/* blocks past EOF were preallocated by this mount and may need trimming */
#define SCOUTFS_INO_STATE_PREALLOC	0
/* no written blocks were past EOF when last looked (st_blocks) */
#define SCOUTFS_INO_STATE_NONE_PAST_EOF	1

static inline struct scoutfs_inode_info *SCOUTFS_I(struct inode *inode)
{
	return container_of(inode, struct scoutfs_inode_info, inode);
}

static inline u64 scoutfs_ino(struct inode *inode)
{
	return inode->i_ino;
}

/* called by super.c */
struct inode *scoutfs_alloc_inode(struct super_block *sb);
void scoutfs_free_inode(struct inode *inode);
void scoutfs_evict_inode(struct inode *inode);
int scoutfs_drop_inode(struct inode *inode);
struct inode *scoutfs_iget(struct super_block *sb, u64 ino);
/* read the inode item again under lock (lock.c, after a new grant) */
int scoutfs_inode_refresh(struct inode *inode, struct scoutfs_lock *lock);
/* delete inodes left orphaned by a crash; called once mounted */
int scoutfs_orphan_recover(struct super_block *sb);
/*
 * The orphan scan: every orphan_scan_delay_ms, unlinked inodes that are
 * no longer in use (a deletion that failed, or that another mount left)
 * are deleted.  Stopped before the VFS evicts the inodes at unmount.
 */
void scoutfs_orphan_scan_init(struct super_block *sb);
void scoutfs_orphan_scan_start(struct super_block *sb);
void scoutfs_orphan_scan_stop(struct super_block *sb);
int scoutfs_inode_cache_init(void);
void scoutfs_inode_cache_exit(void);

/*
 * Write the inode into its item (call with the transaction held).
 * meta_seq always moves to the transaction's seq;
 */
#define SCOUTFS_UPD_DATA	(1 << 0) /* contents or size changed: data_seq */
#define SCOUTFS_UPD_DATA_VERSION (1 << 1) /* and bump data_version */
/*
 * The update is its hold's first change and the caller changed nothing
 * in memory that it can't keep: a failure that leaves the items as they
 * were returns the error without shutting the mount down.
 */
#define SCOUTFS_UPD_FIRST	(1 << 2)
int scoutfs_update_inode_item(struct inode *inode, unsigned int flags,
			      struct scoutfs_lock *lock);

/* ino from scoutfs_alloc_ino(), lock its WRITE lock */
struct inode *scoutfs_new_inode(struct inode *dir, u64 ino, umode_t mode, dev_t rdev,
				unsigned int nlink, struct scoutfs_lock *lock);
void scoutfs_discard_new_inode(struct inode *inode);
int scoutfs_orphan_add(struct super_block *sb, u64 ino);
int scoutfs_orphan_del(struct super_block *sb, u64 ino);
void scoutfs_inode_add_blocks(struct inode *inode, s64 blocks);

int scoutfs_getattr(struct scoutfs_idmap *idmap, const struct path *path,
		    struct kstat *stat, u32 request_mask, unsigned int query_flags);
int scoutfs_setattr(struct scoutfs_idmap *idmap, struct dentry *dentry,
		    struct iattr *attr);

extern const struct inode_operations scoutfs_special_iops;

#endif
