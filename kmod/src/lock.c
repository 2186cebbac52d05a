// SPDX-License-Identifier: GPL-2.0
/*
 * lock.c: the mount's cache of cluster locks.
 *
 * Each lock names a key range; a mount has at most one struct per range,
 * found by its start key in an rbtree.  A task asks for a mode; if the
 * mode granted to the mount doesn't cover it, the server is asked over
 * the client connection (LOCK, one request in flight per lock) and the
 * task waits for the grant.  Uses are counted per mode.  A lock no task
 * uses stays cached, granted, on an LRU; the shrinker frees idle locks
 * granted NULL and has the worker give other idle ones back to the
 * server (their items must be committed first) under memory pressure.
 *
 * The server asks for a mode back (an invalidation) when another client
 * wants one that conflicts: the worker waits for the tasks using modes it
 * takes away to finish (new ones wait meanwhile), writes back the pages
 * of the group's cached inodes and commits when the mount could write,
 * drops the pages when it can no longer read, and answers.  The next
 * grant from NULL has a new refresh_gen: inodes read their item again.
 *
 * Ranges:
 *   inode group: zone FS, first in [ino & ~(GROUP_NR - 1), ino | (GROUP_NR - 1)],
 *                every type and field below
 *   index window: zone INODE_INDEX, one type, seqs of one 1024-seq window
 *   orphans:     the whole ORPHAN zone
 *   rename:      the LOCK zone's RENAME name (never an item)
 */
#include <linux/module.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/delay.h>

#include "format.h"
#include "super.h"
#include "item.h"
#include "inode.h"
#include "lock.h"
#include "forest.h"
#include "trans.h"
#include "msg.h"
#include "counters.h"
#include "client.h"

#define INDEX_WINDOW_SHIFT	10

struct scoutfs_lock_info {
	struct super_block *sb;
	spinlock_t lock;
	struct rb_root root;
	struct list_head lru;
	unsigned long nr;
	unsigned long lru_nr;
	u64 next_refresh_gen;
	/* the greatest write_seq of any grant (scoutfs_lock_item_seq()) */
	u64 max_write_seq;
	struct shrinker *shrinker;

	/* every change a task may wait for bumps wake_gen and wakes waitq */
	wait_queue_head_t waitq;
	u64 wake_gen;

	/*
	 * Invalidations (the server's, and giving idle locks back) run as
	 * one work per lock, at once; references to inodes they took are put
	 * later by iput_work (evicting may need the lock being changed).
	 */
	struct workqueue_struct *wq;
	spinlock_t iput_lock;
	struct list_head iput_list;
	struct work_struct iput_work;
	bool shutdown;
};

#define LINFO(sb) (SCOUTFS_SB(sb)->locks)

/* may a lock granted in `granted` be used in `mode`? */
static bool mode_covers(int granted, int mode)
{
	switch (mode) {
	case SCOUTFS_LOCK_READ:
		return granted == SCOUTFS_LOCK_READ || granted == SCOUTFS_LOCK_WRITE;
	case SCOUTFS_LOCK_WRITE:
		return granted == SCOUTFS_LOCK_WRITE;
	case SCOUTFS_LOCK_WRITE_ONLY:
		return granted == SCOUTFS_LOCK_WRITE_ONLY || granted == SCOUTFS_LOCK_WRITE;
	}
	return false;
}

/* the mode to request so that both the granted mode and mode are covered */
static int mode_union(int granted, int mode)
{
	if (granted == SCOUTFS_LOCK_NULL || mode_covers(mode, granted))
		return mode;
	if (mode_covers(granted, mode))
		return granted;
	return SCOUTFS_LOCK_WRITE;
}

static bool lock_idle(struct scoutfs_lock *lock)
{
	int i;

	for (i = 0; i < SCOUTFS_LOCK_NR_MODES; i++)
		if (lock->users[i])
			return false;
	return true;
}

/* nothing uses, wants or changes the lock: it may go on the LRU */
static bool lock_unused(struct scoutfs_lock *lock)
{
	return lock_idle(lock) && lock->waiters == 0 && lock->req_mode < 0 && !lock->inv_pending;
}

/* under linfo->lock: wake every waiter, they look again */
static void lock_wake(struct scoutfs_lock_info *linfo)
{
	linfo->wake_gen++;
}

static void lock_unlist(struct scoutfs_lock_info *linfo, struct scoutfs_lock *lock)
{
	if (!list_empty(&lock->lru)) {
		list_del_init(&lock->lru);
		if (lock->on_lru)
			linfo->lru_nr--;
		lock->on_lru = false;
	}
}

static void lock_lru_add(struct scoutfs_lock_info *linfo, struct scoutfs_lock *lock)
{
	if (list_empty(&lock->lru) && lock_unused(lock)) {
		list_add_tail(&lock->lru, &linfo->lru);
		lock->on_lru = true;
		linfo->lru_nr++;
	}
}

static void lock_remove(struct scoutfs_lock_info *linfo, struct scoutfs_lock *lock)
{
	lock_unlist(linfo, lock);
	rb_erase(&lock->node, &linfo->root);
	linfo->nr--;
}

static struct scoutfs_lock *lock_find(struct scoutfs_lock_info *linfo,
				      const struct scoutfs_key *start)
{
	struct rb_node *n = linfo->root.rb_node;
	struct scoutfs_lock *lock;
	int cmp;

	while (n) {
		lock = rb_entry(n, struct scoutfs_lock, node);
		cmp = scoutfs_key_compare(start, &lock->start);
		if (cmp < 0)
			n = n->rb_left;
		else if (cmp > 0)
			n = n->rb_right;
		else
			return lock;
	}
	return NULL;
}

static void lock_insert(struct scoutfs_lock_info *linfo, struct scoutfs_lock *ins)
{
	struct rb_node **p = &linfo->root.rb_node;
	struct rb_node *parent = NULL;

	while (*p) {
		parent = *p;
		if (scoutfs_key_compare(&ins->start,
					&rb_entry(parent, struct scoutfs_lock, node)->start) < 0)
			p = &(*p)->rb_left;
		else
			p = &(*p)->rb_right;
	}
	rb_link_node(&ins->node, parent, p);
	rb_insert_color(&ins->node, &linfo->root);
	linfo->nr++;
}

static void lock_inv_worker(struct work_struct *work);

/* ask the server for a mode (old_mode held), answered by scoutfs_lock_granted() */
static int lock_send_request(struct super_block *sb, struct scoutfs_lock *lock, int old_mode,
			     int new_mode)
{
	struct scoutfs_net_lock nl = {
		.start = lock->start,
		.end = lock->end,
		.old_mode = old_mode,
		.new_mode = new_mode,
	};

	scoutfs_inc_counter(sb, lock_requests);
	return scoutfs_client_lock_request(sb, &nl, lock);
}

/* wait, without linfo->lock, until something changes */
/*
 * Wait for the next wake.  A task that holds no transaction waits
 * killably (-EINTR): a peer that never answers must not leave it
 * unkillable.  One inside a hold must not fail half way through its
 * changes (that aborts the mount's transactions): it waits on.
 */
static int lock_wait(struct scoutfs_lock_info *linfo, bool killable)
	__releases(&linfo->lock) __acquires(&linfo->lock)
{
	u64 gen = linfo->wake_gen;
	ktime_t start = ktime_get();
	int ret = 0;

	spin_unlock(&linfo->lock);
	if (killable)
		ret = wait_event_killable(linfo->waitq, READ_ONCE(linfo->wake_gen) != gen);
	else
		wait_event(linfo->waitq, READ_ONCE(linfo->wake_gen) != gen);
	scoutfs_add_counter_us(linfo->sb, lock_wait_us, start);
	spin_lock(&linfo->lock);
	return ret ? -EINTR : 0;
}

/*
 * One use of the lock of start..end in mode.  When the mode granted to
 * the mount doesn't cover it, the server is asked (one request in flight
 * per lock) and the task waits for the grant; an invalidation being
 * carried out holds back tasks of modes it takes away, so that it
 * finishes.  The server answers every request, or the connection ends
 * and the request fails.
 */
static int lock_range(struct super_block *sb, int mode, const struct scoutfs_key *start,
		      const struct scoutfs_key *end, struct scoutfs_lock **ret_lock)
{
	struct scoutfs_lock_info *linfo = LINFO(sb);
	struct scoutfs_lock *alloc = NULL;
	struct scoutfs_lock *lock;
	bool killable = !scoutfs_trans_held();
	u64 waited = 0;
	bool woke = false;
	int old_mode;
	int want;
	int ret;

	*ret_lock = NULL;
	if (WARN_ON_ONCE(mode <= SCOUTFS_LOCK_NULL || mode >= SCOUTFS_LOCK_NR_MODES))
		return -EINVAL;

	for (;;) {
		spin_lock(&linfo->lock);
		lock = lock_find(linfo, start);
		if (lock || alloc)
			break;
		spin_unlock(&linfo->lock);

		alloc = scoutfs_kzalloc(sizeof(*alloc), GFP_NOFS);
		if (!alloc)
			return -ENOMEM;
		alloc->sb = sb;
		alloc->start = *start;
		alloc->end = *end;
		alloc->req_mode = -1;
		RB_CLEAR_NODE(&alloc->node);
		INIT_LIST_HEAD(&alloc->lru);
		INIT_DELAYED_WORK(&alloc->inv_work, lock_inv_worker);
	}

	if (!lock) {
		lock = alloc;
		alloc = NULL;
		lock_insert(linfo, lock);
	} else if (WARN_ON_ONCE(scoutfs_key_compare(&lock->end, end) != 0)) {
		/* two ranges with one start: a bug in the range functions */
		spin_unlock(&linfo->lock);
		kfree(alloc);
		return -EINVAL;
	}

	lock_unlist(linfo, lock);
	lock->waiters++;
	for (;;) {
		/* given back: the mode is not ours to use any more */
		if (lock->req_mode == SCOUTFS_LOCK_NULL) {
			ret = lock_wait(linfo, killable);
			if (ret)
				break;
			continue;
		}
		/*
		 * A task holding the transaction goes on using a granted mode:
		 * the invalidation's commit waits for its hold, so it must not
		 * wait for the invalidation (index and orphan locks, taken
		 * inside holds).  The mode only changes once no task uses it.
		 */
		if (lock->inv_pending && !mode_covers(lock->inv_mode, mode) &&
		    !(mode_covers(lock->mode, mode) &&
		      (scoutfs_trans_held() || lock->inv_hold))) {
			ret = lock_wait(linfo, killable);
			if (ret)
				break;
			continue;
		}
		if (mode_covers(lock->mode, mode)) {
			ret = 0;
			break;
		}
		if (lock->req_mode >= 0) {
			waited = lock->req_seq;
			ret = lock_wait(linfo, killable);
			if (ret)
				break;
			continue;
		}
		if (waited && lock->err_seq == waited) {
			/* the request this task waited for failed */
			ret = lock->req_err;
			break;
		}
		old_mode = lock->mode;
		want = mode_union(old_mode, mode);
		lock->req_mode = want;
		waited = ++lock->req_seq;
		/* an invalidation's answer must not overtake it (see inv_drained_locked) */
		lock->req_sending++;
		spin_unlock(&linfo->lock);
		ret = lock_send_request(sb, lock, old_mode, want);
		spin_lock(&linfo->lock);
		/* an invalidation may wait for it: wake it now, this task may wait on */
		if (--lock->req_sending == 0 && lock->inv_pending)
			wake_up_all(&linfo->waitq);
		if (ret < 0 && lock->req_mode >= 0 && lock->req_seq == waited) {
			lock->req_mode = -1;
			lock->req_err = ret;
			lock->err_seq = waited;
			lock_wake(linfo);
			woke = true;
		}
	}
	lock->waiters--;
	if (ret == 0)
		lock->users[mode]++;
	else
		lock_lru_add(linfo, lock);
	*ret_lock = ret == 0 ? lock : NULL;
	spin_unlock(&linfo->lock);
	if (woke)
		wake_up_all(&linfo->waitq);
	if (ret == 0)
		scoutfs_inc_counter(sb, lock_uses);
	else if (ret != -EINTR)
		scoutfs_err(sb, "lock request for zone %u first %llu failed: error %d",
			    start->zone, le64_to_cpu(start->first), ret);

	/*
	 * A client reads what other mounts committed under the lock before
	 * its grant with roots fetched after the grant (the grant can't
	 * change while this use holds it).  Blind writers read nothing.
	 */
	if (ret == 0 && mode != SCOUTFS_LOCK_WRITE_ONLY && SCOUTFS_SB(sb)->follower) {
		ret = scoutfs_forest_refresh(sb, lock->refresh_gen);
		if (ret) {
			scoutfs_unlock(sb, lock, mode);
			*ret_lock = NULL;
		}
	}

	kfree(alloc);
	return ret;
}

/* the gen the next grant from NULL will have, less one */
u64 scoutfs_lock_refresh_gen_now(struct super_block *sb)
{
	struct scoutfs_lock_info *linfo = LINFO(sb);
	u64 gen;

	spin_lock(&linfo->lock);
	gen = linfo->next_refresh_gen;
	spin_unlock(&linfo->lock);
	return gen;
}

void scoutfs_unlock(struct super_block *sb, struct scoutfs_lock *lock, int mode)
{
	struct scoutfs_lock_info *linfo = LINFO(sb);
	bool wake = false;

	if (!lock)
		return;

	spin_lock(&linfo->lock);
	if (!WARN_ON_ONCE(mode <= SCOUTFS_LOCK_NULL || mode >= SCOUTFS_LOCK_NR_MODES ||
			  lock->users[mode] == 0)) {
		lock->users[mode]--;
		lock->used_ns = ktime_get_ns();
		/* the invalidation waits for the uses it takes away */
		if (lock->inv_pending) {
			lock_wake(linfo);
			wake = true;
		}
		lock_lru_add(linfo, lock);
	}
	spin_unlock(&linfo->lock);
	if (wake)
		wake_up_all(&linfo->waitq);
}

/*
 * The server's answer to this mount's request (from the client
 * connection's receive worker, or with -ENOTCONN as it closes).  A grant
 * from NULL is a new grant: items and inodes read under an earlier one
 * may be stale, so refresh_gen changes.  A lock given back (granted
 * NULL) that nobody wants is freed.
 */
/*
 * The seq of an item written now: its transaction's, or the greatest
 * write_seq granted to this mount if greater.  That is at least the
 * covering lock's (so it beats every copy another mount wrote before
 * the grant) and the inode lock's for the index and orphan items an
 * inode change writes under their own locks.
 */
u64 scoutfs_lock_item_seq(struct super_block *sb, u64 trans_seq)
{
	return max(trans_seq, READ_ONCE(LINFO(sb)->max_write_seq));
}

void scoutfs_lock_granted(struct super_block *sb, struct scoutfs_lock *lock, int err,
			  const struct scoutfs_net_lock *nl)
{
	struct scoutfs_lock_info *linfo = LINFO(sb);
	bool free = false;

	spin_lock(&linfo->lock);
	if (!err && (memcmp(&nl->start, &lock->start, sizeof(nl->start)) ||
		     memcmp(&nl->end, &lock->end, sizeof(nl->end)) ||
		     nl->old_mode != lock->mode || nl->new_mode != lock->req_mode)) {
		scoutfs_err(sb, "the server granted mode %u from %u on zone %u first %llu, we asked for %d holding %d: ignored",
			    nl->new_mode, nl->old_mode, lock->start.zone,
			    le64_to_cpu(lock->start.first), lock->req_mode, lock->mode);
		err = -EPROTO;
	}
	if (err) {
		lock->req_err = err;
		lock->err_seq = lock->req_seq;
	} else {
		scoutfs_inc_counter(sb, lock_grants);
		if (lock->mode == SCOUTFS_LOCK_NULL && nl->new_mode != SCOUTFS_LOCK_NULL)
			lock->refresh_gen = ++linfo->next_refresh_gen;
		if (nl->new_mode == SCOUTFS_LOCK_WRITE && lock->mode != SCOUTFS_LOCK_WRITE)
			lock->write_at = jiffies;
		lock->mode = nl->new_mode;
		if (nl->write_seq) {
			lock->write_seq = le64_to_cpu(nl->write_seq);
			linfo->max_write_seq = max(linfo->max_write_seq, lock->write_seq);
		}
	}
	lock->req_mode = -1;
	if (lock->mode == SCOUTFS_LOCK_NULL && lock_unused(lock)) {
		lock_remove(linfo, lock);
		free = true;
	} else {
		lock_lru_add(linfo, lock);
	}
	lock_wake(linfo);
	spin_unlock(&linfo->lock);
	wake_up_all(&linfo->waitq);
	if (free)
		kfree(lock);
}

/*
 * A mount granted WRITE keeps it while its tasks keep using it, up to
 * this long since the grant, when another mount wants to write under it
 * too, and new uses go on meanwhile: each handoff costs the holder a
 * commit, and writers taking turns one change at a time would commit
 * once per change (three mounts creating in one directory: 0.04 of one
 * mount's rate without a hold, 0.2 with a fixed 20 ms one, 0.5 with
 * this).  A lock nobody used for LOCK_IDLE_NS (longer than a commit
 * that stalls its users) goes at once.  Readers (a downgrade to READ) don't
 * wait: a stat of what another mount just wrote costs no more.
 */
#define LOCK_WRITE_HOLD		msecs_to_jiffies(50)
#define LOCK_IDLE_NS		(10 * NSEC_PER_MSEC)

/*
 * Under linfo->lock: does a WRITE holder asked to give the lock to
 * another writer keep it a while longer (its tasks are using it)?
 */
static bool write_held(struct scoutfs_lock_info *linfo, struct scoutfs_lock *lock)
{
	return lock->mode == SCOUTFS_LOCK_WRITE && lock->inv_mode == SCOUTFS_LOCK_NULL &&
	       !lock->inv_giveback && !linfo->shutdown &&
	       time_before(jiffies, lock->write_at + LOCK_WRITE_HOLD) &&
	       (!lock_idle(lock) || ktime_get_ns() - lock->used_ns < LOCK_IDLE_NS);
}

/* may a holder of old be asked down to new? */
static bool valid_down(int old_mode, int new_mode)
{
	return (old_mode != SCOUTFS_LOCK_NULL && new_mode == SCOUTFS_LOCK_NULL) ||
	       (old_mode == SCOUTFS_LOCK_WRITE && new_mode == SCOUTFS_LOCK_READ);
}

/*
 * The server asks this mount to go down from nl->old_mode to
 * nl->new_mode (from the client connection's receive worker, which must
 * not wait): checked, then handed to the worker, which answers once it
 * has.  A lock this mount gave back or is giving back has its answer in
 * that request: -ENOENT tells the server so.
 */
int scoutfs_lock_invalidate(struct super_block *sb, u64 id, const struct scoutfs_net_lock *nl)
{
	struct scoutfs_lock_info *linfo = LINFO(sb);
	struct scoutfs_lock *lock;
	unsigned long delay;
	const char *why = NULL;
	int ret = 0;

	spin_lock(&linfo->lock);
	lock = lock_find(linfo, &nl->start);
	if (!lock || lock->req_mode == SCOUTFS_LOCK_NULL ||
	    (lock->mode == SCOUTFS_LOCK_NULL && nl->old_mode != SCOUTFS_LOCK_NULL))
		ret = -ENOENT;
	else if (memcmp(&nl->end, &lock->end, sizeof(nl->end)))
		why = "the range's end differs from ours";
	else if (nl->old_mode != lock->mode)
		why = "we hold another mode";
	else if (!valid_down(nl->old_mode, nl->new_mode))
		why = "not a mode to go down to";
	else if (lock->inv_pending && !lock->inv_giveback)
		why = "another invalidation of it is under way";
	else if (linfo->shutdown)
		ret = -ENOLINK;

	if (why) {
		ret = -EINVAL;
	} else if (ret == 0 && lock->inv_pending) {
		/* being given back: going to NULL answers the server instead */
		lock->inv_giveback = false;
		lock->inv_id = id;
	} else if (ret == 0) {
		lock_unlist(linfo, lock);
		lock->inv_pending = true;
		lock->inv_giveback = false;
		lock->inv_mode = nl->new_mode;
		lock->inv_id = id;
		lock->waiters++;
		/* another writer wants it: ours keeps it while it's busy (the worker looks) */
		lock->inv_hold = write_held(linfo, lock);
		delay = lock->inv_hold ? 1 : 0;
		queue_delayed_work(linfo->wq, &lock->inv_work, delay);
	}
	spin_unlock(&linfo->lock);
	if (why)
		scoutfs_err(sb, "the server asked us to go from mode %u to %u on zone %u first %llu: %s; refused",
			    nl->old_mode, nl->new_mode, nl->start.zone, le64_to_cpu(nl->start.first),
			    why);
	return ret;
}

/*
 * Under linfo->lock: does no task use a mode the invalidation takes
 * away, and is no request that names the old mode still being queued?
 * The server must get such a request before the answer that gives the
 * mode up (it refuses a request from a mode it no longer counts as held).
 */
static bool inv_drained_locked(struct scoutfs_lock *lock)
{
	int m;

	if (lock->req_sending)
		return false;

	for (m = SCOUTFS_LOCK_READ; m < SCOUTFS_LOCK_NR_MODES; m++)
		if (lock->users[m] && !mode_covers(lock->inv_mode, m))
			return false;
	return true;
}

static bool inv_drained(struct scoutfs_lock_info *linfo, struct scoutfs_lock *lock)
{
	bool drained;

	spin_lock(&linfo->lock);
	drained = inv_drained_locked(lock);
	spin_unlock(&linfo->lock);
	return drained;
}

/* put a reference from iput_work, which may wait for locks */
static void lock_queue_iput(struct scoutfs_lock_info *linfo, struct inode *inode)
{
	struct scoutfs_inode_info *si = SCOUTFS_I(inode);

	spin_lock(&linfo->iput_lock);
	if (si->lock_iputs++ == 0)
		list_add_tail(&si->lock_iput_head, &linfo->iput_list);
	spin_unlock(&linfo->iput_lock);
	queue_work(linfo->wq, &linfo->iput_work);
}

static void lock_iput_worker(struct work_struct *work)
{
	struct scoutfs_lock_info *linfo = container_of(work, struct scoutfs_lock_info,
						       iput_work);
	struct scoutfs_inode_info *si;
	unsigned int n;

	for (;;) {
		spin_lock(&linfo->iput_lock);
		si = list_first_entry_or_null(&linfo->iput_list, struct scoutfs_inode_info,
					      lock_iput_head);
		if (si) {
			list_del_init(&si->lock_iput_head);
			n = si->lock_iputs;
			si->lock_iputs = 0;
		}
		spin_unlock(&linfo->iput_lock);
		if (!si)
			break;
		while (n--)
			iput(&si->inode);
	}
}

/*
 * File pages of the inodes of an inode group lock: written back (their
 * extents become dirty items the commit then writes), and dropped when
 * the mount gives up reading too.  Nothing adds pages once the drain
 * is done: tasks' page cache work and readahead hold the lock as users,
 * and readahead no task of ours started finds a pending invalidation
 * and reads nothing (scoutfs_readahead()).
 */
static int lock_inode_pages(struct super_block *sb, struct scoutfs_lock *lock, bool drop)
{
	struct scoutfs_lock_info *linfo = LINFO(sb);
	u64 first = le64_to_cpu(lock->start.first);
	u64 last = le64_to_cpu(lock->end.first);
	struct inode *inode;
	int ret = 0;
	int err;

	spin_lock(&sb->s_inode_list_lock);
	list_for_each_entry(inode, &sb->s_inodes, i_sb_list) {
		if (scoutfs_ino(inode) < first || scoutfs_ino(inode) > last)
			continue;
		spin_lock(&inode->i_lock);
		if ((inode->i_state & (I_FREEING | I_WILL_FREE | I_NEW)) ||
		    inode->i_mapping->nrpages == 0) {
			spin_unlock(&inode->i_lock);
			continue;
		}
		__iget(inode);
		spin_unlock(&inode->i_lock);
		spin_unlock(&sb->s_inode_list_lock);

		err = filemap_write_and_wait(inode->i_mapping);
		if (!err && drop)
			err = invalidate_inode_pages2(inode->i_mapping);
		if (err && !ret)
			ret = err;
		cond_resched();
		/* our reference keeps it on s_inodes: the walk goes on from it */
		spin_lock(&sb->s_inode_list_lock);
		lock_queue_iput(linfo, inode);
	}
	spin_unlock(&sb->s_inode_list_lock);
	return ret;
}

/*
 * Carry out one invalidation: wait for the uses it takes away to end,
 * make what the mount wrote under the lock durable (dirty pages, then a
 * commit), drop what it may no longer read, change the mode and answer
 * (the answer is queued before any task may ask for more again, so the
 * server hears them in that order).  A failure to make the changes
 * durable is retried: nothing written is given up.  Giving an idle lock
 * back is the same down to NULL, then a request for NULL instead of an
 * answer (and it is abandoned on a failure).
 */
static void lock_inv_worker(struct work_struct *work)
{
	struct scoutfs_lock *lock = container_of(to_delayed_work(work), struct scoutfs_lock,
						  inv_work);
	struct super_block *sb = lock->sb;
	struct scoutfs_lock_info *linfo = LINFO(sb);
	bool inodes = lock->start.zone == SCOUTFS_KEY_ZONE_FS;
	int old_mode = READ_ONCE(lock->mode);
	int new_mode = READ_ONCE(lock->inv_mode);
	bool writer = old_mode == SCOUTFS_LOCK_WRITE || old_mode == SCOUTFS_LOCK_WRITE_ONLY;
	struct scoutfs_net_lock nl;
	ktime_t start;
	bool giveback;
	bool wake;
	u64 id;
	int ret;

	/* still busy within the hold: look again in a tick */
	spin_lock(&linfo->lock);
	if (write_held(linfo, lock)) {
		queue_delayed_work(linfo->wq, &lock->inv_work, 1);
		spin_unlock(&linfo->lock);
		return;
	}
	lock->inv_hold = false;
	spin_unlock(&linfo->lock);
	start = ktime_get();

	/*
	 * Holders of the transaction may still take the mode while the
	 * commit waits for them (see lock_range): until it is unused at the
	 * moment it changes, drain and make durable again.
	 */
	for (;;) {
		wait_event(linfo->waitq, inv_drained(linfo, lock));

		/* no page cache work under it: no inode of the group has pages of it */
		if (inodes && new_mode == SCOUTFS_LOCK_NULL)
			inodes = xchg(&lock->pages, false);
		else if (inodes)
			inodes = READ_ONCE(lock->pages);

		ret = 0;
		if (writer) {
			if (inodes)
				ret = lock_inode_pages(sb, lock, new_mode == SCOUTFS_LOCK_NULL);
			if (!ret && READ_ONCE(lock->dirty_trans_seq) >
				    scoutfs_trans_stable_seq(sb))
				ret = scoutfs_trans_sync(sb, 1);
		} else if (inodes && new_mode == SCOUTFS_LOCK_NULL) {
			ret = lock_inode_pages(sb, lock, true);
		}

		spin_lock(&linfo->lock);
		if (ret < 0 && (lock->inv_giveback || linfo->shutdown))
			break;
		/* (and no page work came and went since the pages were dropped) */
		if (ret == 0 && inv_drained_locked(lock) &&
		    (!writer || lock->dirty_trans_seq <= scoutfs_trans_stable_seq(sb)) &&
		    !(lock->start.zone == SCOUTFS_KEY_ZONE_FS && new_mode == SCOUTFS_LOCK_NULL &&
		      lock->pages))
			break;
		spin_unlock(&linfo->lock);
		if (ret < 0) {
			scoutfs_err(sb, "giving up mode %d of the lock on zone %u first %llu failed: error %d; trying again",
				    old_mode, lock->start.zone, le64_to_cpu(lock->start.first), ret);
			msleep(100);
		}
	}

	/* under linfo->lock */
	scoutfs_add_counter_us(sb, lock_inv_us, start);
	giveback = lock->inv_giveback;
	id = lock->inv_id;
	if (ret == 0 && giveback) {
		lock->req_mode = SCOUTFS_LOCK_NULL;
		lock->req_seq++;
	} else if (ret == 0) {
		lock->mode = new_mode;
		scoutfs_inc_counter(sb, lock_invalidations);
	}
	spin_unlock(&linfo->lock);

	if (giveback) {
		if (ret == 0 && lock_send_request(sb, lock, old_mode, SCOUTFS_LOCK_NULL) < 0) {
			spin_lock(&linfo->lock);
			lock->req_mode = -1;
			spin_unlock(&linfo->lock);
		}
	} else {
		memset(&nl, 0, sizeof(nl));
		nl.start = lock->start;
		nl.end = lock->end;
		nl.old_mode = old_mode;
		nl.new_mode = new_mode;
		scoutfs_client_lock_answer(sb, id, ret, &nl);
	}

	spin_lock(&linfo->lock);
	lock->inv_pending = false;
	lock->inv_giveback = false;
	lock->waiters--;
	wake = true;
	if (lock->mode == SCOUTFS_LOCK_NULL && lock_unused(lock)) {
		/* given back and granted NULL already: nobody else frees it */
		lock_remove(linfo, lock);
	} else {
		lock_lru_add(linfo, lock);
		lock = NULL;
	}
	lock_wake(linfo);
	spin_unlock(&linfo->lock);
	if (wake)
		wake_up_all(&linfo->waitq);
	kfree(lock);
}

bool scoutfs_lock_allows(struct scoutfs_lock *lock, const struct scoutfs_key *key,
			 bool write, bool blind)
{
	int mode = READ_ONCE(lock->mode);

	if (scoutfs_key_compare(key, &lock->start) < 0 ||
	    scoutfs_key_compare(key, &lock->end) > 0)
		return false;
	if (!write)
		return mode_covers(mode, SCOUTFS_LOCK_READ) &&
		       (lock->users[SCOUTFS_LOCK_READ] || lock->users[SCOUTFS_LOCK_WRITE]);
	if (blind && mode_covers(mode, SCOUTFS_LOCK_WRITE_ONLY) &&
	    (lock->users[SCOUTFS_LOCK_WRITE_ONLY] || lock->users[SCOUTFS_LOCK_WRITE]))
		return true;
	return mode_covers(mode, SCOUTFS_LOCK_WRITE) && lock->users[SCOUTFS_LOCK_WRITE];
}

/* ------------------------------------------------------------- ranges */

static void inode_group_range(u64 ino, struct scoutfs_key *start, struct scoutfs_key *end)
{
	u64 first = ino & ~((u64)SCOUTFS_LOCK_INODE_GROUP_NR - 1);

	scoutfs_key_init(start, SCOUTFS_KEY_ZONE_FS, first, 0, 0, 0, 0);
	scoutfs_key_init(end, SCOUTFS_KEY_ZONE_FS, first + SCOUTFS_LOCK_INODE_GROUP_NR - 1,
			 U8_MAX, U64_MAX, U64_MAX, U8_MAX);
}

int scoutfs_lock_ino(struct super_block *sb, int mode, int flags, u64 ino,
		     struct scoutfs_lock **ret_lock)
{
	struct scoutfs_key start;
	struct scoutfs_key end;

	inode_group_range(ino, &start, &end);
	return lock_range(sb, mode, &start, &end, ret_lock);
}

/* after a grant: an inode read under an older grant reads its item again */
static int refresh_inode(struct inode *inode, struct scoutfs_lock *lock, int flags)
{
	if (!(flags & SCOUTFS_LKF_REFRESH_INODE) ||
	    READ_ONCE(SCOUTFS_I(inode)->refresh_gen) == READ_ONCE(lock->refresh_gen))
		return 0;
	return scoutfs_inode_refresh(inode, lock);
}

/* the inode's lock the current task uses in a mode covering mode, or NULL */
static struct scoutfs_lock *task_lock_covering(struct inode *inode, int mode)
{
	struct scoutfs_inode_info *si = SCOUTFS_I(inode);
	struct scoutfs_lock_task *lt;
	struct scoutfs_lock *lock = NULL;

	spin_lock(&si->lock_tasks_lock);
	list_for_each_entry(lt, &si->lock_tasks, head) {
		if (lt->task == current && mode_covers(lt->mode, mode)) {
			lock = lt->lock;
			break;
		}
	}
	spin_unlock(&si->lock_tasks_lock);
	return lock;
}

int scoutfs_lock_inode(struct super_block *sb, int mode, int flags,
		       struct inode *inode, struct scoutfs_lock **ret_lock)
{
	struct scoutfs_lock_info *linfo = LINFO(sb);
	struct scoutfs_lock *held;
	int ret;

	/*
	 * A task already using the inode's lock for page cache work (a
	 * write reading security xattrs, a truncate changing ACLs) uses it
	 * again without waiting: an invalidation waiting for its first use
	 * to end would wait for ever.
	 */
	held = task_lock_covering(inode, mode);
	if (held) {
		spin_lock(&linfo->lock);
		held->users[mode]++;
		spin_unlock(&linfo->lock);
		*ret_lock = held;
		return 0;
	}

	ret = scoutfs_lock_ino(sb, mode, flags, scoutfs_ino(inode), ret_lock);
	if (ret == 0) {
		ret = refresh_inode(inode, *ret_lock, flags);
		if (ret < 0) {
			scoutfs_unlock(sb, *ret_lock, mode);
			*ret_lock = NULL;
		}
	}
	return ret;
}

struct inode_lock_req {
	u64 ino;
	struct inode *inode;	/* NULL: a new inode, nothing to refresh */
	struct scoutfs_lock **lockp;
};

static int cmp_req(const void *A, const void *B)
{
	const struct inode_lock_req *a = A;
	const struct inode_lock_req *b = B;
	u64 ga = a->ino / SCOUTFS_LOCK_INODE_GROUP_NR;
	u64 gb = b->ino / SCOUTFS_LOCK_INODE_GROUP_NR;

	return ga < gb ? -1 : ga > gb ? 1 : 0;
}

/* lock the groups of up to four inodes in key order, each group once */
static int lock_inode_reqs(struct super_block *sb, int mode, int flags,
			   struct inode_lock_req *reqs, int nr_reqs)
{
	struct scoutfs_lock *prev = NULL;
	int nr = 0;
	int ret = 0;
	int i;

	for (i = 0; i < nr_reqs; i++) {
		if (reqs[i].lockp)
			*reqs[i].lockp = NULL;
		if (reqs[i].lockp && (reqs[i].inode || reqs[i].ino))
			reqs[nr++] = reqs[i];
	}
	sort(reqs, nr, sizeof(reqs[0]), cmp_req, NULL);

	for (i = 0; i < nr; i++) {
		if (prev && cmp_req(&reqs[i - 1], &reqs[i]) == 0) {
			/* one group: one use of one lock for both */
			*reqs[i].lockp = prev;
		} else {
			ret = scoutfs_lock_ino(sb, mode, flags, reqs[i].ino, reqs[i].lockp);
			if (ret < 0)
				break;
			prev = *reqs[i].lockp;
		}
		if (reqs[i].inode) {
			ret = refresh_inode(reqs[i].inode, prev, flags);
			if (ret < 0)
				break;
		}
	}
	if (ret < 0) {
		prev = NULL;
		for (i = 0; i < nr; i++) {
			if (*reqs[i].lockp && *reqs[i].lockp != prev)
				scoutfs_unlock(sb, *reqs[i].lockp, mode);
			prev = *reqs[i].lockp;
			*reqs[i].lockp = NULL;
		}
	}
	return ret;
}

#define REQ(in, lp) { (in) ? scoutfs_ino(in) : 0, (in), (lp) }

int scoutfs_lock_inodes(struct super_block *sb, int mode, int flags,
			struct inode *a, struct scoutfs_lock **a_lck,
			struct inode *b, struct scoutfs_lock **b_lck,
			struct inode *c, struct scoutfs_lock **c_lck,
			struct inode *d, struct scoutfs_lock **d_lck)
{
	struct inode_lock_req reqs[4] = {
		REQ(a, a_lck), REQ(b, b_lck), REQ(c, c_lck), REQ(d, d_lck),
	};

	return lock_inode_reqs(sb, mode, flags, reqs, ARRAY_SIZE(reqs));
}

int scoutfs_lock_inode_new(struct super_block *sb, int mode, int flags,
			   struct inode *dir, struct scoutfs_lock **dir_lock,
			   u64 ino, struct scoutfs_lock **ino_lock)
{
	struct inode_lock_req reqs[2] = {
		REQ(dir, dir_lock), { ino, NULL, ino_lock },
	};

	return lock_inode_reqs(sb, mode, flags, reqs, ARRAY_SIZE(reqs));
}

void scoutfs_unlock_inodes(struct super_block *sb, int mode, struct scoutfs_lock *a,
			   struct scoutfs_lock *b, struct scoutfs_lock *c, struct scoutfs_lock *d)
{
	scoutfs_unlock(sb, a, mode);
	if (b != a)
		scoutfs_unlock(sb, b, mode);
	if (c != a && c != b)
		scoutfs_unlock(sb, c, mode);
	if (d != a && d != b && d != c)
		scoutfs_unlock(sb, d, mode);
}

static void index_range(u8 type, u64 seq, struct scoutfs_key *start, struct scoutfs_key *end)
{
	u64 window = seq >> INDEX_WINDOW_SHIFT << INDEX_WINDOW_SHIFT;

	scoutfs_key_init(start, SCOUTFS_KEY_ZONE_INODE_INDEX, 0, type, window, 0, 0);
	scoutfs_key_init(end, SCOUTFS_KEY_ZONE_INODE_INDEX, 0, type,
			 window | ((1ULL << INDEX_WINDOW_SHIFT) - 1), U64_MAX, U8_MAX);
}

int scoutfs_lock_index(struct super_block *sb, int mode, u8 type, u64 seq,
		       struct scoutfs_lock **ret_lock)
{
	struct scoutfs_key start;
	struct scoutfs_key end;

	index_range(type, seq, &start, &end);
	return lock_range(sb, mode, &start, &end, ret_lock);
}

static void orphan_range(struct scoutfs_key *start, struct scoutfs_key *end)
{
	scoutfs_key_init(start, SCOUTFS_KEY_ZONE_ORPHAN, 0, 0, 0, 0, 0);
	scoutfs_key_init(end, SCOUTFS_KEY_ZONE_ORPHAN, U64_MAX, U8_MAX, U64_MAX, U64_MAX, U8_MAX);
}

int scoutfs_lock_orphans(struct super_block *sb, int mode, struct scoutfs_lock **ret_lock)
{
	struct scoutfs_key start;
	struct scoutfs_key end;

	orphan_range(&start, &end);
	return lock_range(sb, mode, &start, &end, ret_lock);
}

static void rename_range(struct scoutfs_key *start, struct scoutfs_key *end)
{
	scoutfs_key_init(start, SCOUTFS_KEY_ZONE_LOCK, 0, SCOUTFS_LOCK_ITEM_TYPE_RENAME, 0, 0, 0);
	*end = *start;
}

int scoutfs_lock_rename(struct super_block *sb, int mode, struct scoutfs_lock **ret_lock)
{
	struct scoutfs_key start;
	struct scoutfs_key end;

	rename_range(&start, &end);
	return lock_range(sb, mode, &start, &end, ret_lock);
}

/* the range is rebuilt from its start by the functions above, and compared */
const char *scoutfs_lock_range_invalid(const struct scoutfs_key *start,
				       const struct scoutfs_key *end)
{
	struct scoutfs_key s;
	struct scoutfs_key e;

	switch (start->zone) {
	case SCOUTFS_KEY_ZONE_FS:
		inode_group_range(le64_to_cpu(start->first), &s, &e);
		break;
	case SCOUTFS_KEY_ZONE_INODE_INDEX:
		if (start->type != SCOUTFS_INDEX_ITEM_TYPE_META_SEQ &&
		    start->type != SCOUTFS_INDEX_ITEM_TYPE_DATA_SEQ)
			return "not a type of index";
		index_range(start->type, le64_to_cpu(start->second), &s, &e);
		break;
	case SCOUTFS_KEY_ZONE_ORPHAN:
		orphan_range(&s, &e);
		break;
	case SCOUTFS_KEY_ZONE_LOCK:
		rename_range(&s, &e);
		break;
	default:
		return "not a zone that locks cover";
	}
	if (memcmp(&s, start, sizeof(s)))
		return "start is not the first key of a lock range";
	if (memcmp(&e, end, sizeof(e)))
		return "end is not the last key of the range that start begins";
	return NULL;
}

/* ------------------------------------------------------ per-task locks */

void scoutfs_lock_task_add(struct inode *inode, struct scoutfs_lock_task *lt,
			   struct scoutfs_lock *lock, int mode)
{
	struct scoutfs_inode_info *si = SCOUTFS_I(inode);

	WRITE_ONCE(lock->pages, true);
	lt->task = current;
	lt->lock = lock;
	lt->mode = mode;
	spin_lock(&si->lock_tasks_lock);
	list_add(&lt->head, &si->lock_tasks);
	spin_unlock(&si->lock_tasks_lock);
}

void scoutfs_lock_task_del(struct inode *inode, struct scoutfs_lock_task *lt)
{
	struct scoutfs_inode_info *si = SCOUTFS_I(inode);

	spin_lock(&si->lock_tasks_lock);
	list_del_init(&lt->head);
	spin_unlock(&si->lock_tasks_lock);
}

int scoutfs_lock_inode_task(struct inode *inode, int mode, struct scoutfs_lock_task *lt,
			    struct scoutfs_lock **ret_lock)
{
	int ret;

	ret = scoutfs_lock_inode(inode->i_sb, mode, SCOUTFS_LKF_REFRESH_INODE, inode, ret_lock);
	if (ret == 0)
		scoutfs_lock_task_add(inode, lt, *ret_lock, mode);
	return ret;
}

void scoutfs_unlock_inode_task(struct inode *inode, int mode, struct scoutfs_lock_task *lt,
			       struct scoutfs_lock *lock)
{
	scoutfs_lock_task_del(inode, lt);
	scoutfs_unlock(inode->i_sb, lock, mode);
}

struct scoutfs_lock *scoutfs_lock_find_task(struct inode *inode)
{
	struct scoutfs_inode_info *si = SCOUTFS_I(inode);
	struct scoutfs_lock_task *lt;
	struct scoutfs_lock *lock = NULL;

	spin_lock(&si->lock_tasks_lock);
	list_for_each_entry(lt, &si->lock_tasks, head) {
		if (lt->task == current) {
			lock = lt->lock;
			break;
		}
	}
	spin_unlock(&si->lock_tasks_lock);
	return lock;
}

struct scoutfs_lock *scoutfs_lock_find_granted(struct inode *inode, int mode, bool strict)
{
	struct super_block *sb = inode->i_sb;
	struct scoutfs_lock_info *linfo = LINFO(sb);
	struct scoutfs_lock *lock;
	struct scoutfs_key start;
	struct scoutfs_key end;

	inode_group_range(scoutfs_ino(inode), &start, &end);
	spin_lock(&linfo->lock);
	lock = lock_find(linfo, &start);
	if (lock && mode_covers(lock->mode, mode) && lock->req_mode != SCOUTFS_LOCK_NULL &&
	    !(strict && lock->inv_pending && !mode_covers(lock->inv_mode, mode))) {
		lock_unlist(linfo, lock);
		lock->pages = true;
		lock->users[mode]++;
	} else {
		lock = NULL;
	}
	spin_unlock(&linfo->lock);
	return lock;
}

/*
 * Is ino's inode group lock granted (and not being given back or going
 * to NULL) with this refresh_gen: nothing another mount did under it can
 * have happened since that gen's grant.  Never sleeps (RCU path walks).
 */
bool scoutfs_lock_gen_granted(struct super_block *sb, u64 ino, u64 gen)
{
	struct scoutfs_lock_info *linfo = LINFO(sb);
	struct scoutfs_lock *lock;
	struct scoutfs_key start;
	struct scoutfs_key end;
	bool ret;

	inode_group_range(ino, &start, &end);
	spin_lock(&linfo->lock);
	lock = lock_find(linfo, &start);
	ret = lock && lock->mode != SCOUTFS_LOCK_NULL && lock->req_mode != SCOUTFS_LOCK_NULL &&
	      !(lock->inv_pending && lock->inv_mode == SCOUTFS_LOCK_NULL) &&
	      lock->refresh_gen == gen;
	spin_unlock(&linfo->lock);
	return ret;
}

/* ------------------------------------------------------------ shrinker */

unsigned long scoutfs_lock_nr_cached(struct super_block *sb)
{
	return READ_ONCE(LINFO(sb)->nr);
}

static unsigned long lock_count(struct shrinker *shrink, struct shrink_control *sc)
{
	struct scoutfs_lock_info *linfo = scoutfs_shrinker_private(shrink);

	return READ_ONCE(linfo->lru_nr);
}

/*
 * Idle locks, oldest first: one granted NULL is freed here, others are
 * handed to the worker, which gives them back to the server and frees
 * them once it has answered.  One whose items the open or a committing
 * transaction changed stays: giving a lock up means its changes are
 * durable first.
 */
static unsigned long lock_scan(struct shrinker *shrink, struct shrink_control *sc)
{
	struct scoutfs_lock_info *linfo = scoutfs_shrinker_private(shrink);
	struct super_block *sb = linfo->sb;
	u64 stable = scoutfs_trans_stable_seq(sb);
	struct scoutfs_lock *lock;
	struct scoutfs_lock *tmp;
	unsigned long freed = 0;
	unsigned long back = 0;
	LIST_HEAD(dispose);

	spin_lock(&linfo->lock);
	list_for_each_entry_safe(lock, tmp, &linfo->lru, lru) {
		if (freed + back >= sc->nr_to_scan)
			break;
		if (lock->mode == SCOUTFS_LOCK_NULL) {
			lock_remove(linfo, lock);
			list_add(&lock->lru, &dispose);
			freed++;
			continue;
		}
		if (lock->dirty_trans_seq > stable || linfo->shutdown)
			continue;
		/* an invalidation of our own, down to NULL, then a request for NULL */
		lock_unlist(linfo, lock);
		lock->inv_pending = true;
		lock->inv_giveback = true;
		lock->inv_mode = SCOUTFS_LOCK_NULL;
		lock->inv_hold = false;
		lock->waiters++;
		queue_delayed_work(linfo->wq, &lock->inv_work, 0);
		back++;
	}
	spin_unlock(&linfo->lock);

	list_for_each_entry_safe(lock, tmp, &dispose, lru)
		kfree(lock);
	scoutfs_add_counter(sb, lock_shrink_frees, freed + back);
	return freed + back;
}

int scoutfs_lock_setup(struct super_block *sb)
{
	struct scoutfs_lock_info *linfo;
	struct shrinker *shrinker;

	linfo = kzalloc(sizeof(*linfo), GFP_KERNEL);
	if (!linfo)
		return -ENOMEM;
	linfo->sb = sb;
	spin_lock_init(&linfo->lock);
	linfo->root = RB_ROOT;
	INIT_LIST_HEAD(&linfo->lru);
	init_waitqueue_head(&linfo->waitq);
	spin_lock_init(&linfo->iput_lock);
	INIT_LIST_HEAD(&linfo->iput_list);
	INIT_WORK(&linfo->iput_work, lock_iput_worker);
	/*
	 * Invalidations commit, which reclaim may be waiting for; each may
	 * wait for its lock's users, so they run at once, not in turn.
	 */
	linfo->wq = alloc_workqueue("scoutfs_lock", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!linfo->wq) {
		kfree(linfo);
		return -ENOMEM;
	}

	shrinker = scoutfs_shrinker_create(lock_count, lock_scan, linfo, "scoutfs-locks",
					   sb->s_id);
	if (IS_ERR(shrinker)) {
		destroy_workqueue(linfo->wq);
		kfree(linfo);
		return PTR_ERR(shrinker);
	}
	linfo->shrinker = shrinker;
	SCOUTFS_SB(sb)->locks = linfo;
	return 0;
}

/*
 * At the start of unmount, before the VFS evicts every inode: the
 * invalidations under way finish (their answers still reach the
 * server) and put their inode references; new ones are refused (the
 * farewell that follows lets go of every lock) and no lock is given
 * back.  Requests still work until the client connection goes.
 */
void scoutfs_lock_shutdown(struct super_block *sb)
{
	struct scoutfs_lock_info *linfo = LINFO(sb);
	struct scoutfs_lock *lock;
	struct rb_node *n;

	if (!linfo)
		return;
	spin_lock(&linfo->lock);
	linfo->shutdown = true;
	/* invalidations waiting out a hold start now */
	for (n = rb_first(&linfo->root); n; n = rb_next(n)) {
		lock = rb_entry(n, struct scoutfs_lock, node);
		if (lock->inv_pending) {
			lock->inv_hold = false;
			mod_delayed_work(linfo->wq, &lock->inv_work, 0);
		}
	}
	spin_unlock(&linfo->lock);
	/* invalidations, then the iputs they queued */
	flush_workqueue(linfo->wq);
	flush_workqueue(linfo->wq);
}

/*
 * At unmount, after every inode was evicted and the client connection
 * closed (every request answered or failed): no lock is in use.
 */
void scoutfs_lock_destroy(struct super_block *sb)
{
	struct scoutfs_lock_info *linfo = LINFO(sb);
	struct scoutfs_lock *lock;
	struct rb_node *n;

	if (!linfo)
		return;
	scoutfs_shrinker_destroy(linfo->shrinker);
	destroy_workqueue(linfo->wq);
	while ((n = rb_first(&linfo->root))) {
		lock = rb_entry(n, struct scoutfs_lock, node);
		WARN_ON_ONCE(!lock_idle(lock) || lock->waiters || lock->req_mode >= 0);
		rb_erase(n, &linfo->root);
		kfree(lock);
	}
	kfree(linfo);
	SCOUTFS_SB(sb)->locks = NULL;
}

/* --------------------------------------------- OPEN_INO, from the server */

/*
 * Another mount found the inode unlinked under its WRITE lock and wants
 * to delete it: is it in use here?  Our names of it are stale (it has
 * none left), so the unused ones are dropped; it is in use if anything
 * else still holds it (an open file's name, a working directory, an
 * operation under way).  Our reference goes after the answer: its iput
 * may evict, which may wait for the lock the asker holds.
 */
struct open_ino_check {
	struct work_struct work;
	struct super_block *sb;
	struct inode *inode;
	u64 id;
};

struct open_ino_match {
	u64 ino;
	struct inode *inode;
	bool busy;
};

/* under inode_hash_lock, never sleeps: take a reference unless it's new or going */
static int open_ino_match(struct inode *inode, unsigned long hashval, void *data)
{
	struct open_ino_match *m = data;

	if (scoutfs_ino(inode) != m->ino)
		return 0;
	spin_lock(&inode->i_lock);
	if (inode->i_state & I_NEW) {
		/* being read in: its reader will find it unlinked */
		m->busy = true;
	} else if (!(inode->i_state & (I_FREEING | I_WILL_FREE))) {
		__iget(inode);
		m->inode = inode;
	}
	spin_unlock(&inode->i_lock);
	return -1;
}

static void open_ino_worker(struct work_struct *work)
{
	struct open_ino_check *oc = container_of(work, struct open_ino_check, work);
	struct inode *inode = oc->inode;
	bool in_use;

	d_prune_aliases(inode);
	in_use = atomic_read(&inode->i_count) > 1;
	if (!in_use)
		scoutfs_inc_counter(oc->sb, open_ino_released);
	scoutfs_client_open_ino_answer(oc->sb, oc->id, scoutfs_ino(inode), in_use);
	iput(inode);
	kfree(oc);
}

/* from the client's receive worker: never waits */
int scoutfs_lock_open_ino(struct super_block *sb, u64 id, u64 ino)
{
	struct scoutfs_lock_info *linfo = LINFO(sb);
	struct open_ino_match m = { .ino = ino };
	struct open_ino_check *oc;

	oc = kzalloc(sizeof(*oc), GFP_NOFS);
	if (!oc)
		return -ENOMEM;
	spin_lock(&linfo->lock);
	/* unmounting: every inode is about to be let go of */
	if (!linfo->shutdown)
		find_inode_nowait(sb, ino, open_ino_match, &m);
	if (m.inode) {
		INIT_WORK(&oc->work, open_ino_worker);
		oc->sb = sb;
		oc->inode = m.inode;
		oc->id = id;
		queue_work(linfo->wq, &oc->work);
	}
	spin_unlock(&linfo->lock);
	if (m.inode)
		return 0;
	kfree(oc);
	scoutfs_client_open_ino_answer(sb, id, ino, m.busy);
	return 0;
}
