// SPDX-License-Identifier: GPL-2.0
/*
 * forest.c: the fs btree and the log btrees, read as one.
 *
 * A commit writes its dirty items, deletions as markers, into this
 * mount's current log btree: the commit rewrites only that small tree's
 * blocks, not one leaf of the large fs btree per scattered change.  Once
 * a log btree has taken forest_finalize_kib of items it is finalized (no
 * more commits go into it) and the next commit starts a new one.  A
 * background worker merges finalized log btrees into the fs btree, oldest
 * first, a batch of items per transaction hold (so commits go on between
 * batches): each batch goes into the fs btree and leaves the log btree in
 * the same transaction, so the log btree's blocks come back as it empties
 * and a crash resumes where the last commit left off; an emptied log
 * btree's record goes.  Log btrees that earlier mounts of the volume left
 * (a crash, or a clean unmount) are finalized ones: this mount merges
 * them.  A hold short of space merges everything at once
 * (scoutfs_forest_reclaim()) before it gives up with ENOSPC.
 *
 * Space: merging a log btree into the fs btree may grow the fs btree by
 * twice its items' bytes (new leaves are at least half full) before the
 * log btree's blocks come back.  Every tree's item bytes are counted
 * (read once at mount for trees earlier mounts left) and holds leave that
 * much free (scoutfs_forest_merge_reserve()), so whatever the log btrees
 * hold can always be merged, even on a volume that filled up.
 *
 * Readers merge every tree by item seq: of all copies of a key the one
 * with the greatest seq wins and a deletion marker hides the key.
 *
 * The LogTrees records live in the logs btree (super logs_root), keyed
 * (LOG_TREES, rid, LOG_TREES, nr).  The forest's rwsem orders readers
 * against the roots changing (commit, merge batches).
 */
#include <linux/module.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/list.h>
#include <linux/rwsem.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <linux/hash.h>

#include "format.h"
#include "glue.h"
#include "rules.h"
#include "super.h"
#include "btree.h"
#include "item.h"
#include "trans.h"
#include "alloc.h"
#include "forest.h"
#include "lock.h"
#include "client.h"
#include "server.h"
#include "msg.h"
#include "counters.h"

/*
 * A log btree is finalized once its commits wrote about this much.
 * Testing: smaller values make small workloads finalize and merge often.
 */
static unsigned int forest_finalize_kib = 2048;
module_param(forest_finalize_kib, uint, 0600);
MODULE_PARM_DESC(forest_finalize_kib,
		 "testing: KiB of items committed into a log btree before it is finalized (default 2048)");
/* beyond this many finalized trees the current one keeps growing instead */
#define MAX_FINALIZED		8
/* items, and value bytes, merged per transaction hold */
#define MERGE_ITEMS		512
#define MERGE_BYTES		(128 * 1024)
/* a merge that found too little free space tries again after this */
#define MERGE_RETRY_MS		1000

/*
 * Each log btree has an in-memory bloom filter of the lock groups (the
 * key ranges of lock.c) its items fall in, so a read of one key only
 * searches the trees that may hold it (built as commits write, or read
 * at mount for the trees earlier mounts left), and the bytes of its items
 * (header and value) not merged yet.
 */
#define BLOOM_BITS	4096

struct ftree {
	struct list_head head;
	struct scoutfs_log_trees lt;
	u64 bytes;
	/* false for another mount's current tree: it may hold anything */
	bool bloom_valid;
	unsigned long bloom[BITS_TO_LONGS(BLOOM_BITS)];
};

/* a key's lock group: inode group, index window, or the whole zone */
static u64 key_group(const struct scoutfs_key *key)
{
	u64 g;

	if (key->zone == SCOUTFS_KEY_ZONE_FS)
		g = le64_to_cpu(key->first) / SCOUTFS_LOCK_INODE_GROUP_NR;
	else if (key->zone == SCOUTFS_KEY_ZONE_INODE_INDEX)
		g = ((u64)key->type << 56) ^ (le64_to_cpu(key->second) >> 10);
	else
		g = 0;
	return g ^ ((u64)key->zone << 58);
}

static void bloom_bits(const struct scoutfs_key *key, unsigned int *a, unsigned int *b)
{
	u64 h = hash_64(key_group(key), 32);

	*a = h % BLOOM_BITS;
	*b = (h >> 16) % BLOOM_BITS;
}

static void bloom_add(struct ftree *t, const struct scoutfs_key *key)
{
	unsigned int a, b;

	bloom_bits(key, &a, &b);
	__set_bit(a, t->bloom);
	__set_bit(b, t->bloom);
}

/* may the tree hold keys from key to last (one lock group only: else yes) */
static bool may_hold(struct ftree *t, const struct scoutfs_key *key,
		     const struct scoutfs_key *last)
{
	unsigned int a, b;

	if (!t || !t->bloom_valid || key_group(key) != key_group(last))
		return true;
	bloom_bits(key, &a, &b);
	return test_bit(a, t->bloom) && test_bit(b, t->bloom);
}

struct scoutfs_forest_info {
	struct super_block *sb;
	struct rw_semaphore rwsem;
	struct scoutfs_btree_root fs_root;
	struct scoutfs_btree_root logs_root;
	/* this mount's current log btree; NULL until a commit has items */
	struct ftree *cur;
	u64 next_nr;
	/* finalized log btrees, oldest first */
	struct list_head finalized;
	unsigned int nr_finalized;
	/* the server's mount: other mounts' current log btrees */
	struct list_head others;
	/* a client of another mount's server: roots as of this lock refresh_gen */
	struct mutex refresh_mutex;
	u64 roots_gen;

	struct workqueue_struct *wq;
	struct delayed_work merge_work;
	bool merging;
	/* the next commit finalizes the current log btree whatever its size */
	bool force_finalize;
	/* one merger at a time: the worker or a hold short of space */
	struct mutex merge_mutex;
};

#define FOREST(sb) (SCOUTFS_SB(sb)->forest)

static void logs_key(struct scoutfs_key *key, u64 rid, u64 nr)
{
	scoutfs_key_init(key, SCOUTFS_KEY_ZONE_LOG_TREES, rid, SCOUTFS_LOG_TREES_ITEM_TYPE_LOG_TREES,
			 nr, 0, 0);
}

/* ------------------------------------------------------------ reading */

/*
 * The roots readers merge, called with the rwsem held: the current log
 * btree, the finalized ones, other mounts' current ones, then the fs
 * btree (empty trees are skipped).  Returns NULL past the last; *pos
 * starts at 0.
 */
enum { RP_CUR, RP_FIN_FIRST, RP_FIN, RP_OTH_FIRST, RP_OTH, RP_FS, RP_DONE };

static struct scoutfs_btree_root *next_root(struct scoutfs_forest_info *fi, int *pos,
					    struct ftree **t)
{
	struct list_head *head;

	for (;;) {
		switch (*pos) {
		case RP_CUR:
			*pos = RP_FIN_FIRST;
			if (fi->cur && fi->cur->lt.item_root.height) {
				*t = fi->cur;
				return &fi->cur->lt.item_root;
			}
			break;
		case RP_FIN_FIRST:
		case RP_OTH_FIRST:
		case RP_FIN:
		case RP_OTH:
			head = (*pos == RP_FIN_FIRST || *pos == RP_FIN) ? &fi->finalized : &fi->others;
			if (*pos == RP_FIN_FIRST || *pos == RP_OTH_FIRST) {
				*t = list_first_entry(head, struct ftree, head);
				(*pos)++;
			} else {
				*t = list_next_entry(*t, head);
			}
			while (&(*t)->head != head && !(*t)->lt.item_root.height)
				*t = list_next_entry(*t, head);
			if (&(*t)->head != head)
				return &(*t)->lt.item_root;
			(*pos)++;
			break;
		case RP_FS:
			*pos = RP_DONE;
			*t = NULL;
			return &fi->fs_root;
		default:
			*t = NULL;
			return NULL;
		}
	}
}

#define for_each_root(fi, root, pos, t) \
	for (pos = 0, t = NULL; (root = next_root(fi, &pos, &t)); )

static bool newer(const struct scoutfs_btree_meta *a, const struct scoutfs_btree_meta *b)
{
	return a->seq > b->seq;
}

static int forest_lookup(struct super_block *sb, const struct scoutfs_key *key,
			 void *val, int len)
{
	struct scoutfs_forest_info *fi = FOREST(sb);
	struct scoutfs_btree_root *best = NULL;
	struct scoutfs_btree_root *root;
	struct scoutfs_btree_meta best_meta = { 0 };
	struct scoutfs_btree_meta meta;
	struct ftree *t;
	int best_len = 0;
	int pos;
	int ret = 0;

	down_read(&fi->rwsem);
	for_each_root(fi, root, pos, t) {
		if (!may_hold(t, key, key))
			continue;
		/* a copy newer than the best so far overwrites its value in val */
		ret = scoutfs_btree_lookup_newer(sb, root, key, val, len, &meta,
						 best ? &best_meta.seq : NULL);
		if (ret == -ENOENT)
			continue;
		if (ret < 0)
			goto out;
		best = root;
		best_meta = meta;
		best_len = ret;
	}
	if (!best || (best_meta.flags & SCOUTFS_ITEM_FLAG_DELETION))
		ret = -ENOENT;
	else
		ret = best_len;
out:
	up_read(&fi->rwsem);
	return ret;
}

/* merged next (or prev): the nearest key whose newest copy isn't a marker */
static int forest_near(struct super_block *sb, const struct scoutfs_key *key,
		       const struct scoutfs_key *limit, struct scoutfs_key *found,
		       void *val, int len, bool next)
{
	struct scoutfs_forest_info *fi = FOREST(sb);
	struct scoutfs_btree_root *best;
	struct scoutfs_btree_root *root;
	struct scoutfs_btree_meta best_meta;
	struct scoutfs_btree_meta meta;
	struct scoutfs_key best_key;
	struct scoutfs_key pos_key = *key;
	struct scoutfs_key k;
	struct ftree *t;
	int cmp;
	int pos;
	int ret;

	down_read(&fi->rwsem);
	for (;;) {
		best = NULL;
		for_each_root(fi, root, pos, t) {
			if (!may_hold(t, &pos_key, limit))
				continue;
			if (next)
				ret = scoutfs_btree_next(sb, root, &pos_key, limit, &k, NULL, 0, &meta);
			else
				ret = scoutfs_btree_prev(sb, root, &pos_key, limit, &k, NULL, 0, &meta);
			if (ret == -ENOENT)
				continue;
			if (ret < 0)
				goto out;
			cmp = best ? scoutfs_key_compare(&k, &best_key) : 0;
			if (!next)
				cmp = -cmp;
			if (!best || cmp < 0 || (cmp == 0 && newer(&meta, &best_meta))) {
				best = root;
				best_key = k;
				best_meta = meta;
			}
		}
		if (!best) {
			ret = -ENOENT;
			break;
		}
		if (!(best_meta.flags & SCOUTFS_ITEM_FLAG_DELETION)) {
			*found = best_key;
			ret = scoutfs_btree_lookup(sb, best, &best_key, val, len, NULL);
			break;
		}
		/* a deleted key: on past it */
		if (scoutfs_key_compare(&best_key, limit) == 0) {
			ret = -ENOENT;
			break;
		}
		pos_key = best_key;
		if (next)
			scoutfs_key_inc(&pos_key);
		else
			scoutfs_key_dec(&pos_key);
	}
out:
	up_read(&fi->rwsem);
	return ret;
}

/*
 * A client reading with roots the server's later commits changed may
 * meet a block that was freed and written again (-ESTALE from block.c):
 * it fetches the server's current roots and reads again.  Still stale
 * after a few tries is corruption.
 */
#define STALE_TRIES	5

static bool stale_again(struct super_block *sb, int *ret, int *tries)
{
	int err;

	if (*ret != -ESTALE)
		return false;
	if (!SCOUTFS_SB(sb)->follower || ++(*tries) >= STALE_TRIES) {
		scoutfs_err(sb, "reading items: blocks stayed stale after %d refreshes of the server's roots",
			    *tries);
		*ret = -EIO;
		return false;
	}
	err = scoutfs_forest_refresh(sb, U64_MAX);
	if (err) {
		*ret = err;
		return false;
	}
	return true;
}

int scoutfs_forest_lookup(struct super_block *sb, const struct scoutfs_key *key,
			  void *val, int len)
{
	int tries = 0;
	int ret;

	do {
		ret = forest_lookup(sb, key, val, len);
	} while (stale_again(sb, &ret, &tries));
	return ret;
}

int scoutfs_forest_next(struct super_block *sb, const struct scoutfs_key *key,
			const struct scoutfs_key *last, struct scoutfs_key *found,
			void *val, int len)
{
	int tries = 0;
	int ret;

	do {
		ret = forest_near(sb, key, last, found, val, len, true);
	} while (stale_again(sb, &ret, &tries));
	return ret;
}

int scoutfs_forest_prev(struct super_block *sb, const struct scoutfs_key *key,
			const struct scoutfs_key *first, struct scoutfs_key *found,
			void *val, int len)
{
	int tries = 0;
	int ret;

	do {
		ret = forest_near(sb, key, first, found, val, len, false);
	} while (stale_again(sb, &ret, &tries));
	return ret;
}

/*
 * Range reads (walks of the change indexes) merge the trees a batch of
 * items at a time: each tree has a cursor holding its next items.
 */
#define CUR_ITEMS	64
#define CUR_BYTES	(CUR_ITEMS * 64)

struct cur_ent {
	struct scoutfs_key key;
	u64 seq;
	u32 val_off;
	u16 val_len;
	u8 flags;
};

struct cursor {
	struct scoutfs_btree_root *root;
	struct scoutfs_key pos;
	bool done;
	bool full;
	int nr;
	int i;
	u32 vals_used;
	u32 vals_size;
	struct cur_ent ents[CUR_ITEMS];
	u8 *vals;
};

static int cursor_cb(void *arg, const struct scoutfs_key *key, u64 seq, u8 flags,
		     const void *val, int val_len)
{
	struct cursor *c = arg;
	struct cur_ent *e;

	if (c->nr == CUR_ITEMS || (c->nr && c->vals_used + val_len > c->vals_size)) {
		c->full = true;
		return 0;
	}
	if (c->vals_used + val_len > c->vals_size) {
		/* one large value: make room */
		u8 *vals = kvmalloc(val_len, GFP_NOFS);

		if (!vals)
			return -ENOMEM;
		kvfree(c->vals);
		c->vals = vals;
		c->vals_size = val_len;
	}
	e = &c->ents[c->nr++];
	e->key = *key;
	e->seq = seq;
	e->flags = flags;
	e->val_len = val_len;
	e->val_off = c->vals_used;
	memcpy(c->vals + c->vals_used, val, val_len);
	c->vals_used += val_len;
	return 1;
}

/* the cursor's next entry, refilling from the tree; NULL when done */
static int cursor_peek(struct super_block *sb, struct cursor *c,
		       const struct scoutfs_key *last, struct cur_ent **ent)
{
	struct scoutfs_key max;
	int ret;

	*ent = NULL;
	if (c->i == c->nr) {
		if (c->done)
			return 0;
		c->nr = 0;
		c->i = 0;
		c->vals_used = 0;
		c->full = false;
		ret = scoutfs_btree_read_items(sb, c->root, &c->pos, last, cursor_cb, c);
		if (ret < 0)
			return ret;
		/* a batch that didn't fill up reached the end of the range */
		scoutfs_key_set_ones(&max);
		if (!c->full || scoutfs_key_compare(&c->ents[c->nr - 1].key, &max) == 0) {
			c->done = true;
		} else {
			c->pos = c->ents[c->nr - 1].key;
			scoutfs_key_inc(&c->pos);
		}
		if (c->nr == 0)
			return 0;
	}
	*ent = &c->ents[c->i];
	return 0;
}

static int forest_read_items(struct super_block *sb, const struct scoutfs_key *key,
			     const struct scoutfs_key *last, scoutfs_btree_item_cb cb,
			     void *arg)
{
	struct scoutfs_forest_info *fi = FOREST(sb);
	struct scoutfs_btree_root *root;
	struct cursor *curs = NULL;
	struct cur_ent *best;
	struct cur_ent *e;
	struct ftree *t;
	int best_c;
	int nr = 0;
	int pos;
	int ret = 0;
	int c;

	down_read(&fi->rwsem);
	for_each_root(fi, root, pos, t)
		nr++;
	curs = kvcalloc(nr, sizeof(*curs), GFP_NOFS);
	if (!curs) {
		ret = -ENOMEM;
		goto out;
	}
	c = 0;
	for_each_root(fi, root, pos, t) {
		curs[c].root = root;
		curs[c].pos = *key;
		curs[c].vals_size = CUR_BYTES;
		curs[c].vals = kvmalloc(CUR_BYTES, GFP_NOFS);
		if (!curs[c].vals) {
			ret = -ENOMEM;
			goto out;
		}
		c++;
	}

	for (;;) {
		best = NULL;
		best_c = -1;
		for (c = 0; c < nr; c++) {
			ret = cursor_peek(sb, &curs[c], last, &e);
			if (ret < 0)
				goto out;
			if (!e)
				continue;
			if (!best || scoutfs_key_compare(&e->key, &best->key) < 0 ||
			    (scoutfs_key_compare(&e->key, &best->key) == 0 && e->seq > best->seq)) {
				best = e;
				best_c = c;
			}
		}
		if (!best)
			break;
		/* every copy of the key is consumed, the newest decides */
		for (c = 0; c < nr; c++) {
			if (c == best_c)
				continue;
			ret = cursor_peek(sb, &curs[c], last, &e);
			if (ret < 0)
				goto out;
			if (e && scoutfs_key_compare(&e->key, &best->key) == 0)
				curs[c].i++;
		}
		curs[best_c].i++;
		if (best->flags & SCOUTFS_ITEM_FLAG_DELETION)
			continue;
		ret = cb(arg, &best->key, best->seq, best->flags,
			 curs[best_c].vals + best->val_off, best->val_len);
		if (ret <= 0)
			break;
	}
	ret = ret < 0 ? ret : 0;
out:
	up_read(&fi->rwsem);
	if (curs) {
		for (c = 0; c < nr; c++)
			kvfree(curs[c].vals);
		kvfree(curs);
	}
	return ret;
}

/* a read that gave the caller items can't start over: counts them */
struct counted_cb {
	scoutfs_btree_item_cb cb;
	void *arg;
	bool called;
};

static int counted_cb(void *arg, const struct scoutfs_key *key, u64 seq, u8 flags,
		      const void *val, int val_len)
{
	struct counted_cb *cc = arg;

	cc->called = true;
	return cc->cb(cc->arg, key, seq, flags, val, val_len);
}

int scoutfs_forest_read_items(struct super_block *sb, const struct scoutfs_key *key,
			      const struct scoutfs_key *last, scoutfs_btree_item_cb cb,
			      void *arg)
{
	struct counted_cb cc = { .cb = cb, .arg = arg };
	int tries = 0;
	int ret;

	do {
		ret = forest_read_items(sb, key, last, counted_cb, &cc);
		if (ret == -ESTALE && cc.called) {
			scoutfs_err(sb, "reading items: a block went stale part way through a batch");
			ret = -EIO;
		}
	} while (stale_again(sb, &ret, &tries));
	return ret;
}

/* ------------------------------------------------------------- writing */

static int write_record(struct super_block *sb, struct scoutfs_forest_info *fi, u64 seq,
			struct scoutfs_log_trees *lt, bool deletion)
{
	struct scoutfs_btree_change chg;
	struct scoutfs_btree_root root = fi->logs_root;
	int ret;

	logs_key(&chg.key, le64_to_cpu(lt->rid), le64_to_cpu(lt->nr));
	chg.seq = seq;
	chg.deletion = deletion;
	chg.val_len = deletion ? 0 : sizeof(*lt);
	chg.val = lt;
	ret = scoutfs_btree_apply(sb, &root, seq, &chg, 1, 0);
	if (ret == 0)
		fi->logs_root = root;
	return ret;
}

int scoutfs_forest_commit(struct super_block *sb, u64 seq, struct scoutfs_btree_change *chg,
			  int nr, struct scoutfs_super_block *super)
{
	struct scoutfs_forest_info *fi = FOREST(sb);
	bool follower = SCOUTFS_SB(sb)->follower;
	struct scoutfs_btree_root root;
	struct ftree *cur;
	bool finalize;
	u64 max_seq = 0;
	u64 bytes = 0;
	int ret = 0;
	int i;

	down_write(&fi->rwsem);
	/* a reclaim finalizes the current tree, even with nothing to add */
	if (nr == 0 && !(fi->cur && READ_ONCE(fi->force_finalize)))
		goto out;
	if (nr == 0) {
		cur = fi->cur;
		goto finalize;
	}

	if (!fi->cur) {
		cur = kzalloc(sizeof(*cur), GFP_NOFS | __GFP_NOFAIL);
		cur->lt.rid = cpu_to_le64(SCOUTFS_SB(sb)->rid);
		cur->lt.nr = cpu_to_le64(fi->next_nr++);
		cur->bloom_valid = true;
		fi->cur = cur;
	}
	cur = fi->cur;
	/* the first commit with items opens the tree (a client's record comes empty) */
	if (!cur->lt.item_root.height && !cur->lt.get_trans_seq)
		cur->lt.get_trans_seq = cpu_to_le64(seq);

	for (i = 0; i < nr; i++) {
		bloom_add(cur, &chg[i].key);
		max_seq = max(max_seq, chg[i].seq);
		bytes += sizeof(struct scoutfs_btree_item) + chg[i].val_len;
	}
	root = cur->lt.item_root;
	ret = scoutfs_btree_apply(sb, &root, seq, chg, nr, SCOUTFS_BTREE_APPLY_MARKERS);
	if (ret)
		goto out;
	cur->lt.item_root = root;
	cur->lt.commit_trans_seq = cpu_to_le64(seq);
	cur->lt.max_item_seq = cpu_to_le64(max(max_seq, le64_to_cpu(cur->lt.max_item_seq)));
	cur->bytes += bytes;
	scoutfs_add_counter(sb, commit_items, nr);

finalize:
	finalize = (cur->bytes >= (u64)READ_ONCE(forest_finalize_kib) * 1024 &&
		    (follower || fi->nr_finalized < MAX_FINALIZED)) || READ_ONCE(fi->force_finalize);
	WRITE_ONCE(fi->force_finalize, false);
	if (finalize && cur->lt.item_root.height)
		cur->lt.flags |= cpu_to_le64(SCOUTFS_LOG_TREES_FINALIZED);
	else
		finalize = false;
	/* a client's record goes to the server (scoutfs_forest_cur_lt()) */
	if (follower) {
		cur->lt.commit_trans_seq = cpu_to_le64(seq);
		goto out;
	}
	ret = write_record(sb, fi, seq, &cur->lt, false);
	if (ret)
		goto out;
	if (finalize) {
		scoutfs_inc_counter(sb, forest_finalized);
		list_add_tail(&cur->head, &fi->finalized);
		fi->nr_finalized++;
		fi->cur = NULL;
	}
out:
	super->fs_root = fi->fs_root;
	super->logs_root = fi->logs_root;
	up_write(&fi->rwsem);
	return ret;
}

void scoutfs_forest_committed(struct super_block *sb)
{
	struct scoutfs_forest_info *fi = FOREST(sb);

	if (READ_ONCE(fi->merging) && fi->nr_finalized)
		queue_delayed_work(fi->wq, &fi->merge_work, 0);
}

/* the greatest height of every tree; the rwsem held */
static int max_height(struct scoutfs_forest_info *fi)
{
	struct ftree *t;
	int h;

	h = max(fi->fs_root.height, fi->logs_root.height);
	if (fi->cur)
		h = max_t(int, h, fi->cur->lt.item_root.height);
	list_for_each_entry(t, &fi->finalized, head)
		h = max_t(int, h, t->lt.item_root.height);
	return h;
}

int scoutfs_forest_height(struct super_block *sb)
{
	struct scoutfs_forest_info *fi = FOREST(sb);
	int h;

	down_read(&fi->rwsem);
	h = max_height(fi);
	up_read(&fi->rwsem);
	return h;
}

/*
 * The blocks a commit may rewrite: the current log btree's (what was
 * committed into it, in half-full leaves, and its parents) and the path
 * of its record.
 */
u64 scoutfs_forest_commit_blocks(struct super_block *sb)
{
	struct scoutfs_forest_info *fi = FOREST(sb);
	u64 blocks;

	down_read(&fi->rwsem);
	blocks = fi->logs_root.height + 2;
	if (fi->cur)
		blocks += DIV_ROUND_UP(fi->cur->bytes * 2, SCOUTFS_BLOCK_LG_SIZE) +
			  fi->cur->lt.item_root.height + 1;
	up_read(&fi->rwsem);
	return blocks;
}

unsigned int scoutfs_forest_nr_finalized(struct super_block *sb)
{
	struct scoutfs_forest_info *fi = FOREST(sb);

	/* sysfs shows it from before the forest is set up */
	return fi ? READ_ONCE(fi->nr_finalized) : 0;
}

/* -------------------------------------------------------------- merging */

/*
 * A merge batch: the next items of every finalized log btree at once,
 * merged by key (the newest copy of each key wins, markers included),
 * each item remembering which trees hold a copy (bit i: the i-th of
 * the first MERGE_TREES finalized trees).
 */
#define MERGE_TREES	64

struct merge_batch {
	struct scoutfs_btree_change *chg;
	struct scoutfs_btree_change *del;
	u64 *holders;
	struct cursor *curs;
	struct ftree *trees[MERGE_TREES];
	struct scoutfs_btree_root lroots[MERGE_TREES];
	int nr_trees;
	int max;
	int nr;
	u8 *vals;
	u32 used;
};

/*
 * Metadata blocks a batch of nr items may allocate: each item in a leaf
 * of its own with its path, in the fs btree (which may grow a level) and
 * in every log btree it leaves, and their records' paths.  The rwsem
 * held.
 */
static u64 batch_blocks(struct scoutfs_forest_info *fi, int nr)
{
	u64 trees = max_t(u64, min_t(u64, fi->nr_finalized, MERGE_TREES), 1);

	return (u64)nr * (trees + 1) * (max_height(fi) + 2) +
	       (trees + 1) * (fi->logs_root.height + 2);
}

/*
 * As many items per batch as twice their worst case fits the free space
 * beyond keep; 0 if not even one item's does.
 */
static int batch_items(struct super_block *sb, struct scoutfs_forest_info *fi, u64 keep)
{
	u64 free = scoutfs_alloc_free_meta_blocks(sb);
	int nr = MERGE_ITEMS;

	free = free > keep ? free - keep : 0;
	down_read(&fi->rwsem);
	while (nr > 0 && 2 * batch_blocks(fi, nr) > free)
		nr /= 2;
	up_read(&fi->rwsem);
	return nr;
}

/*
 * What merging a tree of this many item bytes may add to the fs btree
 * before the tree's blocks come back: its items in half-full leaves, a
 * new path, and the tree's record.
 */
static u64 tree_merge_blocks(struct scoutfs_forest_info *fi, u64 bytes)
{
	return DIV_ROUND_UP(bytes * 2, SCOUTFS_BLOCK_LG_SIZE) + fi->fs_root.height + 2 +
	       fi->logs_root.height + 2;
}

u64 scoutfs_forest_merge_reserve(struct super_block *sb)
{
	struct scoutfs_forest_info *fi = FOREST(sb);
	struct ftree *t;
	u64 blocks;

	down_read(&fi->rwsem);
	/* a batch's copies, what merge_one() asks for, and every tree's growth */
	blocks = 2 * batch_blocks(fi, 1) + 8;
	list_for_each_entry(t, &fi->finalized, head)
		blocks += tree_merge_blocks(fi, t->bytes);
	if (fi->cur)
		blocks += tree_merge_blocks(fi, fi->cur->bytes);
	up_read(&fi->rwsem);
	return blocks;
}

/*
 * Finalized trees may merge into the fs btree only while every copy they
 * hold is older than every copy in a current tree (the merged copy
 * replaces what the fs btree had, whatever its seq): their greatest item
 * seq is below the first transaction seq of every current tree that
 * holds items.  A current tree that is in the way is finalized: ours at
 * the next commit, a client's when the server asks it.  The rwsem held.
 */
static bool merge_blocked(struct super_block *sb, struct scoutfs_forest_info *fi)
{
	u64 max_seq = 0;
	bool blocked = false;
	struct ftree *t;

	list_for_each_entry(t, &fi->finalized, head)
		max_seq = max(max_seq, le64_to_cpu(t->lt.max_item_seq));
	if (fi->cur && fi->cur->lt.item_root.height &&
	    le64_to_cpu(fi->cur->lt.get_trans_seq) <= max_seq) {
		WRITE_ONCE(fi->force_finalize, true);
		scoutfs_trans_mark_dirty(sb);
		blocked = true;
	}
	list_for_each_entry(t, &fi->others, head) {
		if (t->lt.item_root.height && le64_to_cpu(t->lt.get_trans_seq) <= max_seq) {
			scoutfs_server_ask_finalize(sb, le64_to_cpu(t->lt.rid));
			blocked = true;
		}
	}
	return blocked;
}

/* the next batch of merged items from the finalized trees' cursors */
static int merge_read(struct super_block *sb, struct merge_batch *mb)
{
	struct cur_ent *best;
	struct cur_ent *e;
	struct scoutfs_btree_change *c;
	struct scoutfs_key last;
	u64 holders;
	int ret;
	int i;

	scoutfs_key_set_ones(&last);
	mb->nr = 0;
	mb->used = 0;
	while (mb->nr < mb->max) {
		best = NULL;
		for (i = 0; i < mb->nr_trees; i++) {
			ret = cursor_peek(sb, &mb->curs[i], &last, &e);
			if (ret < 0)
				return ret;
			if (e && (!best || scoutfs_key_compare(&e->key, &best->key) < 0 ||
				  (scoutfs_key_compare(&e->key, &best->key) == 0 && e->seq > best->seq)))
				best = e;
		}
		if (!best)
			break;
		if (mb->used + best->val_len > MERGE_BYTES)
			break;
		c = &mb->chg[mb->nr];
		c->key = best->key;
		c->seq = best->seq;
		c->deletion = best->flags & SCOUTFS_ITEM_FLAG_DELETION;
		c->val_len = best->val_len;
		c->val = mb->vals + mb->used;
		for (i = 0; i < mb->nr_trees; i++) {
			if (&mb->curs[i].ents[mb->curs[i].i] == best)
				break;
		}
		memcpy(mb->vals + mb->used, mb->curs[i].vals + best->val_off, best->val_len);
		mb->used += best->val_len;
		/* every copy of the key is consumed: the trees that hold it */
		holders = 0;
		for (i = 0; i < mb->nr_trees; i++) {
			ret = cursor_peek(sb, &mb->curs[i], &last, &e);
			if (ret < 0)
				return ret;
			if (e && scoutfs_key_compare(&e->key, &c->key) == 0) {
				holders |= 1ULL << i;
				mb->curs[i].i++;
			}
		}
		mb->holders[mb->nr++] = holders;
	}
	return 0;
}

/*
 * One batch of the finalized trees: their first items, the newest copy
 * of each key, go into the fs btree and leave every log btree in the same
 * transaction, so the log btrees' blocks come back as they empty (a full
 * volume can always merge) and a crash resumes where the last commit left
 * them.  An emptied log btree's record goes.  1: more to do, 0: nothing
 * left (or nothing may merge yet), -errno.
 */
static int merge_one(struct super_block *sb, struct scoutfs_forest_info *fi,
		     struct merge_batch *mb)
{
	struct scoutfs_btree_root *lroots = mb->lroots;
	struct scoutfs_btree_root root;
	struct scoutfs_key first;
	struct ftree *t;
	struct ftree *tmp;
	bool blocked;
	u64 keep;
	u64 seq;
	int gone = 0;
	int ret;
	int i, j, n;

	if (list_empty(&fi->finalized))
		return 0;
	/*
	 * Merging uses the space every hold leaves for it (the merge
	 * reserve) and keeps what the open transaction's commit needs.
	 */
	keep = scoutfs_trans_commit_needed(sb);
	mb->max = batch_items(sb, fi, keep);
	if (mb->max == 0) {
		/*
		 * A commit frees what earlier batches replaced.  Not under the
		 * merge mutex: a commit's iputs may evict, and an eviction's
		 * hold may reclaim, which takes it.
		 */
		ret = scoutfs_trans_sync(sb, 1);
		if (ret)
			return ret;
		mb->max = batch_items(sb, fi, keep);
		if (mb->max == 0) {
			scoutfs_err(sb, "merging log btrees: %llu free metadata blocks, a batch needs more than %llu",
				    scoutfs_alloc_free_meta_blocks(sb), keep);
			return -ENOSPC;
		}
	}

	mutex_lock(&fi->merge_mutex);
	ret = scoutfs_hold_trans_merging(sb);
	if (ret) {
		mutex_unlock(&fi->merge_mutex);
		return ret;
	}
	/* only the merge mutex's holder takes trees off the list and changes the fs root */
	down_read(&fi->rwsem);
	blocked = list_empty(&fi->finalized) || merge_blocked(sb, fi);
	mb->nr_trees = 0;
	if (!blocked) {
		list_for_each_entry(t, &fi->finalized, head) {
			if (mb->nr_trees == MERGE_TREES)
				break;
			mb->trees[mb->nr_trees] = t;
			lroots[mb->nr_trees] = t->lt.item_root;
			mb->nr_trees++;
		}
	}
	up_read(&fi->rwsem);
	if (blocked) {
		ret = 0;
		goto out;
	}
	seq = scoutfs_trans_seq(sb);
	scoutfs_key_set_zeros(&first);
	for (i = 0; i < mb->nr_trees; i++) {
		mb->curs[i].root = &lroots[i];
		mb->curs[i].pos = first;
		mb->curs[i].done = false;
		mb->curs[i].nr = 0;
		mb->curs[i].i = 0;
	}
	ret = merge_read(sb, mb);
	if (ret < 0)
		goto out;

	/* a failure part way can't be undone: allocations may not fail */
	scoutfs_trans_changed();
	root = fi->fs_root;
	if (mb->nr) {
		ret = scoutfs_btree_apply(sb, &root, seq, mb->chg, mb->nr, 0);
		if (ret)
			goto abort;
		for (i = 0; i < mb->nr_trees; i++) {
			for (j = 0, n = 0; j < mb->nr; j++) {
				if (!(mb->holders[j] & (1ULL << i)))
					continue;
				mb->del[n] = mb->chg[j];
				mb->del[n].deletion = true;
				n++;
			}
			if (!n)
				continue;
			ret = scoutfs_btree_apply(sb, &lroots[i], seq, mb->del, n, 0);
			if (ret)
				goto abort;
			/* a log btree whose leaves stray from their parents' keys */
			ret = scoutfs_btree_lookup(sb, &lroots[i], &mb->del[0].key, NULL, 0, NULL);
			if (ret != -ENOENT) {
				t = mb->trees[i];
				scoutfs_err(sb, "log btree (rid %016llx nr %llu) is corrupt: its merged items stay in it",
					    le64_to_cpu(t->lt.rid), le64_to_cpu(t->lt.nr));
				ret = ret < 0 ? ret : -EFSCORRUPTED;
				goto abort;
			}
			ret = 0;
		}
	}

	down_write(&fi->rwsem);
	fi->fs_root = root;
	for (i = 0; ret == 0 && i < mb->nr_trees; i++) {
		t = mb->trees[i];
		if (!memcmp(&t->lt.item_root, &lroots[i], sizeof(lroots[i])) && lroots[i].height)
			continue;
		t->lt.item_root = lroots[i];
		ret = write_record(sb, fi, seq, &t->lt, lroots[i].height == 0);
	}
	if (ret == 0) {
		t = NULL;
		list_for_each_entry_safe(t, tmp, &fi->finalized, head) {
			for (i = 0; i < mb->nr_trees; i++) {
				if (mb->trees[i] == t && lroots[i].height == 0) {
					list_del(&t->head);
					fi->nr_finalized--;
					kfree(t);
					gone++;
					break;
				}
			}
		}
	}
	/* what left the trees: their bytes shrink (roughly: each tree by its share) */
	if (ret == 0 && mb->nr) {
		list_for_each_entry(t, &fi->finalized, head)
			t->bytes -= min_t(u64, t->bytes, (mb->used + (u64)mb->nr *
					  sizeof(struct scoutfs_btree_item)) / mb->nr_trees);
	}
	up_write(&fi->rwsem);
	if (ret)
		goto abort;

	scoutfs_trans_mark_dirty(sb);
	scoutfs_inc_counter(sb, forest_merge_batches);
	scoutfs_add_counter(sb, forest_merged_items, mb->nr);
	scoutfs_add_counter(sb, forest_merged_trees, gone);
	ret = 1;
	goto out;
abort:
	scoutfs_trans_abort(sb, "merging log btrees", ret);
out:
	scoutfs_release_trans(sb);
	mutex_unlock(&fi->merge_mutex);
	return ret;
}

static void merge_batch_free(struct merge_batch *mb)
{
	int i;

	if (mb->curs) {
		for (i = 0; i < MERGE_TREES; i++)
			kvfree(mb->curs[i].vals);
		kvfree(mb->curs);
	}
	kvfree(mb->chg);
	kvfree(mb->del);
	kvfree(mb->holders);
	kvfree(mb->vals);
}

static int merge_batch_alloc(struct merge_batch *mb)
{
	int i;

	memset(mb, 0, sizeof(*mb));
	mb->chg = kvmalloc_array(MERGE_ITEMS, sizeof(*mb->chg), GFP_NOFS);
	mb->del = kvmalloc_array(MERGE_ITEMS, sizeof(*mb->del), GFP_NOFS);
	mb->holders = kvmalloc_array(MERGE_ITEMS, sizeof(*mb->holders), GFP_NOFS);
	mb->vals = kvmalloc(MERGE_BYTES, GFP_NOFS);
	mb->curs = kvcalloc(MERGE_TREES, sizeof(*mb->curs), GFP_NOFS);
	if (!mb->chg || !mb->del || !mb->holders || !mb->vals || !mb->curs)
		return -ENOMEM;
	for (i = 0; i < MERGE_TREES; i++) {
		mb->curs[i].vals_size = CUR_BYTES;
		mb->curs[i].vals = kvmalloc(CUR_BYTES, GFP_NOFS);
		if (!mb->curs[i].vals)
			return -ENOMEM;
	}
	return 0;
}

static void merge_worker(struct work_struct *work)
{
	struct scoutfs_forest_info *fi = container_of(work, struct scoutfs_forest_info,
						      merge_work.work);
	struct super_block *sb = fi->sb;
	struct merge_batch *mb;
	int ret = -ENOMEM;

	mb = kmalloc(sizeof(*mb), GFP_NOFS);
	if (!mb || merge_batch_alloc(mb))
		goto out;
	while (READ_ONCE(fi->merging)) {
		ret = merge_one(sb, fi, mb);
		if (ret <= 0)
			break;
		cond_resched();
	}
out:
	if (mb)
		merge_batch_free(mb);
	kfree(mb);
	if (ret == -ENOSPC || ret == -ENOMEM) {
		/* a full volume: the merge waits for space like any writer */
		if (READ_ONCE(fi->merging))
			queue_delayed_work(fi->wq, &fi->merge_work,
					   msecs_to_jiffies(MERGE_RETRY_MS));
	} else if (ret < 0 && ret != -EROFS) {
		scoutfs_err(sb, "merging log btrees stopped: error %d", ret);
	}
}

int scoutfs_forest_reclaim(struct super_block *sb)
{
	struct scoutfs_forest_info *fi = FOREST(sb);
	struct merge_batch *mb;
	int ret;

	if (!READ_ONCE(fi->merging))
		return -ENOSPC;
	WRITE_ONCE(fi->force_finalize, true);
	scoutfs_trans_mark_dirty(sb);
	ret = scoutfs_trans_sync(sb, 1);
	if (ret)
		return ret;

	ret = -ENOMEM;
	mb = kmalloc(sizeof(*mb), GFP_NOFS);
	if (!mb || merge_batch_alloc(mb))
		goto out;
	do {
		ret = merge_one(sb, fi, mb);
	} while (ret > 0 && READ_ONCE(fi->merging));
	/* merging stopped part way (remount,ro): the space did not come back */
	if (ret > 0)
		ret = -ENOSPC;
	if (ret == 0)
		/* what the last batches replaced comes back */
		ret = scoutfs_trans_sync(sb, 1);
out:
	if (mb)
		merge_batch_free(mb);
	kfree(mb);
	return ret;
}

/* --------------------------------------------------------- setup/teardown */

/* records read from a logs btree into a list of trees, oldest first */
struct load_ctx {
	struct scoutfs_forest_info *fi;
	struct list_head list;
	unsigned int nr;
	/* a client: leave out its own current tree, and it can't bound seqs */
	bool client;
	u64 own_rid;
	u64 own_nr;
};

static int load_cb(void *arg, const struct scoutfs_key *key, u64 seq, u8 flags,
		   const void *val, int val_len)
{
	struct load_ctx *ctx = arg;
	struct scoutfs_forest_info *fi = ctx->fi;
	const struct scoutfs_log_trees *lt = val;
	struct super_block *sb = fi->sb;
	struct ftree *t;
	struct ftree *pos;
	const char *why = NULL;
	u64 bad = 0;

	if (key->zone != SCOUTFS_KEY_ZONE_LOG_TREES ||
	    key->type != SCOUTFS_LOG_TREES_ITEM_TYPE_LOG_TREES || key->third || key->fourth) {
		why = "key: not a log btree record's";
		bad = key->zone;
	} else if (flags) {
		why = "flags: a marker in the logs btree";
		bad = flags;
	} else if (val_len != sizeof(*lt)) {
		why = "value length";
		bad = val_len;
	} else {
		why = scoutfs_log_trees_invalid(lt, &bad);
		if (!why && (lt->rid != key->first || lt->nr != key->second)) {
			why = "rid or nr: not the key's";
			bad = le64_to_cpu(lt->nr);
		} else if (!why && lt->item_root.height > SCOUTFS_BTREE_MAX_HEIGHT) {
			why = "item root height";
			bad = lt->item_root.height;
		} else if (!why && (le64_to_cpu(lt->get_trans_seq) > le64_to_cpu(lt->commit_trans_seq) ||
				    (!ctx->client && le64_to_cpu(lt->commit_trans_seq) >
				     le64_to_cpu(SCOUTFS_SB(sb)->super.seq)))) {
			/* merges go oldest first: the seqs order them */
			why = "commit_trans_seq: below get_trans_seq or above the super block's seq";
			bad = le64_to_cpu(lt->commit_trans_seq);
		}
	}
	if (why) {
		scoutfs_err(sb, "log btree record (rid %016llx nr %llu) is corrupt: %s, found %llu",
			    le64_to_cpu(key->first), le64_to_cpu(key->second), why, bad);
		return -EFSCORRUPTED;
	}

	if (ctx->client && le64_to_cpu(lt->rid) == ctx->own_rid && le64_to_cpu(lt->nr) == ctx->own_nr)
		return 1;
	t = kzalloc(sizeof(*t), GFP_NOFS);
	if (!t)
		return -ENOMEM;
	t->lt = *lt;
	/* an earlier mount's log btrees all wait to be merged, oldest first */
	list_for_each_entry(pos, &ctx->list, head) {
		if (le64_to_cpu(pos->lt.get_trans_seq) > le64_to_cpu(lt->get_trans_seq))
			break;
	}
	list_add_tail(&t->head, &pos->head);
	ctx->nr++;
	return 1;
}

static void free_trees(struct list_head *list)
{
	struct ftree *t;
	struct ftree *tmp;

	list_for_each_entry_safe(t, tmp, list, head) {
		list_del(&t->head);
		kfree(t);
	}
}

/* a tree's bloom filter and bytes, from all its items */
static int count_tree(struct super_block *sb, struct ftree *t);

/* ------------------------------------------------- the server's records */

static struct ftree *find_tree(struct scoutfs_forest_info *fi, u64 rid, u64 nr)
{
	struct list_head *lists[2] = { &fi->others, &fi->finalized };
	struct ftree *t;
	int i;

	for (i = 0; i < 2; i++) {
		list_for_each_entry(t, lists[i], head) {
			if (le64_to_cpu(t->lt.rid) == rid && le64_to_cpu(t->lt.nr) == nr)
				return t;
		}
	}
	return NULL;
}

/* the nr of a client's next record: past every one of rid's */
u64 scoutfs_forest_next_nr(struct super_block *sb, u64 rid)
{
	struct scoutfs_forest_info *fi = FOREST(sb);
	struct list_head *lists[2] = { &fi->others, &fi->finalized };
	struct ftree *t;
	u64 nr = 0;
	int i;

	down_read(&fi->rwsem);
	for (i = 0; i < 2; i++) {
		list_for_each_entry(t, lists[i], head) {
			if (le64_to_cpu(t->lt.rid) == rid)
				nr = max(nr, le64_to_cpu(t->lt.nr) + 1);
		}
	}
	up_read(&fi->rwsem);
	return nr;
}

/* a client's current record, as last recorded */
int scoutfs_forest_client_lt(struct super_block *sb, u64 rid, u64 nr,
			     struct scoutfs_log_trees *lt)
{
	struct scoutfs_forest_info *fi = FOREST(sb);
	struct ftree *t;
	int ret = -ENOENT;

	down_read(&fi->rwsem);
	t = find_tree(fi, rid, nr);
	if (t && !(t->lt.flags & cpu_to_le64(SCOUTFS_LOG_TREES_FINALIZED))) {
		*lt = t->lt;
		ret = 0;
	}
	up_read(&fi->rwsem);
	return ret;
}

/*
 * The server records a client's log btree (holding the transaction): a
 * current one joins the trees every read merges, a finalized one waits
 * to be merged (its bloom filter and bytes read once), an empty
 * finalized one goes.
 */
int scoutfs_forest_client_record(struct super_block *sb, const struct scoutfs_log_trees *lt)
{
	struct scoutfs_forest_info *fi = FOREST(sb);
	bool finalized = lt->flags & cpu_to_le64(SCOUTFS_LOG_TREES_FINALIZED);
	bool gone = finalized && lt->item_root.height == 0;
	struct ftree *t;
	struct ftree *pos;
	int ret;

	down_write(&fi->rwsem);
	t = find_tree(fi, le64_to_cpu(lt->rid), le64_to_cpu(lt->nr));
	if (t && (t->lt.flags & cpu_to_le64(SCOUTFS_LOG_TREES_FINALIZED))) {
		ret = -EINVAL;
		goto out;
	}
	ret = write_record(sb, fi, scoutfs_trans_seq(sb), (struct scoutfs_log_trees *)lt, gone);
	if (ret)
		goto out;
	if (gone) {
		if (t) {
			list_del(&t->head);
			kfree(t);
		}
		goto out;
	}
	if (!t) {
		t = kzalloc(sizeof(*t), GFP_NOFS | __GFP_NOFAIL);
		list_add_tail(&t->head, &fi->others);
	}
	t->lt = *lt;
	if (finalized) {
		list_del(&t->head);
		ret = count_tree(sb, t);
		list_for_each_entry(pos, &fi->finalized, head) {
			if (le64_to_cpu(pos->lt.get_trans_seq) > le64_to_cpu(lt->get_trans_seq))
				break;
		}
		list_add_tail(&t->head, &pos->head);
		fi->nr_finalized++;
	}
out:
	up_write(&fi->rwsem);
	if (ret == 0 && finalized && READ_ONCE(fi->merging))
		queue_delayed_work(fi->wq, &fi->merge_work, 0);
	return ret;
}

static bool has_allocators(const struct scoutfs_log_trees *lt)
{
	return lt->meta_avail.ref.blkno || lt->meta_freed.ref.blkno ||
	       lt->data_avail.ref.blkno || lt->data_freed.ref.blkno;
}

/* do records earlier mounts left hold allocators? */
bool scoutfs_forest_left_allocators(struct super_block *sb)
{
	struct scoutfs_forest_info *fi = FOREST(sb);
	struct ftree *t;
	bool ret = false;

	down_read(&fi->rwsem);
	list_for_each_entry(t, &fi->finalized, head)
		ret |= has_allocators(&t->lt);
	up_read(&fi->rwsem);
	return ret;
}

/*
 * At the server's start (holding the transaction): the allocators of
 * records earlier mounts left come back to the free space.
 */
int scoutfs_forest_reclaim_left(struct super_block *sb)
{
	struct scoutfs_forest_info *fi = FOREST(sb);
	struct ftree *t;
	int ret = 0;

	down_write(&fi->rwsem);
	list_for_each_entry(t, &fi->finalized, head) {
		if (!has_allocators(&t->lt))
			continue;
		ret = scoutfs_alloc_reclaim(sb, &t->lt) ?:
		      write_record(sb, fi, scoutfs_trans_seq(sb), &t->lt, false);
		if (ret)
			break;
	}
	up_write(&fi->rwsem);
	return ret;
}

/* -------------------------------------------------------- a client's forest */

/* finalize the current tree at the next commit */
void scoutfs_forest_want_finalize(struct super_block *sb)
{
	WRITE_ONCE(FOREST(sb)->force_finalize, true);
	scoutfs_trans_mark_dirty(sb);
}

/* a client's record as its commit left it, to send to the server */
void scoutfs_forest_cur_lt(struct super_block *sb, struct scoutfs_log_trees *lt)
{
	struct scoutfs_forest_info *fi = FOREST(sb);

	down_read(&fi->rwsem);
	*lt = fi->cur->lt;
	up_read(&fi->rwsem);
}

/*
 * The record the server handed this client to write next: the same
 * tree with new allocators, or a new one after the server took a
 * finalized one (which reads keep seeing until roots are refreshed).
 */
void scoutfs_forest_follow(struct super_block *sb, const struct scoutfs_log_trees *lt)
{
	struct scoutfs_forest_info *fi = FOREST(sb);
	struct ftree *t = NULL;

	down_write(&fi->rwsem);
	if (fi->cur && fi->cur->lt.nr == lt->nr) {
		fi->cur->lt = *lt;
	} else {
		t = kzalloc(sizeof(*t), GFP_NOFS | __GFP_NOFAIL);
		t->lt = *lt;
		t->bloom_valid = true;
		if (fi->cur && fi->cur->lt.item_root.height) {
			fi->cur->bloom_valid = false;
			list_add_tail(&fi->cur->head, &fi->finalized);
			fi->nr_finalized++;
		} else {
			kfree(fi->cur);
		}
		fi->cur = t;
	}
	up_write(&fi->rwsem);
}

/*
 * A client reads the trees of the server's last durable commit: its own
 * current tree as it wrote it, every other log btree, the fs btree.
 * Called with the gen of a lock grant (lock.c refresh_gen): roots
 * fetched after that grant show everything committed before it.
 */
int scoutfs_forest_refresh(struct super_block *sb, u64 gen)
{
	struct scoutfs_forest_info *fi = FOREST(sb);
	struct scoutfs_net_roots roots;
	struct scoutfs_key start;
	struct scoutfs_key end;
	struct load_ctx ctx = { .fi = fi, .client = true };
	LIST_HEAD(old);
	ktime_t t0;
	int tries = 0;
	u64 now;
	int ret = 0;

	if (!SCOUTFS_SB(sb)->follower || READ_ONCE(fi->roots_gen) >= gen)
		return 0;
	t0 = ktime_get();
	mutex_lock(&fi->refresh_mutex);
	if (READ_ONCE(fi->roots_gen) >= gen)
		goto out;
again:
	INIT_LIST_HEAD(&ctx.list);
	ctx.nr = 0;
	now = scoutfs_lock_refresh_gen_now(sb);
	ret = scoutfs_client_get_roots(sb, &roots);
	if (ret)
		goto out;
	down_read(&fi->rwsem);
	ctx.own_rid = le64_to_cpu(fi->cur->lt.rid);
	ctx.own_nr = le64_to_cpu(fi->cur->lt.nr);
	up_read(&fi->rwsem);
	scoutfs_key_set_zeros(&start);
	scoutfs_key_set_ones(&end);
	ret = scoutfs_btree_read_items(sb, &roots.logs_root, &start, &end, load_cb, &ctx);
	if (ret < 0) {
		free_trees(&ctx.list);
		/* the server committed again and reused what these roots had */
		if (ret == -ESTALE && ++tries < STALE_TRIES)
			goto again;
		goto out;
	}
	ret = 0;
	down_write(&fi->rwsem);
	fi->fs_root = roots.fs_root;
	fi->logs_root = roots.logs_root;
	list_splice_init(&fi->finalized, &old);
	list_splice_init(&ctx.list, &fi->finalized);
	fi->nr_finalized = ctx.nr;
	up_write(&fi->rwsem);
	free_trees(&old);
	scoutfs_inc_counter(sb, forest_roots_refreshed);
	WRITE_ONCE(fi->roots_gen, now);
out:
	mutex_unlock(&fi->refresh_mutex);
	scoutfs_add_counter_us(sb, forest_refresh_us, t0);
	return ret;
}

/* a tree an earlier mount left: its bloom filter and bytes */
static int count_cb(void *arg, const struct scoutfs_key *key, u64 seq, u8 flags,
		    const void *val, int val_len)
{
	struct ftree *t = arg;

	bloom_add(t, key);
	t->bytes += sizeof(struct scoutfs_btree_item) + val_len;
	return 1;
}

int scoutfs_forest_setup(struct super_block *sb)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	struct scoutfs_forest_info *fi;

	fi = kzalloc(sizeof(*fi), GFP_KERNEL);
	if (!fi)
		return -ENOMEM;
	fi->sb = sb;
	init_rwsem(&fi->rwsem);
	mutex_init(&fi->merge_mutex);
	INIT_LIST_HEAD(&fi->finalized);
	INIT_LIST_HEAD(&fi->others);
	mutex_init(&fi->refresh_mutex);
	INIT_DELAYED_WORK(&fi->merge_work, merge_worker);
	fi->fs_root = sbi->super.fs_root;
	fi->logs_root = sbi->super.logs_root;
	sbi->forest = fi;

	fi->wq = alloc_workqueue("scoutfs_merge", WQ_UNBOUND | WQ_MEM_RECLAIM, 1);
	if (!fi->wq)
		return -ENOMEM;
	return 0;
}

static int count_tree(struct super_block *sb, struct ftree *t)
{
	struct scoutfs_key start;
	struct scoutfs_key end;
	int ret;

	scoutfs_key_set_zeros(&start);
	scoutfs_key_set_ones(&end);
	memset(t->bloom, 0, sizeof(t->bloom));
	t->bytes = 0;
	ret = scoutfs_btree_read_items(sb, &t->lt.item_root, &start, &end, count_cb, t);
	t->bloom_valid = ret >= 0;
	return ret < 0 ? ret : 0;
}

/*
 * The server's mount: every log btree the super block records waits to
 * be merged (earlier mounts left them), with its bloom filter and bytes.
 */
int scoutfs_forest_load_super(struct super_block *sb)
{
	struct scoutfs_forest_info *fi = FOREST(sb);
	struct load_ctx ctx = { .fi = fi };
	struct scoutfs_key start;
	struct scoutfs_key end;
	struct ftree *t;
	int ret;

	INIT_LIST_HEAD(&ctx.list);
	/* every item of the logs btree must be a record: read them all */
	scoutfs_key_set_zeros(&start);
	scoutfs_key_set_ones(&end);
	ret = scoutfs_btree_read_items(sb, &fi->logs_root, &start, &end, load_cb, &ctx);
	list_splice_init(&ctx.list, &fi->finalized);
	fi->nr_finalized = ctx.nr;
	if (ret < 0)
		return ret;
	list_for_each_entry(t, &fi->finalized, head) {
		ret = count_tree(sb, t);
		if (ret < 0)
			return ret;
	}
	return 0;
}

void scoutfs_forest_start(struct super_block *sb)
{
	struct scoutfs_forest_info *fi = FOREST(sb);

	if (scoutfs_read_only(sb))
		return;
	WRITE_ONCE(fi->merging, true);
	queue_delayed_work(fi->wq, &fi->merge_work, 0);
}

void scoutfs_forest_stop(struct super_block *sb)
{
	struct scoutfs_forest_info *fi = FOREST(sb);

	if (!fi || !fi->wq)
		return;
	WRITE_ONCE(fi->merging, false);
	cancel_delayed_work_sync(&fi->merge_work);
}

void scoutfs_forest_destroy(struct super_block *sb)
{
	struct scoutfs_forest_info *fi = FOREST(sb);

	if (!fi)
		return;
	if (fi->wq) {
		scoutfs_forest_stop(sb);
		destroy_workqueue(fi->wq);
	}
	free_trees(&fi->finalized);
	free_trees(&fi->others);
	kfree(fi->cur);
	kfree(fi);
	SCOUTFS_SB(sb)->forest = NULL;
}
