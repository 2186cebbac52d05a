// SPDX-License-Identifier: GPL-2.0
/*
 * lock.c: the mount's cache of cluster locks.
 *
 * Each lock names a key range; a mount has at most one struct per range,
 * found by its start key in an rbtree.  A task asks for a mode; if the
 * mode granted to the mount doesn't cover it, the lock is requested
 * (today from the local grant below: on one node every request is
 * granted at once; the cluster's lock server answers the same request)
 * and the task waits for the grant.  Uses are counted per mode.  A lock
 * no task uses stays cached, granted, on an LRU; the shrinker gives idle
 * locks back (their items must be committed first) under memory
 * pressure.
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

#include "format.h"
#include "super.h"
#include "item.h"
#include "inode.h"
#include "lock.h"
#include "trans.h"
#include "msg.h"
#include "counters.h"

#define INDEX_WINDOW_SHIFT	10

struct scoutfs_lock_info {
	struct super_block *sb;
	spinlock_t lock;
	struct rb_root root;
	struct list_head lru;
	unsigned long nr;
	unsigned long lru_nr;
	u64 next_refresh_gen;
	struct shrinker *shrinker;
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

/*
 * The request for a mode, called with linfo->lock held.  One node: grant
 * it.  A grant from NULL is a new grant: items and inodes read under an
 * earlier one may be stale, so refresh_gen changes.
 */
static void lock_request(struct scoutfs_lock_info *linfo, struct scoutfs_lock *lock, int mode)
{
	int want = mode_union(lock->mode, mode);

	scoutfs_inc_counter(linfo->sb, lock_requests);
	scoutfs_inc_counter(linfo->sb, lock_grants);
	if (lock->mode == SCOUTFS_LOCK_NULL)
		lock->refresh_gen = ++linfo->next_refresh_gen;
	lock->mode = want;
}

static int lock_range(struct super_block *sb, int mode, const struct scoutfs_key *start,
		      const struct scoutfs_key *end, struct scoutfs_lock **ret_lock)
{
	struct scoutfs_lock_info *linfo = LINFO(sb);
	struct scoutfs_lock *alloc = NULL;
	struct scoutfs_lock *lock;
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
		RB_CLEAR_NODE(&alloc->node);
		INIT_LIST_HEAD(&alloc->lru);
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

	if (!mode_covers(lock->mode, mode))
		lock_request(linfo, lock, mode);
	ret = 0;

	if (!list_empty(&lock->lru)) {
		list_del_init(&lock->lru);
		linfo->lru_nr--;
	}
	lock->users[mode]++;
	*ret_lock = lock;
	spin_unlock(&linfo->lock);
	scoutfs_inc_counter(sb, lock_uses);

	kfree(alloc);
	return ret;
}

void scoutfs_unlock(struct super_block *sb, struct scoutfs_lock *lock, int mode)
{
	struct scoutfs_lock_info *linfo = LINFO(sb);

	if (!lock)
		return;

	spin_lock(&linfo->lock);
	if (!WARN_ON_ONCE(mode <= SCOUTFS_LOCK_NULL || mode >= SCOUTFS_LOCK_NR_MODES ||
			  lock->users[mode] == 0)) {
		lock->users[mode]--;
		if (lock_idle(lock)) {
			list_add_tail(&lock->lru, &linfo->lru);
			linfo->lru_nr++;
		}
	}
	spin_unlock(&linfo->lock);
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

int scoutfs_lock_inode(struct super_block *sb, int mode, int flags,
		       struct inode *inode, struct scoutfs_lock **ret_lock)
{
	int ret;

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

int scoutfs_lock_index(struct super_block *sb, int mode, u8 type, u64 seq,
		       struct scoutfs_lock **ret_lock)
{
	u64 window = seq >> INDEX_WINDOW_SHIFT << INDEX_WINDOW_SHIFT;
	struct scoutfs_key start;
	struct scoutfs_key end;

	scoutfs_key_init(&start, SCOUTFS_KEY_ZONE_INODE_INDEX, 0, type, window, 0, 0);
	scoutfs_key_init(&end, SCOUTFS_KEY_ZONE_INODE_INDEX, 0, type,
			 window | ((1ULL << INDEX_WINDOW_SHIFT) - 1), U64_MAX, U8_MAX);
	return lock_range(sb, mode, &start, &end, ret_lock);
}

int scoutfs_lock_orphans(struct super_block *sb, int mode, struct scoutfs_lock **ret_lock)
{
	struct scoutfs_key start;
	struct scoutfs_key end;

	scoutfs_key_init(&start, SCOUTFS_KEY_ZONE_ORPHAN, 0, 0, 0, 0, 0);
	scoutfs_key_init(&end, SCOUTFS_KEY_ZONE_ORPHAN, U64_MAX, U8_MAX, U64_MAX, U64_MAX, U8_MAX);
	return lock_range(sb, mode, &start, &end, ret_lock);
}

int scoutfs_lock_rename(struct super_block *sb, int mode, struct scoutfs_lock **ret_lock)
{
	struct scoutfs_key key;

	scoutfs_key_init(&key, SCOUTFS_KEY_ZONE_LOCK, 0, SCOUTFS_LOCK_ITEM_TYPE_RENAME, 0, 0, 0);
	return lock_range(sb, mode, &key, &key, ret_lock);
}

/* ------------------------------------------------------ per-task locks */

void scoutfs_lock_task_add(struct inode *inode, struct scoutfs_lock_task *lt,
			   struct scoutfs_lock *lock)
{
	struct scoutfs_inode_info *si = SCOUTFS_I(inode);

	lt->task = current;
	lt->lock = lock;
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
		scoutfs_lock_task_add(inode, lt, *ret_lock);
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

struct scoutfs_lock *scoutfs_lock_find_granted(struct inode *inode, int mode)
{
	struct super_block *sb = inode->i_sb;
	struct scoutfs_lock_info *linfo = LINFO(sb);
	struct scoutfs_lock *lock;
	struct scoutfs_key start;
	struct scoutfs_key end;

	inode_group_range(scoutfs_ino(inode), &start, &end);
	spin_lock(&linfo->lock);
	lock = lock_find(linfo, &start);
	if (lock && mode_covers(lock->mode, mode)) {
		if (!list_empty(&lock->lru)) {
			list_del_init(&lock->lru);
			linfo->lru_nr--;
		}
		lock->users[mode]++;
	} else {
		lock = NULL;
	}
	spin_unlock(&linfo->lock);
	return lock;
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
 * Give back idle locks, oldest first.  One whose items the open or a
 * committing transaction changed stays: giving a lock up means its
 * changes are durable first (the cluster's invalidation commits them).
 */
static unsigned long lock_scan(struct shrinker *shrink, struct shrink_control *sc)
{
	struct scoutfs_lock_info *linfo = scoutfs_shrinker_private(shrink);
	struct super_block *sb = linfo->sb;
	u64 stable = scoutfs_trans_stable_seq(sb);
	struct scoutfs_lock *lock;
	struct scoutfs_lock *tmp;
	unsigned long freed = 0;
	LIST_HEAD(dispose);

	spin_lock(&linfo->lock);
	list_for_each_entry_safe(lock, tmp, &linfo->lru, lru) {
		if (freed >= sc->nr_to_scan)
			break;
		if (lock->dirty_trans_seq > stable)
			continue;
		list_move(&lock->lru, &dispose);
		linfo->lru_nr--;
		rb_erase(&lock->node, &linfo->root);
		linfo->nr--;
		freed++;
	}
	spin_unlock(&linfo->lock);

	list_for_each_entry_safe(lock, tmp, &dispose, lru)
		kfree(lock);
	scoutfs_add_counter(sb, lock_shrink_frees, freed);
	return freed;
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

	shrinker = scoutfs_shrinker_create(lock_count, lock_scan, linfo, "scoutfs-locks",
					   sb->s_id);
	if (IS_ERR(shrinker)) {
		kfree(linfo);
		return PTR_ERR(shrinker);
	}
	linfo->shrinker = shrinker;
	SCOUTFS_SB(sb)->locks = linfo;
	return 0;
}

/* at unmount, after every inode was evicted: no lock is in use */
void scoutfs_lock_destroy(struct super_block *sb)
{
	struct scoutfs_lock_info *linfo = LINFO(sb);
	struct scoutfs_lock *lock;
	struct rb_node *n;

	if (!linfo)
		return;
	scoutfs_shrinker_destroy(linfo->shrinker);
	while ((n = rb_first(&linfo->root))) {
		lock = rb_entry(n, struct scoutfs_lock, node);
		WARN_ON_ONCE(!lock_idle(lock));
		rb_erase(n, &linfo->root);
		kfree(lock);
	}
	kfree(linfo);
	SCOUTFS_SB(sb)->locks = NULL;
}
