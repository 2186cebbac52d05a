// SPDX-License-Identifier: GPL-2.0
/*
 * item.c: the item interface.
 *
 * Items changed in the open transaction live in an rbtree of dirty items
 * (values, or deletion markers) over the committed btree; every read
 * merges the two, dirty items winning.  The commit applies the dirty items
 * to the btree in one sorted batch and empties the rbtree.  A rwsem orders
 * readers and writers of the rbtree and of the btree root against the
 * commit.  This is the layer the cluster's per-mount log trees replace: the
 * VFS code only sees these calls.
 */
#include <linux/module.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/rbtree.h>
#include <linux/mm.h>

#include "format.h"
#include "glue.h"
#include "super.h"
#include "item.h"
#include "btree.h"
#include "trans.h"
#include "msg.h"
#include "forest.h"
#include "lock.h"
#include "counters.h"

struct dirty_item {
	struct rb_node node;
	struct scoutfs_key key;
	u64 seq;
	bool deletion;
	/*
	 * The key exists in the committed tree (true when unknown): only then
	 * does a deletion need a marker; deleting an item created in this
	 * transaction just forgets it.
	 */
	bool persistent;
	u16 val_len;
	u8 val[];
};

struct scoutfs_item_cache {
	struct rw_semaphore rwsem;
	struct rb_root root;
	unsigned long nr;
	unsigned long bytes;
	/* the commit's array of changes, allocated before it writes */
	struct scoutfs_btree_change *chg;
	unsigned long chg_nr;
};

#define ITEMS(sb) (SCOUTFS_SB(sb)->items)

static int cmp_u64(u64 a, u64 b)
{
	return a < b ? -1 : a > b ? 1 : 0;
}

int scoutfs_key_compare(const struct scoutfs_key *a, const struct scoutfs_key *b)
{
	return cmp_u64(a->zone, b->zone) ?:
	       cmp_u64(le64_to_cpu(a->first), le64_to_cpu(b->first)) ?:
	       cmp_u64(a->type, b->type) ?:
	       cmp_u64(le64_to_cpu(a->second), le64_to_cpu(b->second)) ?:
	       cmp_u64(le64_to_cpu(a->third), le64_to_cpu(b->third)) ?:
	       cmp_u64(a->fourth, b->fourth);
}

void scoutfs_key_init(struct scoutfs_key *key, u8 zone, u64 first, u8 type,
		      u64 second, u64 third, u8 fourth)
{
	memset(key, 0, sizeof(*key));
	key->zone = zone;
	key->first = cpu_to_le64(first);
	key->type = type;
	key->second = cpu_to_le64(second);
	key->third = cpu_to_le64(third);
	key->fourth = fourth;
}

void scoutfs_key_set_zeros(struct scoutfs_key *key)
{
	memset(key, 0, sizeof(*key));
}

void scoutfs_key_set_ones(struct scoutfs_key *key)
{
	scoutfs_key_init(key, U8_MAX, U64_MAX, U8_MAX, U64_MAX, U64_MAX, U8_MAX);
}

/* the key as one number in significance order: zone first type second third fourth */
void scoutfs_key_inc(struct scoutfs_key *key)
{
	if (++key->fourth)
		return;
	le64_add_cpu(&key->third, 1);
	if (key->third)
		return;
	le64_add_cpu(&key->second, 1);
	if (key->second)
		return;
	if (++key->type)
		return;
	le64_add_cpu(&key->first, 1);
	if (key->first)
		return;
	key->zone++;
}

void scoutfs_key_dec(struct scoutfs_key *key)
{
	if (key->fourth--)
		return;
	le64_add_cpu(&key->third, -1);
	if (key->third != cpu_to_le64(U64_MAX))
		return;
	le64_add_cpu(&key->second, -1);
	if (key->second != cpu_to_le64(U64_MAX))
		return;
	if (key->type--)
		return;
	le64_add_cpu(&key->first, -1);
	if (key->first != cpu_to_le64(U64_MAX))
		return;
	key->zone--;
}

static struct dirty_item *dirty_find(struct scoutfs_item_cache *ic, const struct scoutfs_key *key)
{
	struct rb_node *n = ic->root.rb_node;
	struct dirty_item *di;
	int cmp;

	while (n) {
		di = rb_entry(n, struct dirty_item, node);
		cmp = scoutfs_key_compare(key, &di->key);
		if (cmp < 0)
			n = n->rb_left;
		else if (cmp > 0)
			n = n->rb_right;
		else
			return di;
	}
	return NULL;
}

/* first dirty item >= key (next) or last <= key (!next) */
static struct dirty_item *dirty_near(struct scoutfs_item_cache *ic, const struct scoutfs_key *key,
				     bool next)
{
	struct rb_node *n = ic->root.rb_node;
	struct dirty_item *best = NULL;
	struct dirty_item *di;
	int cmp;

	while (n) {
		di = rb_entry(n, struct dirty_item, node);
		cmp = scoutfs_key_compare(key, &di->key);
		if (cmp == 0)
			return di;
		if (next) {
			if (cmp < 0) {
				best = di;
				n = n->rb_left;
			} else {
				n = n->rb_right;
			}
		} else {
			if (cmp > 0) {
				best = di;
				n = n->rb_right;
			} else {
				n = n->rb_left;
			}
		}
	}
	return best;
}

/*
 * Every access names the lock that covers its key in a mode that allows
 * it; anything else is a bug in the caller.
 */
static int check_lock(struct super_block *sb, struct scoutfs_lock *lock,
		      const struct scoutfs_key *key, bool write, bool blind, const char *op)
{
	if (likely(lock && scoutfs_lock_allows(lock, key, write, blind)))
		return 0;
	WARN_ONCE(1, "scoutfs: item %s of zone %u first %llu type %u second %llu not covered by %s lock (mode %d)\n",
		  op, key->zone, le64_to_cpu(key->first), key->type, le64_to_cpu(key->second),
		  lock ? "its" : "a", lock ? lock->mode : -1);
	return -EINVAL;
}

static int copy_dirty(struct dirty_item *di, void *val, int len)
{
	if (len > 0)
		memcpy(val, di->val, min_t(int, len, di->val_len));
	return di->val_len;
}

int scoutfs_item_lookup(struct super_block *sb, const struct scoutfs_key *key,
			void *val, int val_len, struct scoutfs_lock *lock)
{
	struct scoutfs_item_cache *ic = ITEMS(sb);
	struct dirty_item *di;
	int ret;

	ret = check_lock(sb, lock, key, false, false, "lookup");
	if (ret)
		return ret;
	down_read(&ic->rwsem);
	di = dirty_find(ic, key);
	if (di)
		ret = di->deletion ? -ENOENT : copy_dirty(di, val, val_len);
	else
		ret = scoutfs_forest_lookup(sb, key, val, val_len);
	up_read(&ic->rwsem);
	return ret;
}

int scoutfs_item_lookup_exact(struct super_block *sb, const struct scoutfs_key *key,
			      void *val, int val_len, struct scoutfs_lock *lock)
{
	int ret = scoutfs_item_lookup(sb, key, val, val_len, lock);

	if (ret >= 0 && ret != val_len) {
		scoutfs_err(sb, "item zone %u first %llu type %u second %llu: value of %d bytes, expected %d",
			    key->zone, le64_to_cpu(key->first), key->type,
			    le64_to_cpu(key->second), ret, val_len);
		return -EIO;
	}
	return ret < 0 ? ret : 0;
}

/* merged next/prev over dirty and committed items */
static int item_near(struct super_block *sb, struct scoutfs_key *key,
		     const struct scoutfs_key *limit, void *val, int val_len, bool next,
		     struct scoutfs_lock *lock)
{
	struct scoutfs_item_cache *ic = ITEMS(sb);
	struct scoutfs_key pos = *key;
	struct scoutfs_key found;
	struct dirty_item *di;
	int cmp;
	int ret;

	ret = check_lock(sb, lock, key, false, false, next ? "next" : "prev") ?:
	      check_lock(sb, lock, limit, false, false, next ? "next" : "prev");
	if (ret)
		return ret;

	down_read(&ic->rwsem);
	for (;;) {
		if (next ? scoutfs_key_compare(&pos, limit) > 0 : scoutfs_key_compare(&pos, limit) < 0) {
			ret = -ENOENT;
			break;
		}
		di = dirty_near(ic, &pos, next);
		if (di && (next ? scoutfs_key_compare(&di->key, limit) > 0 :
				  scoutfs_key_compare(&di->key, limit) < 0))
			di = NULL;

		if (next)
			ret = scoutfs_forest_next(sb, &pos, limit, &found, val, val_len);
		else
			ret = scoutfs_forest_prev(sb, &pos, limit, &found, val, val_len);
		if (ret < 0 && ret != -ENOENT)
			break;

		if (ret == -ENOENT && !di)
			break;
		if (ret == -ENOENT)
			cmp = 1;	/* only dirty */
		else if (!di)
			cmp = -1;	/* only committed */
		else
			cmp = next ? scoutfs_key_compare(&found, &di->key) :
				     scoutfs_key_compare(&di->key, &found);

		if (cmp < 0) {
			*key = found;
			break;
		}
		/* the dirty item is nearer, or replaces the committed one */
		if (!di->deletion) {
			*key = di->key;
			ret = copy_dirty(di, val, val_len);
			break;
		}
		pos = di->key;
		if (next) {
			if (scoutfs_key_compare(&pos, limit) >= 0) {
				ret = -ENOENT;
				break;
			}
			scoutfs_key_inc(&pos);
		} else {
			if (scoutfs_key_compare(&pos, limit) <= 0) {
				ret = -ENOENT;
				break;
			}
			scoutfs_key_dec(&pos);
		}
	}
	up_read(&ic->rwsem);
	return ret;
}

int scoutfs_item_next(struct super_block *sb, struct scoutfs_key *key,
		      const struct scoutfs_key *last, void *val, int val_len,
		      struct scoutfs_lock *lock)
{
	return item_near(sb, key, last, val, val_len, true, lock);
}

/* the committed items from key to last, a batch at a time: see btree.h */
int scoutfs_item_read_committed(struct super_block *sb, const struct scoutfs_key *key,
				const struct scoutfs_key *last, scoutfs_btree_item_cb cb, void *arg)
{
	struct scoutfs_item_cache *ic = ITEMS(sb);
	int ret;

	down_read(&ic->rwsem);
	ret = scoutfs_forest_read_items(sb, key, last, cb, arg);
	up_read(&ic->rwsem);
	return ret;
}

int scoutfs_item_prev(struct super_block *sb, struct scoutfs_key *key,
		      const struct scoutfs_key *first, void *val, int val_len,
		      struct scoutfs_lock *lock)
{
	return item_near(sb, key, first, val, val_len, false, lock);
}

enum { MUST_NOT_EXIST, MUST_EXIST, ANY };

/* is the lock in use in a mode that may read (else only WRITE_ONLY)? */
static bool mode_allows_read(struct scoutfs_lock *lock)
{
	return READ_ONCE(lock->users[SCOUTFS_LOCK_READ]) ||
	       READ_ONCE(lock->users[SCOUTFS_LOCK_WRITE]);
}

/*
 * Testing only: when set to N, the Nth item change from then on fails
 * with ENOMEM, as an allocation could, and the count goes back to 0.
 * The fault scenarios use it to fail every step of an operation in turn.
 */
static int fail_item_change;
module_param(fail_item_change, int, 0600);
MODULE_PARM_DESC(fail_item_change, "testing: the Nth item change from now fails with ENOMEM (0: never)");
static DEFINE_SPINLOCK(fail_lock);

static bool inject_failure(void)
{
	bool fail = false;

	spin_lock(&fail_lock);
	if (fail_item_change > 0 && --fail_item_change == 0)
		fail = true;
	spin_unlock(&fail_lock);
	return fail;
}

/*
 * The one modification path: replace the item's dirty state with a value
 * or a deletion marker, after checking existence as asked.
 */
static int item_modify(struct super_block *sb, const struct scoutfs_key *key,
		       const void *val, int val_len, bool deletion, int need,
		       struct scoutfs_lock *lock)
{
	struct scoutfs_item_cache *ic = ITEMS(sb);
	struct dirty_item *ins = NULL;
	struct dirty_item *di;
	struct rb_node **p;
	struct rb_node *parent;
	bool persistent;
	bool exists;
	bool blind;
	int ret;
	int cmp;

	ret = check_lock(sb, lock, key, true, need == ANY,
			 deletion ? "deletion" : need == ANY ? "set" : "change");
	if (ret)
		return ret;
	/* under WRITE_ONLY nothing may be read: a deletion leaves a marker */
	blind = need == ANY && !mode_allows_read(lock);
	if (val_len < 0 || val_len > SCOUTFS_ITEM_MAX_VAL_SIZE)
		return -EINVAL;
	if (WARN_ON_ONCE(!current->journal_info))
		return -EINVAL;
	if (unlikely(READ_ONCE(fail_item_change)) && inject_failure())
		return -ENOMEM;

	ins = scoutfs_kmalloc(sizeof(*ins) + (deletion ? 0 : val_len), scoutfs_trans_gfp());
	if (!ins)
		return -ENOMEM;
	ins->key = *key;
	ins->seq = scoutfs_lock_item_seq(sb, scoutfs_trans_seq(sb));
	ins->deletion = deletion;
	ins->val_len = deletion ? 0 : val_len;
	if (!deletion && val_len)
		memcpy(ins->val, val, val_len);

	down_write(&ic->rwsem);
	di = dirty_find(ic, key);
	if (di) {
		exists = !di->deletion;
		persistent = di->persistent;
	} else if (need == ANY && !deletion) {
		exists = false;	/* doesn't matter */
		persistent = true;	/* not known: assume so */
	} else if (blind) {
		exists = true;		/* not known: leave a marker */
		persistent = true;
	} else {
		ret = scoutfs_forest_lookup(sb, key, NULL, 0);
		if (ret < 0 && ret != -ENOENT)
			goto out;
		exists = ret >= 0;
		persistent = exists;
	}
	ins->persistent = persistent;

	if (need == MUST_NOT_EXIST && exists) {
		ret = -EEXIST;
		goto out;
	}
	if (need == MUST_EXIST && !exists) {
		ret = -ENOENT;
		goto out;
	}
	if (deletion && !exists) {
		ret = 0;	/* delete_force of nothing */
		goto out;
	}

	if (deletion && di && !persistent) {
		/* never committed: nothing to delete on disk */
		rb_erase(&di->node, &ic->root);
		ic->nr--;
		ic->bytes -= sizeof(*di) + di->val_len;
		kfree(di);
		ret = 0;
		goto out;
	}

	if (di) {
		rb_replace_node(&di->node, &ins->node, &ic->root);
		ic->bytes -= di->val_len;
		ic->bytes += ins->val_len;
		kfree(di);
	} else {
		p = &ic->root.rb_node;
		parent = NULL;
		while (*p) {
			parent = *p;
			cmp = scoutfs_key_compare(key, &rb_entry(parent, struct dirty_item, node)->key);
			p = cmp < 0 ? &(*p)->rb_left : &(*p)->rb_right;
		}
		rb_link_node(&ins->node, parent, p);
		rb_insert_color(&ins->node, &ic->root);
		ic->nr++;
		ic->bytes += sizeof(*ins) + ins->val_len;
	}
	ins = NULL;
	ret = 0;
out:
	up_write(&ic->rwsem);
	kfree(ins);
	if (ret == 0) {
		WRITE_ONCE(lock->dirty_trans_seq, scoutfs_trans_seq(sb));
		scoutfs_trans_changed();
	}
	return ret;
}

int scoutfs_item_create(struct super_block *sb, const struct scoutfs_key *key,
			const void *val, int val_len, struct scoutfs_lock *lock)
{
	return item_modify(sb, key, val, val_len, false, MUST_NOT_EXIST, lock);
}

int scoutfs_item_update(struct super_block *sb, const struct scoutfs_key *key,
			const void *val, int val_len, struct scoutfs_lock *lock)
{
	return item_modify(sb, key, val, val_len, false, MUST_EXIST, lock);
}

int scoutfs_item_set(struct super_block *sb, const struct scoutfs_key *key,
		     const void *val, int val_len, struct scoutfs_lock *lock)
{
	return item_modify(sb, key, val, val_len, false, ANY, lock);
}

int scoutfs_item_delete(struct super_block *sb, const struct scoutfs_key *key,
			struct scoutfs_lock *lock)
{
	return item_modify(sb, key, NULL, 0, true, MUST_EXIST, lock);
}

int scoutfs_item_delete_force(struct super_block *sb, const struct scoutfs_key *key,
			      struct scoutfs_lock *lock)
{
	return item_modify(sb, key, NULL, 0, true, ANY, lock);
}

unsigned long scoutfs_item_dirty_bytes(struct super_block *sb)
{
	return READ_ONCE(ITEMS(sb)->bytes);
}

/*
 * The commit, before it changes anything: the array of every dirty item's
 * change (the transaction is write-locked, no holder adds items), so
 * that an ENOMEM fails the commit with nothing written.  The write
 * frees it.
 */
int scoutfs_item_prepare_write(struct super_block *sb)
{
	struct scoutfs_item_cache *ic = ITEMS(sb);

	down_write(&ic->rwsem);
	kvfree(ic->chg);
	ic->chg = NULL;
	ic->chg_nr = ic->nr;
	if (ic->nr)
		ic->chg = scoutfs_kvmalloc_array(ic->nr, sizeof(*ic->chg));
	up_write(&ic->rwsem);
	return ic->chg_nr && !ic->chg ? -ENOMEM : 0;
}

/*
 * The commit: apply every dirty item to the btree as one sorted batch.
 * Called with the transaction write-locked, so no holder adds items.
 * On error the dirty items stay so nothing is silently lost (the mount
 * is shut down by the caller).
 */
int scoutfs_item_write_dirty(struct super_block *sb, u64 seq,
			     struct scoutfs_super_block *super)
{
	struct scoutfs_item_cache *ic = ITEMS(sb);
	struct scoutfs_btree_change *chg = NULL;
	struct dirty_item *di;
	struct rb_node *n;
	int nr = 0;
	int ret = 0;

	down_write(&ic->rwsem);
	chg = ic->chg;
	ic->chg = NULL;
	if (ic->nr == 0) {
		/* merges may have changed the roots all the same */
		ret = scoutfs_forest_commit(sb, seq, NULL, 0, super);
		goto out;
	}
	if (WARN_ON_ONCE(!chg || ic->chg_nr != ic->nr)) {
		ret = -EINVAL;
		goto out;
	}
	for (n = rb_first(&ic->root); n; n = rb_next(n)) {
		di = rb_entry(n, struct dirty_item, node);
		chg[nr].key = di->key;
		chg[nr].seq = di->seq;
		chg[nr].deletion = di->deletion;
		chg[nr].val_len = di->val_len;
		chg[nr].val = di->val;
		nr++;
	}
	ret = scoutfs_forest_commit(sb, seq, chg, nr, super);
	if (ret)
		goto out;

	while ((n = rb_first(&ic->root))) {
		di = rb_entry(n, struct dirty_item, node);
		rb_erase(n, &ic->root);
		kfree(di);
	}
	ic->nr = 0;
	ic->bytes = 0;
out:
	up_write(&ic->rwsem);
	kvfree(chg);
	return ret;
}

unsigned long scoutfs_item_dirty_nr(struct super_block *sb)
{
	return READ_ONCE(ITEMS(sb)->nr);
}

int scoutfs_item_setup(struct super_block *sb)
{
	struct scoutfs_item_cache *ic;

	ic = kzalloc(sizeof(*ic), GFP_KERNEL);
	if (!ic)
		return -ENOMEM;
	init_rwsem(&ic->rwsem);
	ic->root = RB_ROOT;
	SCOUTFS_SB(sb)->items = ic;
	return 0;
}

void scoutfs_item_destroy(struct super_block *sb)
{
	struct scoutfs_item_cache *ic = ITEMS(sb);
	struct rb_node *n;

	if (!ic)
		return;
	while ((n = rb_first(&ic->root))) {
		rb_erase(n, &ic->root);
		kfree(rb_entry(n, struct dirty_item, node));
	}
	kvfree(ic->chg);
	kfree(ic);
	SCOUTFS_SB(sb)->items = NULL;
}
