/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SCOUTFS_LOCK_H_
#define _SCOUTFS_LOCK_H_

#include <linux/fs.h>
#include <linux/list.h>
#include <linux/rbtree.h>
#include <linux/workqueue.h>
#include "format.h"
#include "messages.h"

/*
 * Cluster locks: a mount may read or write an item only while it holds
 * a lock whose key range covers the item's key, in a mode that allows
 * the access.  The ranges (see lock.c) are an inode group (every FS-zone
 * item of SCOUTFS_LOCK_INODE_GROUP_NR inodes), a seq window of one
 * change index, the whole orphan zone, and the name of the global rename
 * lock.
 *
 * Modes (SCOUTFS_LOCK_MODE_*, format/net.ts): READ lets the holder read,
 * WRITE read and change, WRITE_ONLY only blind changes (set, delete_force)
 * that need no read: index and orphan items, which many mounts change at
 * once.  A lock is granted to the mount: any number of its tasks use it at
 * once in the granted mode (tasks of one mount serialise among
 * themselves with the VFS's locks); the mount keeps an idle lock cached
 * until memory pressure or another client of the server wants it.  Every
 * grant comes from the server (server.c's lock table), the one in the
 * mount's own module included: a round trip over the client connection
 * for each lock the mount doesn't hold yet.
 *
 * Order, to never deadlock: VFS locks (i_rwsem), then cluster locks,
 * then the transaction (scoutfs_hold_trans).  Several inode locks are
 * taken at once in key order (scoutfs_lock_inodes), the rename lock
 * before them.  Index and orphan locks are WRITE_ONLY for every writer,
 * and index windows are never read under a lock (walks read committed
 * roots); the orphan zone is read under READ only outside transactions
 * (orphan_exists, the orphan scan).  So index and orphan locks may be
 * taken while holding the transaction.  (With several writing mounts, an
 * invalidation of such a lock that must commit would wait for holders
 * that wait for it: those locks must then move before the hold.)
 */
enum {
	SCOUTFS_LOCK_NULL = SCOUTFS_LOCK_MODE_NULL,
	SCOUTFS_LOCK_READ = SCOUTFS_LOCK_MODE_READ,
	SCOUTFS_LOCK_WRITE = SCOUTFS_LOCK_MODE_WRITE,
	SCOUTFS_LOCK_WRITE_ONLY = SCOUTFS_LOCK_MODE_WRITE_ONLY,
	SCOUTFS_LOCK_NR_MODES,
};

struct scoutfs_lock {
	struct super_block *sb;
	struct scoutfs_key start;
	struct scoutfs_key end;
	/* mode granted to this mount, SCOUTFS_LOCK_NULL while not granted */
	int mode;
	/* local users in each mode */
	unsigned int users[SCOUTFS_LOCK_NR_MODES];
	/*
	 * Changes with every grant from NULL: an inode whose item was read
	 * under another grant reads it again (scoutfs_lock_inode with
	 * SCOUTFS_LKF_REFRESH_INODE).
	 */
	u64 refresh_gen;
	/* the last transaction that changed items under this lock */
	u64 dirty_trans_seq;
	/* the server's write_seq of the last WRITE or WRITE_ONLY grant */
	u64 write_seq;

	/* lock.c's, under its spinlock */
	struct rb_node node;
	struct list_head lru;		/* on the LRU or the give-back list */
	bool on_lru;
	int req_mode;			/* the request in flight, -1 for none */
	unsigned int req_sending;	/* ... being queued on the connection */
	u64 req_seq;			/* counts requests sent */
	u64 err_seq;			/* the request that failed with req_err */
	int req_err;
	unsigned int waiters;		/* tasks waiting, and the invalidation: pins it */
	bool pages;			/* page cache work was done under it */
	bool inv_pending;		/* an invalidation is being carried out */
	bool inv_giveback;		/* ... of our own: the lock is given back */
	u8 inv_mode;			/* ... down to this mode */
	u64 inv_id;			/* ... answering the server's request id */
	bool inv_hold;			/* ... not yet: new uses go on meanwhile */
	struct delayed_work inv_work;	/* ... by this work */
	unsigned long write_at;		/* jiffies of the last grant up to WRITE */
	u64 used_ns;			/* ktime of the last use's end */
};

/* flags */
#define SCOUTFS_LKF_REFRESH_INODE	0x1	/* reread the inode item if stale */

int scoutfs_lock_inode(struct super_block *sb, int mode, int flags,
		       struct inode *inode, struct scoutfs_lock **ret_lock);
int scoutfs_lock_ino(struct super_block *sb, int mode, int flags, u64 ino,
		     struct scoutfs_lock **ret_lock);
/*
 * Up to four inodes (NULL for none) in one mode, in key order; inodes of
 * one group share a lock (the same pointer is returned for each).  On
 * error nothing is held.
 */
int scoutfs_lock_inodes(struct super_block *sb, int mode, int flags,
			struct inode *a, struct scoutfs_lock **a_lck,
			struct inode *b, struct scoutfs_lock **b_lck,
			struct inode *c, struct scoutfs_lock **c_lck,
			struct inode *d, struct scoutfs_lock **d_lck);
/* a directory and the number of an inode about to be created in it */
int scoutfs_lock_inode_new(struct super_block *sb, int mode, int flags,
			   struct inode *dir, struct scoutfs_lock **dir_lock,
			   u64 ino, struct scoutfs_lock **ino_lock);
/* give back the locks of scoutfs_lock_inodes (each distinct one once) */
void scoutfs_unlock_inodes(struct super_block *sb, int mode, struct scoutfs_lock *a,
			   struct scoutfs_lock *b, struct scoutfs_lock *c, struct scoutfs_lock *d);
/* the seq window of an index type (SCOUTFS_INDEX_ITEM_TYPE_*) holding seq */
int scoutfs_lock_index(struct super_block *sb, int mode, u8 type, u64 seq,
		       struct scoutfs_lock **ret_lock);
int scoutfs_lock_orphans(struct super_block *sb, int mode, struct scoutfs_lock **ret_lock);
int scoutfs_lock_rename(struct super_block *sb, int mode, struct scoutfs_lock **ret_lock);

/* give back one use of lock in mode; a NULL lock is ignored */
void scoutfs_unlock(struct super_block *sb, struct scoutfs_lock *lock, int mode);

/*
 * For the item layer: is key inside the lock's range, and does a mode in
 * use allow reading (write false) or the change (write true, blind for
 * set and delete_force)?
 */
u64 scoutfs_lock_item_seq(struct super_block *sb, u64 trans_seq);
u64 scoutfs_lock_refresh_gen_now(struct super_block *sb);
bool scoutfs_lock_gen_granted(struct super_block *sb, u64 ino, u64 gen);
bool scoutfs_lock_allows(struct scoutfs_lock *lock, const struct scoutfs_key *key,
			 bool write, bool blind);

/*
 * A task that starts page cache work which reads or changes extent items
 * (read_iter, write_iter, faults, fallocate, truncate) records the inode
 * lock it holds here; the block mapping callbacks find it with
 * scoutfs_lock_find_task().  Writeback, which no task of ours starts,
 * uses the mount's granted lock (scoutfs_lock_find_granted): dirty pages
 * only exist while the mount holds the inode's lock for WRITE, and
 * giving that up writes them first.
 */
struct scoutfs_lock_task {
	struct list_head head;
	struct task_struct *task;
	struct scoutfs_lock *lock;
	int mode;			/* the mode the task uses it in */
};
void scoutfs_lock_task_add(struct inode *inode, struct scoutfs_lock_task *lt,
			   struct scoutfs_lock *lock, int mode);
void scoutfs_lock_task_del(struct inode *inode, struct scoutfs_lock_task *lt);
struct scoutfs_lock *scoutfs_lock_find_task(struct inode *inode);
/* scoutfs_lock_inode (refreshed) and scoutfs_lock_task_add in one, and back */
int scoutfs_lock_inode_task(struct inode *inode, int mode, struct scoutfs_lock_task *lt,
			    struct scoutfs_lock **ret_lock);
void scoutfs_unlock_inode_task(struct inode *inode, int mode, struct scoutfs_lock_task *lt,
			       struct scoutfs_lock *lock);
/*
 * The inode's lock if granted in a mode covering mode, with a use taken;
 * strict: not if an invalidation is taking that mode away (a caller that
 * holds no folio lock and can do without).
 */
struct scoutfs_lock *scoutfs_lock_find_granted(struct inode *inode, int mode, bool strict);

/*
 * The server's side: NULL when start..end is exactly one of the ranges
 * above, else why not.
 */
const char *scoutfs_lock_range_invalid(const struct scoutfs_key *start,
				       const struct scoutfs_key *end);

/*
 * From the client connection: the answer to a request of this mount
 * (err, or nl the grant), and the server asking this mount to go down
 * to a mode (an invalidation, answered with scoutfs_client_lock_answer
 * once carried out; 0 when accepted, else the error to answer now).
 */
struct scoutfs_net_lock;
void scoutfs_lock_granted(struct super_block *sb, struct scoutfs_lock *lock, int err,
			  const struct scoutfs_net_lock *nl);
int scoutfs_lock_invalidate(struct super_block *sb, u64 id, const struct scoutfs_net_lock *nl);

/* counters for sysfs/debugging */
unsigned long scoutfs_lock_nr_cached(struct super_block *sb);

int scoutfs_lock_setup(struct super_block *sb);
/* finish invalidations and give-backs, take no more: before the client goes */
void scoutfs_lock_shutdown(struct super_block *sb);
int scoutfs_lock_open_ino(struct super_block *sb, u64 id, u64 ino);
void scoutfs_lock_destroy(struct super_block *sb);

#endif
