/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SCOUTFS_TRANS_H_
#define _SCOUTFS_TRANS_H_

#include <linux/slab.h>

/*
 * One open transaction per mount.  Every operation that modifies items
 * or allocates holds it for its duration; holds nest within a task and
 * never across a return to userspace.  A commit waits for holders to
 * drain, makes all the transaction's changes durable atomically, and opens
 * the next transaction with the next seq.  Never hold the transaction
 * while waiting on page writeback or locking a page that writeback holds;
 * take it before locking pages (write_begin) and inode locks are taken
 * before it.
 */
int scoutfs_hold_trans(struct super_block *sb);
/* for operations that free space: they may use the last reserved blocks */
int scoutfs_hold_trans_freeing(struct super_block *sb);
/* a merge of log btrees: frees space like the above, never merges itself */
int scoutfs_hold_trans_merging(struct super_block *sb);
void scoutfs_release_trans(struct super_block *sb);
/* free metadata blocks the open transaction's commit may need (merges leave them) */
u64 scoutfs_trans_commit_needed(struct super_block *sb);

/*
 * Allocation flags for memory needed while holding: GFP_NOFS until the
 * hold changed an item (a failure then is ENOMEM to the caller), then
 * also __GFP_NOFAIL, as a change can't be undone and a failure would shut
 * the mount down.  Small allocations only.  scoutfs_trans_changed() is
 * called by the item layer after each change.
 */
gfp_t scoutfs_trans_gfp(void);
void scoutfs_trans_changed(void);
/* a holder changed metadata blocks without dirtying items: commit them */
void scoutfs_trans_mark_dirty(struct super_block *sb);

/*
 * The module's own allocation sites go through these, so that the
 * testing knob fail_alloc can fail the Nth of them (an allocation that
 * may not fail, __GFP_NOFAIL, counts but never fails).
 */
bool scoutfs_alloc_fault(gfp_t gfp);
static inline void *scoutfs_kmalloc(size_t size, gfp_t gfp)
{
	return scoutfs_alloc_fault(gfp) ? NULL : kmalloc(size, gfp);
}

static inline void *scoutfs_kzalloc(size_t size, gfp_t gfp)
{
	return scoutfs_alloc_fault(gfp) ? NULL : kzalloc(size, gfp);
}

/* n * size bytes, maybe vmalloc()ed (kvfree()), in a NOFS context */
void *scoutfs_kvmalloc_array(size_t n, size_t size);

/* the seq of the open transaction: valid while holding it */
u64 scoutfs_trans_seq(struct super_block *sb);
/* the greatest committed (durable) transaction seq */
u64 scoutfs_trans_stable_seq(struct super_block *sb);

/* commit now; with wait, return once durable (or the commit's error) */
int scoutfs_trans_sync(struct super_block *sb, int wait);
/* does the current task hold a transaction (scoutfs_hold_trans)? */
bool scoutfs_trans_held(void);

/* after remount changed commit_interval_ms: re-arm a pending timer with it */
void scoutfs_trans_interval_changed(struct super_block *sb);

/*
 * Remember an inode whose dirty pages must be written before the
 * transaction that allocated their blocks commits (ordered data).
 * Call while holding the transaction.
 */
void scoutfs_trans_track_inode(struct super_block *sb, struct inode *inode);

/*
 * After an unlink or a rename took an inode's last link, with the
 * transaction released: the transaction lets go of the inode it tracked,
 * whose data no reader can see again, so that its last close deletes it
 * at once.  A held reference to an unlinked inode would make the VFS
 * refuse remount,ro (EBUSY) until the next commit.
 */
void scoutfs_trans_untrack_unlinked(struct super_block *sb, struct inode *inode);

/*
 * A change failed part way through its items and cannot be undone: shut
 * the mount down so that the open transaction never commits and the
 * volume keeps its last commit.  Every later hold fails with EIO.
 */
void scoutfs_trans_abort(struct super_block *sb, const char *what, int err);
void scoutfs_trans_stop(struct super_block *sb);
void scoutfs_trans_advance(struct super_block *sb);
void scoutfs_trans_want_advance(struct super_block *sb);

void scoutfs_trans_drop_tracked(struct super_block *sb);
struct scoutfs_net_roots;
void scoutfs_trans_follow(struct super_block *sb, u64 seq);
void scoutfs_trans_committed_roots(struct super_block *sb, struct scoutfs_net_roots *roots);
int scoutfs_trans_setup(struct super_block *sb);
void scoutfs_trans_destroy(struct super_block *sb);

#endif
