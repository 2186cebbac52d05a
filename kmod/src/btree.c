// SPDX-License-Identifier: GPL-2.0
/*
 * btree.c: the copy-on-write btree of items.
 *
 * Blocks are 64 KiB: a header, a sorted array of item headers, values
 * packed from the end.  Parent items hold a block reference to a child and
 * the greatest key that child may contain; the last child of every parent
 * covers up to the parent's own bound (the maximal key at the root), so
 * every key has exactly one path.
 *
 * Reads descend from the root through the block cache.  Writes happen only
 * in the commit, which applies all of a transaction's changes, sorted, in
 * one recursive merge: each touched leaf is merged with its changes and
 * rewritten into as many new blocks as the result needs, evenly filled;
 * parents are rebuilt from their children's results the same way; empty
 * blocks disappear from their parents, and a rewritten block left under a
 * quarter full is merged with its neighbours; the root grows new levels when its
 * level splits and collapses while it has a single child.  Nothing is ever
 * written in place, so the last committed tree stays intact until the
 * super block pointing to the new one is durable.
 */
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/mm.h>

#include "format.h"
#include "glue.h"
#include "rules.h"
#include "super.h"
#include "block.h"
#include "btree.h"
#include "item.h"
#include "alloc.h"
#include "msg.h"
#include "trans.h"

/* bit in scoutfs_block.flags: btree contents verified */
#define BLOCK_BTREE_CHECKED	8

#define ITEMS_OFF	sizeof(struct scoutfs_btree_block)
#define ITEM_SIZE	sizeof(struct scoutfs_btree_item)
#define USABLE		(SCOUTFS_BLOCK_LG_SIZE - ITEMS_OFF)
#define MAX_ITEMS	(USABLE / ITEM_SIZE)

static inline struct scoutfs_btree_block *bt_of(struct scoutfs_block *bl)
{
	return bl->data;
}

static inline struct scoutfs_btree_item *bt_item(struct scoutfs_btree_block *bt, int i)
{
	return (void *)bt + ITEMS_OFF + i * ITEM_SIZE;
}

static inline void *bt_val(struct scoutfs_btree_block *bt, struct scoutfs_btree_item *it)
{
	return (void *)bt + le16_to_cpu(it->val_off);
}

static int check_block(struct super_block *sb, struct scoutfs_block *bl, int level)
{
	struct scoutfs_btree_block *bt = bt_of(bl);
	struct scoutfs_btree_item *it;
	u32 nr = le32_to_cpu(bt->nr_items);
	u32 items_end = ITEMS_OFF + nr * ITEM_SIZE;
	u32 off, len;
	u64 fill = 0;
	const char *why = NULL;
	u64 bad = 0;
	int i;

	if (test_bit(BLOCK_BTREE_CHECKED, &bl->flags))
		goto level;

	if (nr == 0 || nr > MAX_ITEMS)
		why = "bad item count";
	else if (le32_to_cpu(bt->val_start) < items_end ||
		 le32_to_cpu(bt->val_start) > SCOUTFS_BLOCK_LG_SIZE)
		why = "bad value start";
	else if (bt->level >= SCOUTFS_BTREE_MAX_HEIGHT)
		why = "bad level";

	for (i = 0; !why && i < nr; i++) {
		it = bt_item(bt, i);
		off = le16_to_cpu(it->val_off);
		len = le16_to_cpu(it->val_len);
		why = scoutfs_btree_item_invalid(it, &bad);
		if (why)
			break;
		fill += len;
		if (len && (off < items_end || off + len > SCOUTFS_BLOCK_LG_SIZE))
			why = "value outside the block";
		else if (fill > SCOUTFS_BLOCK_LG_SIZE - items_end)
			why = "values overlap: more value bytes than the block holds";
		else if (bt->level > 0 && len != sizeof(struct scoutfs_block_ref))
			why = "parent item without a block reference";
		else if (i > 0 && scoutfs_key_compare(&bt_item(bt, i - 1)->key, &it->key) >= 0)
			why = "keys out of order";
		if (why)
			break;
	}
	if (why) {
		scoutfs_err(sb, "btree block %llu is corrupt: item %d: %s, found %llu",
			    bl->blkno, i, why, bad);
		return -EFSCORRUPTED;
	}
	set_bit(BLOCK_BTREE_CHECKED, &bl->flags);
level:
	if (bt->level != level) {
		scoutfs_err(sb, "btree block %llu: level %u, expected %d", bl->blkno, bt->level, level);
		return -EIO;
	}
	return 0;
}

static struct scoutfs_block *get_block(struct super_block *sb,
				       const struct scoutfs_block_ref *ref, int level)
{
	struct scoutfs_block *bl;
	int ret;

	bl = scoutfs_block_read_ref(sb, ref, SCOUTFS_BLOCK_MAGIC_BTREE);
	if (IS_ERR(bl))
		return bl;
	ret = check_block(sb, bl, level);
	if (ret) {
		scoutfs_block_put(sb, bl);
		return ERR_PTR(ret);
	}
	return bl;
}

/* index of the first item >= key, nr if none */
static int find_pos(struct scoutfs_btree_block *bt, const struct scoutfs_key *key, bool *exact)
{
	int lo = 0, hi = le32_to_cpu(bt->nr_items), mid, cmp;

	*exact = false;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		cmp = scoutfs_key_compare(&bt_item(bt, mid)->key, key);
		if (cmp < 0) {
			lo = mid + 1;
		} else {
			if (cmp == 0)
				*exact = true;
			hi = mid;
		}
	}
	return lo;
}

static int copy_val(struct scoutfs_btree_block *bt, struct scoutfs_btree_item *it,
		    void *val, int len)
{
	int vlen = le16_to_cpu(it->val_len);

	if (len > 0)
		memcpy(val, bt_val(bt, it), min(len, vlen));
	return vlen;
}

static int child_ref(struct scoutfs_btree_block *bt, int i, struct scoutfs_block_ref *ref)
{
	memcpy(ref, bt_val(bt, bt_item(bt, i)), sizeof(*ref));
	return 0;
}

static void item_meta(struct scoutfs_btree_item *it, struct scoutfs_btree_meta *meta)
{
	if (meta) {
		meta->seq = le64_to_cpu(it->seq);
		meta->flags = it->flags;
	}
}

/* older (if not NULL): copies with seqs up to *older are as good as absent */
static int lookup(struct super_block *sb, struct scoutfs_btree_root *root,
		  const struct scoutfs_key *key, void *val, int len,
		  struct scoutfs_btree_meta *meta, const u64 *older)
{
	struct scoutfs_block_ref ref = root->ref;
	struct scoutfs_btree_block *bt;
	struct scoutfs_block *bl;
	int level = root->height - 1;
	bool exact;
	int ret;
	int i;

	if (root->height == 0)
		return -ENOENT;

	for (;;) {
		bl = get_block(sb, &ref, level);
		if (IS_ERR(bl))
			return PTR_ERR(bl);
		bt = bt_of(bl);
		i = find_pos(bt, key, &exact);
		if (level == 0) {
			ret = -ENOENT;
			if (exact && (!older || le64_to_cpu(bt_item(bt, i)->seq) > *older)) {
				ret = copy_val(bt, bt_item(bt, i), val, len);
				item_meta(bt_item(bt, i), meta);
			}
			scoutfs_block_put(sb, bl);
			return ret;
		}
		if (i == le32_to_cpu(bt->nr_items))
			i--;
		child_ref(bt, i, &ref);
		scoutfs_block_put(sb, bl);
		level--;
	}
}

int scoutfs_btree_lookup(struct super_block *sb, struct scoutfs_btree_root *root,
			 const struct scoutfs_key *key, void *val, int len,
			 struct scoutfs_btree_meta *meta)
{
	return lookup(sb, root, key, val, len, meta, NULL);
}

int scoutfs_btree_lookup_newer(struct super_block *sb, struct scoutfs_btree_root *root,
			       const struct scoutfs_key *key, void *val, int len,
			       struct scoutfs_btree_meta *meta, const u64 *older)
{
	return lookup(sb, root, key, val, len, meta, older);
}

/*
 * Hand the items of one subtree from key to last to cb in key order;
 * 0 once cb stops or an item past last shows up, 1 to go on with the
 * next subtree.
 */
static int read_rec(struct super_block *sb, const struct scoutfs_block_ref *ref, int level,
		    const struct scoutfs_key *key, const struct scoutfs_key *last,
		    scoutfs_btree_item_cb cb, void *arg)
{
	struct scoutfs_block_ref cref;
	struct scoutfs_btree_block *bt;
	struct scoutfs_btree_item *it;
	struct scoutfs_block *bl;
	bool exact;
	int ret = 1;
	int nr;
	int i;

	bl = get_block(sb, ref, level);
	if (IS_ERR(bl))
		return PTR_ERR(bl);
	bt = bt_of(bl);
	nr = le32_to_cpu(bt->nr_items);
	i = find_pos(bt, key, &exact);

	for (; i < nr; i++) {
		it = bt_item(bt, i);
		if (level == 0) {
			if (scoutfs_key_compare(&it->key, last) > 0) {
				ret = 0;
				break;
			}
			ret = cb(arg, &it->key, le64_to_cpu(it->seq), it->flags, bt_val(bt, it),
				 le16_to_cpu(it->val_len));
		} else {
			child_ref(bt, i, &cref);
			ret = read_rec(sb, &cref, level - 1, key, last, cb, arg);
			/* the next child only holds keys past this one's bound */
			if (ret > 0 && scoutfs_key_compare(&it->key, last) >= 0)
				ret = 0;
		}
		if (ret <= 0)
			break;
	}
	scoutfs_block_put(sb, bl);
	return ret;
}

int scoutfs_btree_read_items(struct super_block *sb, struct scoutfs_btree_root *root,
			     const struct scoutfs_key *key, const struct scoutfs_key *last,
			     scoutfs_btree_item_cb cb, void *arg)
{
	int ret;

	if (root->height == 0 || scoutfs_key_compare(key, last) > 0)
		return 0;
	ret = read_rec(sb, &root->ref, root->height - 1, key, last, cb, arg);
	return ret < 0 ? ret : 0;
}

struct next_arg {
	struct scoutfs_key *found;
	void *val;
	int len;
	int ret;
	struct scoutfs_btree_meta *meta;
};

/* the first item of the range ends the walk */
static int next_cb(void *arg, const struct scoutfs_key *key, u64 seq, u8 flags,
		   const void *val, int val_len)
{
	struct next_arg *a = arg;

	*a->found = *key;
	if (a->len > 0)
		memcpy(a->val, val, min(a->len, val_len));
	a->ret = val_len;
	if (a->meta) {
		a->meta->seq = seq;
		a->meta->flags = flags;
	}
	return 0;
}

int scoutfs_btree_next(struct super_block *sb, struct scoutfs_btree_root *root,
		       const struct scoutfs_key *key, const struct scoutfs_key *last,
		       struct scoutfs_key *found, void *val, int len,
		       struct scoutfs_btree_meta *meta)
{
	struct next_arg a = {
		.found = found, .val = val, .len = len, .ret = -ENOENT, .meta = meta,
	};
	int ret;

	ret = scoutfs_btree_read_items(sb, root, key, last, next_cb, &a);
	return ret < 0 ? ret : a.ret;
}

static int prev_rec(struct super_block *sb, const struct scoutfs_block_ref *ref, int level,
		    const struct scoutfs_key *key, const struct scoutfs_key *first,
		    struct scoutfs_key *found, void *val, int len,
		    struct scoutfs_btree_meta *meta)
{
	struct scoutfs_block_ref cref;
	struct scoutfs_btree_block *bt;
	struct scoutfs_btree_item *it;
	struct scoutfs_block *bl;
	bool exact;
	int ret = -ENOENT;
	int nr;
	int i;

	bl = get_block(sb, ref, level);
	if (IS_ERR(bl))
		return PTR_ERR(bl);
	bt = bt_of(bl);
	nr = le32_to_cpu(bt->nr_items);
	i = find_pos(bt, key, &exact);

	if (level == 0) {
		if (!exact)
			i--;
		if (i >= 0) {
			it = bt_item(bt, i);
			if (scoutfs_key_compare(&it->key, first) >= 0) {
				*found = it->key;
				ret = copy_val(bt, it, val, len);
				item_meta(it, meta);
			}
		}
		goto out;
	}

	if (i == nr)
		i--;
	for (; i >= 0; i--) {
		/* children before i hold keys <= their bound; stop below first */
		if (i < nr - 1 && scoutfs_key_compare(&bt_item(bt, i)->key, first) < 0)
			break;
		child_ref(bt, i, &cref);
		ret = prev_rec(sb, &cref, level - 1, key, first, found, val, len, meta);
		if (ret != -ENOENT)
			break;
	}
out:
	scoutfs_block_put(sb, bl);
	return ret;
}

int scoutfs_btree_prev(struct super_block *sb, struct scoutfs_btree_root *root,
		       const struct scoutfs_key *key, const struct scoutfs_key *first,
		       struct scoutfs_key *found, void *val, int len,
		       struct scoutfs_btree_meta *meta)
{
	if (root->height == 0 || scoutfs_key_compare(key, first) < 0)
		return -ENOENT;
	return prev_rec(sb, &root->ref, root->height - 1, key, first, found, val, len, meta);
}

/*
 * Writing.  An entry is a view of an item to write: a key, seq, flags and
 * value, whether it comes from an old block or from the changes.
 */
struct entry {
	struct scoutfs_key key;
	u64 seq;
	u16 len;
	u8 flags;
	const void *val;
};

/* an entry for an item of a block (its value stays in the block) */
static void item_entry(struct scoutfs_btree_block *bt, struct scoutfs_btree_item *it,
		       struct entry *ent)
{
	ent->key = it->key;
	ent->seq = le64_to_cpu(it->seq);
	ent->len = le16_to_cpu(it->val_len);
	ent->flags = it->flags;
	ent->val = bt_val(bt, it);
}

/*
 * The output of rebuilding a subtree: (bound key, block ref) per block,
 * and the bytes used in each block written by this commit (0: a block
 * kept as it was).
 */
struct outs {
	struct entry *ents;
	struct scoutfs_block_ref *refs;
	u32 *fills;
	int nr;
	int alloc;
};

static int outs_add(struct outs *o, const struct scoutfs_key *key, u64 blkno, u64 seq,
		    u32 fill)
{
	struct scoutfs_block_ref *refs;
	struct entry *ents;
	u32 *fills;
	int n;
	int i;

	if (o->nr == o->alloc) {
		n = max(16, o->alloc * 2);
		ents = scoutfs_kvmalloc_array(n, sizeof(*ents));
		refs = scoutfs_kvmalloc_array(n, sizeof(*refs));
		fills = scoutfs_kvmalloc_array(n, sizeof(*fills));
		if (!ents || !refs || !fills) {
			kvfree(ents);
			kvfree(refs);
			kvfree(fills);
			return -ENOMEM;
		}
		if (o->nr) {
			memcpy(ents, o->ents, o->nr * sizeof(*ents));
			memcpy(refs, o->refs, o->nr * sizeof(*refs));
			memcpy(fills, o->fills, o->nr * sizeof(*fills));
		}
		kvfree(o->ents);
		kvfree(o->refs);
		kvfree(o->fills);
		o->ents = ents;
		o->refs = refs;
		o->fills = fills;
		o->alloc = n;
		/* entries point at their refs, which just moved */
		for (i = 0; i < o->nr; i++)
			o->ents[i].val = &o->refs[i];
	}
	o->refs[o->nr].blkno = cpu_to_le64(blkno);
	o->refs[o->nr].seq = cpu_to_le64(seq);
	o->ents[o->nr].key = *key;
	o->ents[o->nr].seq = seq;
	o->ents[o->nr].len = sizeof(struct scoutfs_block_ref);
	o->ents[o->nr].flags = 0;
	o->ents[o->nr].val = &o->refs[o->nr];
	o->fills[o->nr] = fill;
	o->nr++;
	return 0;
}

static void outs_free(struct outs *o)
{
	kvfree(o->ents);
	kvfree(o->refs);
	kvfree(o->fills);
	memset(o, 0, sizeof(*o));
}

/*
 * Write a sorted run of entries at a level into new blocks, evenly filled,
 * adding (last key, ref) of each to out; the last block's key is bound.
 */
static int write_blocks(struct super_block *sb, u64 seq, int level, struct entry *ents, int nr,
			const struct scoutfs_key *bound, struct outs *out)
{
	struct scoutfs_btree_block *bt = NULL;
	struct scoutfs_btree_item *it;
	struct scoutfs_block *bl = NULL;
	size_t total = 0;
	size_t target;
	size_t used = 0;
	u32 val_start = 0;
	u32 n_in = 0;
	int nblocks;
	u64 blkno;
	int ret = 0;
	int i;

	for (i = 0; i < nr; i++)
		total += ITEM_SIZE + ents[i].len;
	nblocks = DIV_ROUND_UP(total, USABLE);
	target = DIV_ROUND_UP(total, nblocks);

	for (i = 0; i < nr; i++) {
		size_t sz = ITEM_SIZE + ents[i].len;

		if (bl && (used + sz > USABLE || (used >= target && nr - i > 0))) {
			bt->nr_items = cpu_to_le32(n_in);
			bt->val_start = cpu_to_le32(val_start);
			ret = outs_add(out, &ents[i - 1].key, bl->blkno, seq, used);
			scoutfs_block_put(sb, bl);
			bl = NULL;
			if (ret)
				return ret;
		}
		if (!bl) {
			ret = scoutfs_alloc_meta(sb, &blkno);
			if (ret)
				return ret;
			bl = scoutfs_block_new(sb, blkno, SCOUTFS_BLOCK_MAGIC_BTREE, seq);
			if (IS_ERR(bl))
				return PTR_ERR(bl);
			set_bit(BLOCK_BTREE_CHECKED, &bl->flags);
			bt = bt_of(bl);
			bt->level = level;
			used = 0;
			n_in = 0;
			val_start = SCOUTFS_BLOCK_LG_SIZE;
		}
		it = bt_item(bt, n_in);
		it->key = ents[i].key;
		it->seq = cpu_to_le64(ents[i].seq);
		it->val_len = cpu_to_le16(ents[i].len);
		it->flags = ents[i].flags;
		if (ents[i].len) {
			val_start -= ents[i].len;
			memcpy((void *)bt + val_start, ents[i].val, ents[i].len);
			it->val_off = cpu_to_le16(val_start);
		}
		n_in++;
		used += sz;
	}
	if (bl) {
		bt->nr_items = cpu_to_le32(n_in);
		bt->val_start = cpu_to_le32(val_start);
		ret = outs_add(out, bound, bl->blkno, seq, used);
		scoutfs_block_put(sb, bl);
	}
	return ret;
}

static int free_block(struct super_block *sb, const struct scoutfs_block_ref *ref)
{
	return scoutfs_free_meta(sb, le64_to_cpu(ref->blkno), le64_to_cpu(ref->seq));
}

/* a block whose items use less than this after a commit rewrote it is merged */
#define UNDERFULL	(USABLE / 4)
/* a merge takes neighbours while the run uses less than this ... */
#define RUN_FILL	(USABLE / 2)
/* ... and at most this many blocks */
#define RUN_MAX		16

static u32 block_fill(struct scoutfs_btree_block *bt)
{
	u32 nr = le32_to_cpu(bt->nr_items);
	u32 fill = nr * ITEM_SIZE;
	u32 i;

	for (i = 0; i < nr; i++)
		fill += le16_to_cpu(bt_item(bt, i)->val_len);
	return fill;
}

/*
 * Merge the run of children starting at kids[a] (a block this commit
 * wrote, underfull): take it and its right neighbours while the run uses
 * less than RUN_FILL (at least two blocks), write their items into new,
 * evenly filled blocks, free the run's blocks and put the new ones in
 * its place.  Returns how many blocks replaced the run, or -errno.
 */
static int merge_run(struct super_block *sb, u64 seq, int level, struct outs *kids, int a)
{
	struct scoutfs_block *bls[RUN_MAX] = { NULL, };
	struct scoutfs_btree_block *bt;
	struct scoutfs_key bound;
	struct outs out = { 0 };
	struct entry *ents = NULL;
	u32 fill = 0;
	int nr_items = 0;
	int nr = 0;
	int ret = 0;
	int b, i, k, tail;

	for (b = a; b < kids->nr && b - a < RUN_MAX && (b - a < 2 || fill < RUN_FILL); b++) {
		bls[b - a] = get_block(sb, &kids->refs[b], level);
		if (IS_ERR(bls[b - a])) {
			ret = PTR_ERR(bls[b - a]);
			bls[b - a] = NULL;
			goto out;
		}
		bt = bt_of(bls[b - a]);
		fill += block_fill(bt);
		nr_items += le32_to_cpu(bt->nr_items);
	}
	bound = kids->ents[b - 1].key;

	ents = scoutfs_kvmalloc_array(nr_items, sizeof(*ents));
	if (!ents) {
		ret = -ENOMEM;
		goto out;
	}
	for (k = 0; k < b - a; k++) {
		bt = bt_of(bls[k]);
		for (i = 0; i < le32_to_cpu(bt->nr_items); i++)
			item_entry(bt, bt_item(bt, i), &ents[nr++]);
	}
	ret = write_blocks(sb, seq, level, ents, nr, &bound, &out);
	if (ret)
		goto out;
	/* the run had at least two blocks using under 1.5 blocks' worth */
	if (WARN_ON_ONCE(out.nr == 0 || out.nr > b - a)) {
		ret = -EIO;
		goto out;
	}
	/*
	 * Blocks of the run this commit wrote are dropped unwritten and
	 * free for reuse at once; the others are freed as the commit frees
	 * any block it replaces.
	 */
	for (k = 0; k < b - a; k++) {
		if (kids->fills[a + k] && le64_to_cpu(kids->refs[a + k].seq) == seq &&
		    scoutfs_block_is_dirty(bls[k])) {
			scoutfs_block_forget(sb, bls[k]);
			ret = scoutfs_free_meta_unwritten(sb, le64_to_cpu(kids->refs[a + k].blkno));
		} else {
			ret = free_block(sb, &kids->refs[a + k]);
		}
		if (ret)
			goto out;
	}

	/* the new blocks replace the run; the rest moves down */
	for (k = 0; k < out.nr; k++) {
		kids->ents[a + k] = out.ents[k];
		kids->refs[a + k] = out.refs[k];
		kids->fills[a + k] = out.fills[k];
	}
	tail = kids->nr - b;
	memmove(&kids->ents[a + out.nr], &kids->ents[b], tail * sizeof(*kids->ents));
	memmove(&kids->refs[a + out.nr], &kids->refs[b], tail * sizeof(*kids->refs));
	memmove(&kids->fills[a + out.nr], &kids->fills[b], tail * sizeof(*kids->fills));
	kids->nr -= (b - a) - out.nr;
	for (k = a; k < kids->nr; k++)
		kids->ents[k].val = &kids->refs[k];
	ret = out.nr;
out:
	for (k = 0; k < RUN_MAX; k++)
		scoutfs_block_put(sb, bls[k]);
	kvfree(ents);
	outs_free(&out);
	return ret;
}

/*
 * Underfull blocks among a parent's children that this commit wrote are
 * merged with their neighbours (the last child with its left one), so
 * deletions leave no trail of nearly empty blocks for walks to read.
 * Blocks the commit did not touch are only merged into a run.
 */
static int merge_underfull(struct super_block *sb, u64 seq, int level, struct outs *kids)
{
	int a = 0;
	int ret;

	while (a < kids->nr && kids->nr > 1) {
		if (kids->fills[a] == 0 || kids->fills[a] >= UNDERFULL) {
			a++;
			continue;
		}
		if (a == kids->nr - 1)
			a--;
		ret = merge_run(sb, seq, level, kids, a);
		if (ret < 0)
			return ret;
		a += ret;
	}
	return 0;
}

static int apply_rec(struct super_block *sb, u64 seq, const struct scoutfs_block_ref *ref,
		     int level, const struct scoutfs_key *bound,
		     struct scoutfs_btree_change *chg, int nr_chg, struct outs *out,
		     unsigned int flags)
{
	struct scoutfs_btree_block *bt = NULL;
	struct scoutfs_btree_item *it;
	struct scoutfs_block *bl = NULL;
	struct scoutfs_block_ref cref;
	struct outs kids = { 0 };
	struct entry *ents = NULL;
	int nr_old = 0;
	int nr = 0;
	int ret = 0;
	int i, c, start;

	if (ref) {
		bl = get_block(sb, ref, level);
		if (IS_ERR(bl))
			return PTR_ERR(bl);
		bt = bt_of(bl);
		nr_old = le32_to_cpu(bt->nr_items);
	}

	if (level == 0) {
		/*
		 * merge old items and changes; changes win, deletions drop
		 * the item or, with MARKERS, replace it with a marker
		 */
		ents = scoutfs_kvmalloc_array(nr_old + nr_chg, sizeof(*ents));
		if (!ents) {
			ret = -ENOMEM;
			goto out;
		}
		for (i = 0, c = 0; i < nr_old || c < nr_chg;) {
			int cmp;

			it = i < nr_old ? bt_item(bt, i) : NULL;
			if (!it)
				cmp = 1;
			else if (c == nr_chg)
				cmp = -1;
			else
				cmp = scoutfs_key_compare(&it->key, &chg[c].key);
			if (cmp < 0) {
				item_entry(bt, it, &ents[nr++]);
				i++;
				continue;
			}
			if (cmp == 0)
				i++;
			if (!chg[c].deletion || (flags & SCOUTFS_BTREE_APPLY_MARKERS)) {
				ents[nr].key = chg[c].key;
				ents[nr].seq = chg[c].seq;
				ents[nr].len = chg[c].deletion ? 0 : chg[c].val_len;
				ents[nr].flags = chg[c].deletion ? SCOUTFS_ITEM_FLAG_DELETION : 0;
				ents[nr].val = chg[c].val;
				nr++;
			}
			c++;
		}
		if (nr)
			ret = write_blocks(sb, seq, 0, ents, nr, bound, out);
		goto out;
	}

	/* a parent: give each child the changes within its bound */
	for (i = 0, c = 0; i < nr_old; i++) {
		it = bt_item(bt, i);
		start = c;
		while (c < nr_chg && (i == nr_old - 1 ||
				      scoutfs_key_compare(&chg[c].key, &it->key) <= 0))
			c++;
		child_ref(bt, i, &cref);
		if (c == start) {
			ret = outs_add(&kids, &it->key, le64_to_cpu(cref.blkno),
				       le64_to_cpu(cref.seq), 0);
		} else {
			ret = apply_rec(sb, seq, &cref, level - 1,
					i == nr_old - 1 ? bound : &it->key,
					chg + start, c - start, &kids, flags);
		}
		if (ret)
			goto out;
	}
	if (kids.nr) {
		/* the last child covers everything up to this block's bound */
		kids.ents[kids.nr - 1].key = *bound;
		ret = merge_underfull(sb, seq, level - 1, &kids);
		if (ret == 0)
			ret = write_blocks(sb, seq, level, kids.ents, kids.nr, bound, out);
	}
out:
	if (ret == 0 && ref)
		ret = free_block(sb, ref);
	kvfree(ents);
	outs_free(&kids);
	scoutfs_block_put(sb, bl);
	return ret;
}

int scoutfs_btree_apply(struct super_block *sb, struct scoutfs_btree_root *root,
			u64 seq, struct scoutfs_btree_change *chg, int nr, unsigned int flags)
{
	struct scoutfs_btree_block *bt;
	struct scoutfs_block_ref ref;
	struct scoutfs_block *bl;
	struct scoutfs_key max;
	struct outs out = { 0 };
	struct outs up = { 0 };
	int level;
	int ret;

	if (nr == 0)
		return 0;
	scoutfs_key_set_ones(&max);

	if (root->height == 0)
		ret = apply_rec(sb, seq, NULL, 0, &max, chg, nr, &out, flags);
	else
		ret = apply_rec(sb, seq, &root->ref, root->height - 1, &max, chg, nr, &out,
				flags);
	if (ret)
		goto out;

	level = root->height ? root->height - 1 : 0;
	/* grow: a level that split gets a new parent level above it */
	while (out.nr > 1) {
		level++;
		if (level >= SCOUTFS_BTREE_MAX_HEIGHT) {
			scoutfs_err(sb, "btree would exceed %d levels", SCOUTFS_BTREE_MAX_HEIGHT);
			ret = -EIO;
			goto out;
		}
		out.ents[out.nr - 1].key = max;
		ret = write_blocks(sb, seq, level, out.ents, out.nr, &max, &up);
		if (ret)
			goto out;
		outs_free(&out);
		out = up;
		memset(&up, 0, sizeof(up));
	}

	if (out.nr == 0) {
		memset(root, 0, sizeof(*root));
		goto out;
	}
	root->ref = out.refs[0];
	root->height = level + 1;

	/* shrink: a root parent with one child is replaced by the child */
	while (root->height > 1) {
		bl = get_block(sb, &root->ref, root->height - 1);
		if (IS_ERR(bl)) {
			ret = PTR_ERR(bl);
			goto out;
		}
		bt = bt_of(bl);
		if (le32_to_cpu(bt->nr_items) != 1) {
			scoutfs_block_put(sb, bl);
			break;
		}
		child_ref(bt, 0, &ref);
		scoutfs_block_put(sb, bl);
		ret = free_block(sb, &root->ref);
		if (ret)
			goto out;
		root->ref = ref;
		root->height--;
	}
out:
	outs_free(&out);
	outs_free(&up);
	return ret;
}

