// SPDX-License-Identifier: GPL-2.0
/*
 * trans.c: transactions and the commit.
 *
 * Operations hold the open transaction (a read lock, nesting within a task
 * through current->journal_info).  A commit write-locks it, so it runs
 * between operations, and then:
 *   1. writes and waits for the dirty pages of inodes whose blocks were
 *      allocated in the transaction (ordered data: no committed extent
 *      ever points at unwritten contents),
 *   2. applies the dirty items to the btree (copy-on-write, new blocks),
 *   3. writes the allocator lists, then all new metadata blocks,
 *   4. flushes the data device and writes the super block with
 *      preflush+FUA: the commit point,
 *   5. returns blocks freed in the transaction to the allocator and opens
 *      the next transaction with the next seq.
 * Commits happen on sync/fsync/syncfs, on a timer after the first change,
 * and when a hold finds too many dirty items or too little metadata space;
 * never on a read-only mount, where holds fail with EROFS.
 * A commit that fails to write leaves the mount shut down (holds return
 * -EIO), never half-applied on disk: the previous super stays the truth.
 */
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/workqueue.h>
#include <linux/pagemap.h>
#include <linux/blkdev.h>
#include <linux/xarray.h>

#include "format.h"
#include "glue.h"
#include "super.h"
#include "block.h"
#include "item.h"
#include "alloc.h"
#include "trans.h"
#include "msg.h"
#include "forest.h"
#include "counters.h"
#include "client.h"

/* commit when this many items are dirty */
#define DIRTY_ITEMS_LIMIT	(64 * 1024)
#define DIRTY_BYTES_LIMIT	(32 << 20)
/*
 * The most items and value bytes one hold may dirty: an inode deletion
 * batch (256 items), a 64 KiB xattr's parts (75) and the inode and index
 * items around them.
 */
#define HOLD_ITEMS		512
#define HOLD_BYTES		(160 << 10)
/* a btree item header and key, per item a leaf holds */
#define ITEM_BYTES		sizeof(struct scoutfs_btree_item)
/* the fewest references a parent block holds: it is at least half full */
#define PARENT_FANOUT_MIN	((SCOUTFS_BLOCK_LG_SIZE / 2) / \
				 (sizeof(struct scoutfs_btree_item) + \
				  sizeof(struct scoutfs_block_ref)))
/*
 * Free metadata blocks that only space-freeing holds (unlink, rmdir,
 * truncate down, removexattr, inode deletion) may use: a volume that
 * filled up can always be emptied, since everything else stops this far
 * above the commit's own needs.
 */
#define FREEING_RESERVE		64

struct scoutfs_trans_info {
	struct super_block *sb;
	struct rw_semaphore rwsem;
	struct mutex commit_mutex;
	u64 seq;
	u64 stable_seq;
	/* the server's mount: the roots its last commit made durable */
	spinlock_t roots_lock;
	struct scoutfs_net_roots roots;
	/* a client: inode_count at its last commit (it sends the change) */
	s64 inode_base;
	int shutdown;
	bool next_ino_dirty;
	/* a merge changed blocks (scoutfs_trans_mark_dirty) */
	bool blocks_dirty;
	/* a client asked to move its empty transaction to a fresh seq */
	bool advance_wanted;
	struct workqueue_struct *wq;
	struct delayed_work commit_work;
	/*
	 * Inodes with blocks allocated in the open transaction, by ino.  Each
	 * transaction gets its own xarray: the commit detaches it and puts
	 * the inodes after unlocking, while the next one fills a new one.
	 */
	struct xarray *tracked;
};

#define TRANS(sb) (SCOUTFS_SB(sb)->trans)

/*
 * current->journal_info: this task's hold depth, and flags.  CHANGED once
 * the hold changed an item (from then on a failure can't be undone, so
 * allocations use __GFP_NOFAIL: scoutfs_trans_gfp()); WAS_NOFS when the
 * task was in a NOFS allocation scope before its outermost hold, which
 * enters one (reclaim must never recurse into the filesystem while it
 * holds the transaction).  The commit sets CHANGED alone while it writes.
 */
#define HOLD_DEPTH_MASK		0xffffUL
#define HOLD_CHANGED		(1UL << 16)
#define HOLD_WAS_NOFS		(1UL << 17)

static unsigned long hold_info(void)
{
	return (unsigned long)current->journal_info;
}

static unsigned long hold_depth(void)
{
	return hold_info() & HOLD_DEPTH_MASK;
}

static void set_hold_info(unsigned long info)
{
	current->journal_info = (void *)info;
}

/* does the current task hold a transaction? */
bool scoutfs_trans_held(void)
{
	return hold_depth() != 0;
}

/* a holder changed metadata blocks without dirtying items (merges) */
void scoutfs_trans_mark_dirty(struct super_block *sb)
{
	WRITE_ONCE(TRANS(sb)->blocks_dirty, true);
}

void scoutfs_trans_changed(void)
{
	if (hold_info())
		set_hold_info(hold_info() | HOLD_CHANGED);
}

gfp_t scoutfs_trans_gfp(void)
{
	return (hold_info() & HOLD_CHANGED) ? GFP_NOFS | __GFP_NOFAIL : GFP_NOFS;
}

/*
 * Testing only: when set to N, the Nth allocation from then on at one of
 * the module's own allocation sites fails as if the allocator had
 * returned NULL, and the count goes back to 0.  One that may not fail
 * (__GFP_NOFAIL) counts but doesn't fail.  test/vm/tests/fault-alloc.sh
 * walks N over each kind of operation and the commit.
 */
static int fail_alloc;
module_param(fail_alloc, int, 0600);
MODULE_PARM_DESC(fail_alloc, "testing: the Nth allocation from now fails with ENOMEM (0: never)");
static DEFINE_SPINLOCK(fail_alloc_lock);

bool scoutfs_alloc_fault(gfp_t gfp)
{
	bool fail = false;

	if (likely(READ_ONCE(fail_alloc) <= 0))
		return false;
	spin_lock(&fail_alloc_lock);
	if (fail_alloc > 0 && --fail_alloc == 0)
		fail = !(gfp & __GFP_NOFAIL);
	spin_unlock(&fail_alloc_lock);
	return fail;
}

/*
 * Large buffers (64 KiB blocks, the commit's arrays) in a NOFS context.
 * GFP_KERNEL inside a NOFS scope, as kvmalloc() falls back to vmalloc()
 * only for GFP_KERNEL on 6.1 (with GFP_NOFS it is a kmalloc() of
 * contiguous pages that fragmentation can fail).  Where allocations may
 * not fail (scoutfs_trans_gfp(): after a hold's first change, and in
 * the commit's write phase) it retries until it gets the memory, since
 * 6.1's kvmalloc() can't take __GFP_NOFAIL (6.12's can); the fallback
 * is order-0 NOFS pages, which the page allocator hardly ever fails.
 */
void *scoutfs_kvmalloc_array(size_t n, size_t size)
{
	bool nofail = scoutfs_trans_gfp() & __GFP_NOFAIL;
	unsigned int nofs;
	size_t bytes;
	void *p;

	if (check_mul_overflow(n, size, &bytes))
		return NULL;
	for (;;) {
		p = NULL;
		if (!scoutfs_alloc_fault(GFP_NOFS)) {
			nofs = memalloc_nofs_save();
			p = kvmalloc(bytes, GFP_KERNEL);
			memalloc_nofs_restore(nofs);
		}
		if (p || !nofail)
			return p;
		memalloc_retry_wait(GFP_NOFS);
	}
}

/*
 * An upper bound of the metadata blocks the commit of the dirty items,
 * plus extra_items more of extra_bytes, allocates at its peak.  Every
 * dirty item may sit in a leaf of its own and merge with a neighbour
 * (items * (height + 1) blocks with their paths), but a commit never
 * rewrites more existing blocks than there are (used); what the items
 * add makes new leaves at least half full, and their parents.  Then the
 * extent lists the commit writes.  The commit checks what it used
 * against this (see commit_trans()).  It writes into the mount's log
 * btree (scoutfs_forest_commit_blocks()).
 */
static u64 commit_estimate(struct super_block *sb, u64 extra_items, u64 extra_bytes)
{
	/* any tree may grow a level */
	u64 height = scoutfs_forest_height(sb) + 1;
	u64 items = scoutfs_item_dirty_nr(sb) + extra_items;
	u64 bytes = scoutfs_item_dirty_bytes(sb) + extra_bytes;
	u64 grown;
	u64 tree;

	grown = DIV_ROUND_UP(bytes + items * ITEM_BYTES, SCOUTFS_BLOCK_LG_SIZE / 2);
	tree = min(items * (height + 1), scoutfs_forest_commit_blocks(sb)) + grown +
	       height * (DIV_ROUND_UP(grown, PARENT_FANOUT_MIN) + 1);
	return tree + scoutfs_alloc_list_blocks(sb, tree);
}

/*
 * What a hold needs free: the commit with this hold's worst case in it,
 * and what merging every log btree into the fs btree may need, the
 * items this commit adds to the current one included (twice their bytes:
 * half-full leaves), so that whatever is committed can be merged.
 */
static u64 meta_needed(struct super_block *sb, bool freeing)
{
	u64 items = scoutfs_item_dirty_nr(sb) + HOLD_ITEMS;
	u64 bytes = scoutfs_item_dirty_bytes(sb) + HOLD_BYTES;

	return commit_estimate(sb, HOLD_ITEMS, HOLD_BYTES) + scoutfs_forest_merge_reserve(sb) +
	       DIV_ROUND_UP(bytes + items * ITEM_BYTES, SCOUTFS_BLOCK_LG_SIZE / 2) +
	       (freeing ? 0 : FREEING_RESERVE);
}

/* what a merge batch leaves free: the open transaction's commit, a hold's worst case in it */
u64 scoutfs_trans_commit_needed(struct super_block *sb)
{
	return commit_estimate(sb, HOLD_ITEMS, HOLD_BYTES);
}

static bool commit_needed(struct super_block *sb, bool freeing)
{
	return scoutfs_item_dirty_nr(sb) >= DIRTY_ITEMS_LIMIT ||
	       scoutfs_item_dirty_bytes(sb) >= DIRTY_BYTES_LIMIT ||
	       scoutfs_alloc_free_meta_blocks(sb) < meta_needed(sb, freeing) ||
	       scoutfs_alloc_data_low(sb);
}

/*
 * A hold that may dirty up to HOLD_ITEMS items: when the commit with it
 * could not be written into the free metadata, commit first, and if that
 * doesn't free enough, -ENOSPC before anything changes.  Holds of
 * operations that free space may use the FREEING_RESERVE.
 */
static int hold(struct super_block *sb, bool freeing, bool merging)
{
	struct scoutfs_trans_info *tri = TRANS(sb);
	int ret;

	unsigned int nofs;

	if (hold_depth()) {
		set_hold_info(hold_info() + 1);
		return 0;
	}
	/* the VFS stops writers first: this is the backstop */
	if (scoutfs_read_only(sb))
		return -EROFS;
	if (READ_ONCE(tri->shutdown))
		return -EIO;

	/* a merge checked the space its batch needs itself */
	if (!merging && commit_needed(sb, freeing)) {
		ret = scoutfs_trans_sync(sb, 1);
		if (ret)
			return ret;
		/*
		 * Space held by log btrees comes back once they are merged:
		 * merge them all now before refusing the hold.
		 */
		if (scoutfs_alloc_free_meta_blocks(sb) < meta_needed(sb, freeing)) {
			ret = scoutfs_forest_reclaim(sb);
			if (ret && ret != -ENOSPC)
				return ret;
		}
		if (scoutfs_alloc_free_meta_blocks(sb) < meta_needed(sb, freeing))
			return -ENOSPC;
	}

	down_read(&tri->rwsem);
	if (READ_ONCE(tri->shutdown)) {
		up_read(&tri->rwsem);
		return -EIO;
	}
	nofs = memalloc_nofs_save();
	set_hold_info(1UL | (nofs ? HOLD_WAS_NOFS : 0));
	return 0;
}

int scoutfs_hold_trans(struct super_block *sb)
{
	return hold(sb, false, false);
}

int scoutfs_hold_trans_freeing(struct super_block *sb)
{
	return hold(sb, true, false);
}

int scoutfs_hold_trans_merging(struct super_block *sb)
{
	return hold(sb, true, true);
}

void scoutfs_release_trans(struct super_block *sb)
{
	struct scoutfs_trans_info *tri = TRANS(sb);
	unsigned long depth = hold_depth();

	if (WARN_ON_ONCE(depth == 0))
		return;
	if (depth > 1) {
		set_hold_info(hold_info() - 1);
		return;
	}
	memalloc_nofs_restore((hold_info() & HOLD_WAS_NOFS) ? PF_MEMALLOC_NOFS : 0);
	set_hold_info(0);
	up_read(&tri->rwsem);
	/* the timer starts with the first change of a transaction */
	if (!delayed_work_pending(&tri->commit_work))
		queue_delayed_work(tri->wq, &tri->commit_work,
				   msecs_to_jiffies(SCOUTFS_SB(sb)->opts.commit_interval_ms));
}

void scoutfs_trans_interval_changed(struct super_block *sb)
{
	struct scoutfs_trans_info *tri = TRANS(sb);

	/* a timer running at the old interval restarts at the new one */
	if (delayed_work_pending(&tri->commit_work))
		mod_delayed_work(tri->wq, &tri->commit_work,
				 msecs_to_jiffies(SCOUTFS_SB(sb)->opts.commit_interval_ms));
}

u64 scoutfs_trans_seq(struct super_block *sb)
{
	return READ_ONCE(TRANS(sb)->seq);
}

u64 scoutfs_trans_stable_seq(struct super_block *sb)
{
	return READ_ONCE(TRANS(sb)->stable_seq);
}

/*
 * An inode whose last link is gone and that linkat can't name again (any
 * but an O_TMPFILE without O_EXCL) is deleted at its last close, or by
 * orphan recovery after a crash: no reader can ever see its data again,
 * so the order of its pages and its items no longer matters.
 */
static bool gone_for_good(struct inode *inode)
{
	bool gone;

	if (inode->i_nlink)
		return false;
	spin_lock(&inode->i_lock);
	gone = !(inode->i_state & I_LINKABLE);
	spin_unlock(&inode->i_lock);
	return gone;
}

void scoutfs_trans_track_inode(struct super_block *sb, struct inode *inode)
{
	struct scoutfs_trans_info *tri = TRANS(sb);
	struct inode *held;

	if (xa_load(tri->tracked, inode->i_ino) || gone_for_good(inode))
		return;
	held = igrab(inode);
	if (!held)
		return;	/* being evicted: its pages are written or dropped */
	/* small and rare: ordering must never be lost to an allocation */
	if (xa_insert(tri->tracked, inode->i_ino, held, GFP_NOFS | __GFP_NOFAIL))
		iput(held);	/* another task tracked it first */
}

void scoutfs_trans_untrack_unlinked(struct super_block *sb, struct inode *inode)
{
	struct scoutfs_trans_info *tri = TRANS(sb);
	struct inode *held;

	/* only regular files' pages are ever tracked */
	if (WARN_ON_ONCE(hold_depth()) || !S_ISREG(inode->i_mode) ||
	    !gone_for_good(inode))
		return;
	/*
	 * A commit swaps the tracked array and uses its inodes, without
	 * references of its own, under the mutex.
	 */
	mutex_lock(&tri->commit_mutex);
	held = xa_erase(tri->tracked, inode->i_ino);
	mutex_unlock(&tri->commit_mutex);
	/* never the last reference: the caller's dentry holds the inode */
	if (held)
		iput(held);
}

static bool trans_dirty(struct super_block *sb)
{
	struct scoutfs_trans_info *tri = TRANS(sb);

	return scoutfs_item_dirty_nr(sb) || !xa_empty(tri->tracked) ||
	       tri->next_ino_dirty || READ_ONCE(tri->blocks_dirty) ||
	       (!SCOUTFS_SB(sb)->follower &&
		SCOUTFS_SB(sb)->next_ino != le64_to_cpu(SCOUTFS_SB(sb)->super.next_ino));
}

/* iput can evict and delete: never call it holding the transaction */
static void put_tracked(struct xarray *xa)
{
	struct inode *inode;
	unsigned long ino;

	if (!xa)
		return;
	xa_for_each(xa, ino, inode) {
		xa_erase(xa, ino);
		iput(inode);
	}
	xa_destroy(xa);
	kfree(xa);
}

static struct xarray *new_tracked(void)
{
	struct xarray *xa = scoutfs_kmalloc(sizeof(*xa), GFP_NOFS);

	if (xa)
		xa_init(xa);
	return xa;
}

/*
 * A client's commit, after its items went into its log btree: its
 * allocators' lists go into its record, every block is written and
 * flushed, and the server records the commit (durably, before it
 * answers with the record to write next, fresh allocators and the next
 * transaction's seq).  The server's answer is the commit point.
 */
static int client_commit(struct super_block *sb, u64 seq, u64 *next_seq)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	struct scoutfs_trans_info *tri = TRANS(sb);
	struct scoutfs_net_log_trees *next;
	struct scoutfs_log_trees lt;
	struct scoutfs_extent_list_root *roots[4] = { &lt.meta_avail, &lt.data_avail,
						      &lt.meta_freed, &lt.data_freed };
	s64 count;
	int ret;

	next = kmalloc(sizeof(*next), GFP_NOFS | __GFP_NOFAIL);
	scoutfs_forest_cur_lt(sb, &lt);
	lt.commit_trans_seq = cpu_to_le64(seq);
	count = atomic64_read(&sbi->inode_count);
	lt.inode_count_delta = cpu_to_le64(count - tri->inode_base);
	ret = scoutfs_alloc_write(sb, roots, seq) ?:
	      scoutfs_block_write_dirty(sb) ?:
	      blkdev_issue_flush(sb->s_bdev) ?:
	      blkdev_issue_flush(sbi->meta_bdev);
	if (ret)
		goto out;
	ret = scoutfs_client_commit_log_trees(sb, &lt, next);
	if (ret) {
		scoutfs_err(sb, "the server did not record commit %llu: error %d", seq, ret);
		goto out;
	}
	/* past the commit point: what the server handed over is what we write with */
	tri->inode_base = count;
	ret = scoutfs_alloc_load(sb, &next->lt);
	if (ret)
		goto out;
	scoutfs_forest_follow(sb, &next->lt);
	*next_seq = le64_to_cpu(next->trans_seq);
out:
	kfree(next);
	return ret;
}

/*
 * Under the commit mutex and the write side of the rwsem, with nothing
 * dirty: no item carries the open transaction's seq yet, so it may take
 * a fresh one from the server (which then counts that one as open).
 */
static int advance_seq(struct super_block *sb)
{
	struct scoutfs_trans_info *tri = TRANS(sb);
	u64 seq;
	int ret;

	ret = scoutfs_client_advance_seq(sb, &seq);
	if (ret == 0 && seq > tri->seq)
		tri->seq = seq;
	/* the stable seq moves on at the next ask; not worth failing a sync */
	return 0;
}

/* the next commit, if it has nothing to write, takes a fresh seq */
void scoutfs_trans_want_advance(struct super_block *sb)
{
	struct scoutfs_trans_info *tri = TRANS(sb);

	if (tri && SCOUTFS_SB(sb)->follower)
		WRITE_ONCE(tri->advance_wanted, true);
}

/* the server wants our empty transaction on a fresh seq (or a commit) */
void scoutfs_trans_advance(struct super_block *sb)
{
	if (!TRANS(sb))
		return;
	scoutfs_trans_want_advance(sb);
	scoutfs_trans_sync(sb, 0);
}

/* a client's first transaction: its seq from the server */
void scoutfs_trans_follow(struct super_block *sb, u64 seq)
{
	struct scoutfs_trans_info *tri = TRANS(sb);

	tri->seq = seq;
	tri->stable_seq = seq - 1;
	tri->inode_base = atomic64_read(&SCOUTFS_SB(sb)->inode_count);
}

/* the roots of the last durable commit (the server's GET_ROOTS) */
void scoutfs_trans_committed_roots(struct super_block *sb, struct scoutfs_net_roots *roots)
{
	struct scoutfs_trans_info *tri = TRANS(sb);

	memset(roots, 0, sizeof(*roots));
	spin_lock(&tri->roots_lock);
	roots->fs_root = tri->roots.fs_root;
	roots->logs_root = tri->roots.logs_root;
	spin_unlock(&tri->roots_lock);
}

static int commit_trans(struct super_block *sb)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	struct scoutfs_trans_info *tri = TRANS(sb);
	struct scoutfs_super_block *super = NULL;
	struct xarray *next_tracked;
	struct xarray *done = NULL;
	struct inode *inode;
	unsigned long ino;
	void *journal = current->journal_info;
	struct scoutfs_extent_list_root *roots[4];
	ktime_t start;
	u64 next_seq;
	u64 estimate;
	u64 free;
	u64 low;
	u64 seq;
	int ret = 0;
	int err;

	next_tracked = new_tracked();
	if (!next_tracked)
		return -ENOMEM;
	mutex_lock(&tri->commit_mutex);
	/*
	 * 0: start writing the tracked inodes' dirty pages before holders
	 * are shut out, so that writers stall only for the pages they dirty
	 * meanwhile.  Only a commit and scoutfs_trans_untrack_unlinked()
	 * remove tracked inodes, both under the commit mutex, so the inodes
	 * stay referenced.
	 */
	xa_for_each(tri->tracked, ino, inode)
		filemap_fdatawrite(inode->i_mapping);
	down_write(&tri->rwsem);
	if (tri->shutdown) {
		ret = -EIO;
		goto unlock;
	}
	/* a read-only mount writes nothing (remount,ro committed first) */
	if (scoutfs_read_only(sb))
		goto unlock;
	if (!trans_dirty(sb)) {
		/* nothing to commit: an empty transaction may take a fresh seq */
		if (sbi->follower && xchg(&tri->advance_wanted, false))
			ret = advance_seq(sb);
		goto unlock;
	}

	start = ktime_get();
	seq = tri->seq;
	/* (cleared here: a reclaim may mark it again while this commit runs) */
	WRITE_ONCE(tri->blocks_dirty, false);
	/* the commit's next seq is a fresh one */
	WRITE_ONCE(tri->advance_wanted, false);

	/* 1: ordered data */
	xa_for_each(tri->tracked, ino, inode) {
		err = filemap_write_and_wait(inode->i_mapping);
		if (err && !ret)
			ret = err;
	}
	if (ret) {
		scoutfs_err(sb, "error %d writing file data before commit %llu", ret, seq);
		goto fail;
	}

	/*
	 * What the write phase needs in one piece is allocated before it
	 * changes anything: an ENOMEM here fails this commit with nothing
	 * written, the transaction stays open and the next commit retries.
	 */
	super = scoutfs_kmalloc(sizeof(*super), GFP_NOFS);
	ret = super ? scoutfs_item_prepare_write(sb) : -ENOMEM;
	if (ret) {
		scoutfs_err(sb, "commit of transaction %llu: error %d before writing; the transaction stays open",
			    seq, ret);
		goto unlock;
	}

	/* 2, 3: what they allocate at the peak is held against the estimate */
	estimate = commit_estimate(sb, 0, 0);
	free = scoutfs_alloc_free_meta_blocks(sb);
	scoutfs_alloc_meta_low(sb, true);
	/*
	 * Past here a failed allocation would leave a half-written commit:
	 * small ones are __GFP_NOFAIL and large ones retry
	 * (scoutfs_trans_gfp(), scoutfs_kvmalloc_array()).
	 */
	set_hold_info(HOLD_CHANGED);
	*super = sbi->super;
	ret = scoutfs_item_write_dirty(sb, seq, super);
	if (ret)
		goto fail;
	if (sbi->follower) {
		ret = client_commit(sb, seq, &next_seq);
		current->journal_info = journal;
		if (ret)
			goto fail;
		done = tri->tracked;
		tri->tracked = next_tracked;
		next_tracked = NULL;
		goto committed;
	}
	spin_lock(&sbi->ino_lock);
	super->next_ino = cpu_to_le64(sbi->next_ino);
	spin_unlock(&sbi->ino_lock);
	super->inode_count = cpu_to_le64(atomic64_read(&sbi->inode_count));
	/*
	 * The next transaction's seq, past every write_seq granted before
	 * this commit (its items are all below it): what a mount after a
	 * crash goes on from.
	 */
	next_seq = scoutfs_next_seq(sb);
	super->seq = cpu_to_le64(next_seq);
	super->hdr.seq = cpu_to_le64(seq);
	roots[0] = &super->meta_free;
	roots[1] = &super->data_free;
	roots[2] = &super->meta_freed;
	roots[3] = &super->data_freed;
	ret = scoutfs_alloc_write(sb, roots, seq) ?:
	      scoutfs_block_write_dirty(sb);
	current->journal_info = journal;
	if (ret)
		goto fail;
	low = scoutfs_alloc_meta_low(sb, false);
	if (low < free && free - low > estimate)
		scoutfs_err(sb, "commit %llu used %llu metadata blocks, more than its estimate of %llu",
			    seq, free - low, estimate);

	/* 4: the commit point */
	ret = blkdev_issue_flush(sb->s_bdev) ?:
	      scoutfs_block_write_super(sb, super);
	if (ret)
		goto fail;

	/* 5 */
	done = tri->tracked;
	tri->tracked = next_tracked;
	next_tracked = NULL;
	sbi->super = *super;
	/*
	 * Past the commit point: the freed blocks join the free set with
	 * allocations that may not fail (an ENOMEM left them out of every
	 * extent list the next commit writes: leaked on disk).
	 */
	set_hold_info(HOLD_CHANGED);
	scoutfs_alloc_committed(sb);
	current->journal_info = journal;
	tri->next_ino_dirty = false;
	spin_lock(&tri->roots_lock);
	tri->roots.fs_root = super->fs_root;
	tri->roots.logs_root = super->logs_root;
	spin_unlock(&tri->roots_lock);
committed:
	WRITE_ONCE(tri->stable_seq, seq);
	WRITE_ONCE(tri->seq, next_seq);
	scoutfs_forest_committed(sb);
	scoutfs_inc_counter(sb, commits);
	scoutfs_add_counter_us(sb, commit_us, start);
	goto unlock;

fail:
	current->journal_info = journal;
	scoutfs_err(sb, "commit of transaction %llu failed with error %d; the filesystem is shut down, its last commit remains on disk",
		    seq, ret);
	WRITE_ONCE(tri->shutdown, 1);
unlock:
	up_write(&tri->rwsem);
	mutex_unlock(&tri->commit_mutex);
	kfree(super);
	put_tracked(done);
	put_tracked(next_tracked);
	return ret;
}

void scoutfs_trans_abort(struct super_block *sb, const char *what, int err)
{
	struct scoutfs_trans_info *tri = TRANS(sb);

	if (xchg(&tri->shutdown, 1) == 0)
		scoutfs_err(sb, "%s failed part way with error %d; the filesystem is shut down, its last commit remains on disk",
			    what, err);
}

/* no commit can succeed any more (the caller says why): stop holds now */
void scoutfs_trans_stop(struct super_block *sb)
{
	struct scoutfs_trans_info *tri = TRANS(sb);

	if (tri)
		WRITE_ONCE(tri->shutdown, 1);
}

static void commit_worker(struct work_struct *work)
{
	struct scoutfs_trans_info *tri = container_of(work, struct scoutfs_trans_info,
						      commit_work.work);

	/* the memory wasn't there before anything was written: again soon */
	if (commit_trans(tri->sb) == -ENOMEM)
		queue_delayed_work(tri->wq, &tri->commit_work, HZ / 10);
}

int scoutfs_trans_sync(struct super_block *sb, int wait)
{
	struct scoutfs_trans_info *tri = TRANS(sb);

	if (WARN_ON_ONCE(hold_depth()))
		return -EDEADLK;
	if (!wait) {
		mod_delayed_work(tri->wq, &tri->commit_work, 0);
		return 0;
	}
	/*
	 * A queued or running commit worker finishes first, including the
	 * iputs of its tracked inodes after it unlocks: once a waiting sync
	 * returns (unmount's sync_fs), nothing of ours holds an inode.  Not
	 * from the worker itself: its iputs can evict, and evicting commits.
	 */
	if (current_work() != &tri->commit_work.work)
		flush_delayed_work(&tri->commit_work);
	return commit_trans(sb);
}

int scoutfs_trans_setup(struct super_block *sb)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	struct scoutfs_trans_info *tri;

	tri = kzalloc(sizeof(*tri), GFP_KERNEL);
	if (!tri)
		return -ENOMEM;
	tri->sb = sb;
	init_rwsem(&tri->rwsem);
	mutex_init(&tri->commit_mutex);
	tri->tracked = new_tracked();
	if (!tri->tracked) {
		kfree(tri);
		return -ENOMEM;
	}
	INIT_DELAYED_WORK(&tri->commit_work, commit_worker);
	tri->seq = le64_to_cpu(sbi->super.seq);
	tri->stable_seq = tri->seq - 1;
	spin_lock_init(&tri->roots_lock);
	tri->roots.fs_root = sbi->super.fs_root;
	tri->roots.logs_root = sbi->super.logs_root;
	tri->wq = alloc_workqueue("scoutfs_commit", WQ_UNBOUND | WQ_MEM_RECLAIM, 1);
	if (!tri->wq) {
		put_tracked(tri->tracked);
		kfree(tri);
		return -ENOMEM;
	}
	sbi->trans = tri;
	return 0;
}

/*
 * At unmount, after the final commit: a mount that was shut down still
 * tracks the inodes of its transaction that never committed; their
 * references must go before the VFS checks that no inode is left.
 */
void scoutfs_trans_drop_tracked(struct super_block *sb)
{
	struct scoutfs_trans_info *tri = TRANS(sb);
	struct inode *inode;
	unsigned long ino;

	/* nothing else runs: the final commit was the last */
	xa_for_each(tri->tracked, ino, inode) {
		xa_erase(tri->tracked, ino);
		iput(inode);
	}
}

/* after the final commit of an unmount (or a failed mount) */
void scoutfs_trans_destroy(struct super_block *sb)
{
	struct scoutfs_trans_info *tri = TRANS(sb);

	if (!tri)
		return;
	cancel_delayed_work_sync(&tri->commit_work);
	destroy_workqueue(tri->wq);
	put_tracked(tri->tracked);
	kfree(tri);
	SCOUTFS_SB(sb)->trans = NULL;
}
