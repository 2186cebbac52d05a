// SPDX-License-Identifier: GPL-2.0
/*
 * alloc.c: the single-node block allocators.
 *
 * Each device's free space is a set of extents in memory (an rbtree of
 * non-overlapping, merged extents).  Blocks freed during a transaction go
 * to a separate "freed" set and join the free set only when the commit
 * that freed them is durable.  Every commit writes the free and freed sets
 * as chains of extent-list blocks to newly allocated metadata blocks and
 * records their heads in the super block; mount reads them back and adds
 * the freed sets to the free sets (their transaction was committed).  The
 * list blocks of the previous commit are freed by the next one.
 */
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/rbtree.h>
#include <linux/mm.h>

#include "format.h"
#include "glue.h"
#include "super.h"
#include "block.h"
#include "alloc.h"
#include "msg.h"
#include "trans.h"

struct ext {
	struct rb_node node;
	u64 start;
	u64 len;
};

struct ext_set {
	struct rb_root root;
	u64 nr;
	u64 total;
	const char *name;
};

struct list_blk {
	u64 blkno;
	u64 seq;
};

struct scoutfs_alloc_info {
	struct mutex mutex;
	struct ext_set meta_free;
	struct ext_set meta_freed;
	struct ext_set data_free;
	struct ext_set data_freed;
	/* extent-list blocks referenced by the last committed super */
	struct list_blk *lists;
	int nr_lists;
	/* the fewest free metadata blocks since the low mark was reset */
	u64 meta_low;
	/* a client: the data blocks the server handed it last */
	u64 data_granted;
};

#define ALLOC(sb) (SCOUTFS_SB(sb)->alloc)
#define PER_BLOCK ((SCOUTFS_BLOCK_LG_SIZE - sizeof(struct scoutfs_extent_list_block)) / \
		   sizeof(struct scoutfs_free_extent))

static struct ext *ext_of(struct rb_node *n)
{
	return n ? rb_entry(n, struct ext, node) : NULL;
}

/* the extent containing blkno, or the first after it */
static struct ext *ext_search(struct ext_set *set, u64 blkno)
{
	struct rb_node *n = set->root.rb_node;
	struct ext *best = NULL;
	struct ext *e;

	while (n) {
		e = ext_of(n);
		if (blkno < e->start) {
			best = e;
			n = n->rb_left;
		} else if (blkno >= e->start + e->len) {
			n = n->rb_right;
		} else {
			return e;
		}
	}
	return best;
}

static void ext_link(struct ext_set *set, struct ext *ins)
{
	struct rb_node **p = &set->root.rb_node;
	struct rb_node *parent = NULL;

	while (*p) {
		parent = *p;
		p = ins->start < ext_of(parent)->start ? &(*p)->rb_left : &(*p)->rb_right;
	}
	rb_link_node(&ins->node, parent, p);
	rb_insert_color(&ins->node, &set->root);
	set->nr++;
}

static void ext_unlink(struct ext_set *set, struct ext *e)
{
	rb_erase(&e->node, &set->root);
	set->nr--;
	kfree(e);
}

/* add free blocks, merging neighbours; an overlap means a double free */
static int ext_insert(struct super_block *sb, struct ext_set *set, u64 start, u64 len)
{
	struct ext *next;
	struct ext *prev;
	struct ext *e;

	if (len == 0 || start + len < start)
		return -EIO;
	next = ext_search(set, start);
	if (next && next->start < start + len) {
		scoutfs_err(sb, "%s: freeing [%llu, +%llu) overlaps free [%llu, +%llu)",
			    set->name, start, len, next->start, next->len);
		return -EIO;
	}
	prev = next ? ext_of(rb_prev(&next->node)) : ext_of(rb_last(&set->root));
	if (prev && prev->start + prev->len > start) {
		scoutfs_err(sb, "%s: freeing [%llu, +%llu) overlaps free [%llu, +%llu)",
			    set->name, start, len, prev->start, prev->len);
		return -EIO;
	}

	set->total += len;
	if (prev && prev->start + prev->len == start) {
		prev->len += len;
		if (next && prev->start + prev->len == next->start) {
			prev->len += next->len;
			ext_unlink(set, next);
		}
		return 0;
	}
	if (next && start + len == next->start) {
		next->start = start;
		next->len += len;
		return 0;
	}
	e = scoutfs_kmalloc(sizeof(*e), scoutfs_trans_gfp());
	if (!e) {
		set->total -= len;
		return -ENOMEM;
	}
	e->start = start;
	e->len = len;
	ext_link(set, e);
	return 0;
}

/* take up to want blocks, from hint if it is free, else the next free */
static int ext_alloc(struct ext_set *set, u64 hint, u64 want, u64 *start, u64 *len)
{
	struct ext *e;
	struct ext *tail;
	u64 end;

	e = ext_search(set, hint);
	if (!e)
		e = ext_of(rb_first(&set->root));
	if (!e)
		return -ENOSPC;

	if (hint > e->start && hint < e->start + e->len) {
		/* carve from the middle: the extent splits in two */
		end = e->start + e->len;
		*start = hint;
		*len = min(want, end - hint);
		if (hint + *len < end) {
			tail = scoutfs_kmalloc(sizeof(*tail), scoutfs_trans_gfp());
			if (!tail)
				return -ENOMEM;
			tail->start = hint + *len;
			tail->len = end - tail->start;
			e->len = hint - e->start;
			ext_link(set, tail);
		} else {
			e->len = hint - e->start;
		}
	} else {
		*start = e->start;
		*len = min(want, e->len);
		e->start += *len;
		e->len -= *len;
		if (e->len == 0)
			ext_unlink(set, e);
	}
	set->total -= *len;
	return 0;
}

static void ext_clear(struct ext_set *set)
{
	struct rb_node *n;

	while ((n = rb_first(&set->root)))
		ext_unlink(set, ext_of(n));
	set->total = 0;
}

/* move every extent of from into to */
static int ext_merge(struct super_block *sb, struct ext_set *to, struct ext_set *from)
{
	struct rb_node *n;
	struct ext *e;
	int ret = 0;

	while ((n = rb_first(&from->root))) {
		e = ext_of(n);
		if (!ret)
			ret = ext_insert(sb, to, e->start, e->len);
		from->total -= e->len;
		ext_unlink(from, e);
	}
	return ret;
}

int scoutfs_alloc_data(struct super_block *sb, u64 hint, u64 *blkno, u64 *count)
{
	struct scoutfs_alloc_info *ai = ALLOC(sb);
	u64 len;
	int ret;

	if (*count == 0)
		return -EINVAL;
	mutex_lock(&ai->mutex);
	ret = ext_alloc(&ai->data_free, hint, *count, blkno, &len);
	mutex_unlock(&ai->mutex);
	if (ret == 0)
		*count = len;
	return ret;
}

static int check_range(struct super_block *sb, const char *what, u64 blkno, u64 count,
		       u64 first, u64 total)
{
	if (count == 0 || blkno < first || blkno + count > total || blkno + count < blkno) {
		scoutfs_err(sb, "freeing %s blocks [%llu, +%llu) outside the device's [%llu, %llu)",
			    what, blkno, count, first, total);
		return -EIO;
	}
	return 0;
}

int scoutfs_free_data(struct super_block *sb, u64 blkno, u64 count)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	struct scoutfs_alloc_info *ai = ALLOC(sb);
	int ret;

	ret = check_range(sb, "data", blkno, count, SCOUTFS_DATA_DEV_START_BLKNO,
			  le64_to_cpu(sbi->super.total_data_blocks));
	if (ret)
		return ret;
	mutex_lock(&ai->mutex);
	ret = ext_insert(sb, &ai->data_freed, blkno, count);
	mutex_unlock(&ai->mutex);
	return ret;
}

int scoutfs_alloc_meta(struct super_block *sb, u64 *blkno)
{
	struct scoutfs_alloc_info *ai = ALLOC(sb);
	u64 len;
	int ret;

	mutex_lock(&ai->mutex);
	ret = ext_alloc(&ai->meta_free, 0, 1, blkno, &len);
	ai->meta_low = min(ai->meta_low, ai->meta_free.total);
	mutex_unlock(&ai->mutex);
	if (ret == -ENOSPC)
		scoutfs_err(sb, "metadata device is full");
	return ret;
}

/*
 * The fewest free metadata blocks there were since the last reset: what a
 * commit really needed at its peak, to hold against its estimate.
 */
u64 scoutfs_alloc_meta_low(struct super_block *sb, bool reset)
{
	struct scoutfs_alloc_info *ai = ALLOC(sb);
	u64 low;

	mutex_lock(&ai->mutex);
	low = ai->meta_low;
	if (reset)
		ai->meta_low = ai->meta_free.total;
	mutex_unlock(&ai->mutex);
	return low;
}

/*
 * An upper bound of the extent-list blocks a commit that allocates and
 * frees at most 'blocks' metadata blocks writes: each set's extents now,
 * plus one new extent per block allocated (splitting a free extent) and
 * per block freed, and a partly filled block per set.
 */
u64 scoutfs_alloc_list_blocks(struct super_block *sb, u64 blocks)
{
	struct scoutfs_alloc_info *ai = ALLOC(sb);
	u64 extents;

	mutex_lock(&ai->mutex);
	extents = ai->meta_free.nr + ai->meta_freed.nr + ai->data_free.nr +
		  ai->data_freed.nr;
	mutex_unlock(&ai->mutex);
	return DIV_ROUND_UP(extents + 2 * blocks, PER_BLOCK) + 4;
}

static int free_meta_into(struct super_block *sb, struct ext_set *set, u64 blkno)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	struct scoutfs_alloc_info *ai = ALLOC(sb);
	int ret;

	ret = check_range(sb, "metadata", blkno, 1, SCOUTFS_META_DEV_START_BLKNO,
			  le64_to_cpu(sbi->super.total_meta_blocks));
	if (ret)
		return ret;
	mutex_lock(&ai->mutex);
	ret = ext_insert(sb, set, blkno, 1);
	mutex_unlock(&ai->mutex);
	return ret;
}

int scoutfs_free_meta(struct super_block *sb, u64 blkno, u64 block_seq)
{
	return free_meta_into(sb, &ALLOC(sb)->meta_freed, blkno);
}

/*
 * A metadata block allocated in the open transaction that will never be
 * written (the caller dropped it from the dirty blocks): free for reuse
 * at once, nothing on disk can reference it.
 */
int scoutfs_free_meta_unwritten(struct super_block *sb, u64 blkno)
{
	return free_meta_into(sb, &ALLOC(sb)->meta_free, blkno);
}

u64 scoutfs_alloc_free_meta_blocks(struct super_block *sb)
{
	return READ_ONCE(ALLOC(sb)->meta_free.total);
}

u64 scoutfs_alloc_free_data_blocks(struct super_block *sb)
{
	return READ_ONCE(ALLOC(sb)->data_free.total);
}

static int remember_list_block(struct scoutfs_alloc_info *ai, u64 blkno, u64 seq, int *alloc)
{
	struct list_blk *lists;

	if (ai->nr_lists == *alloc) {
		*alloc = max(16, *alloc * 2);
		lists = scoutfs_kvmalloc_array(*alloc, sizeof(*lists));
		if (!lists)
			return -ENOMEM;
		if (ai->nr_lists)
			memcpy(lists, ai->lists, ai->nr_lists * sizeof(*lists));
		kvfree(ai->lists);
		ai->lists = lists;
	}
	ai->lists[ai->nr_lists].blkno = blkno;
	ai->lists[ai->nr_lists].seq = seq;
	ai->nr_lists++;
	return 0;
}

/* read one extent list into a set, remembering its blocks */
static int read_list(struct super_block *sb, struct scoutfs_alloc_info *ai,
		     const struct scoutfs_extent_list_root *root, struct ext_set *set,
		     u64 first, u64 total, int *alloc)
{
	struct scoutfs_block_ref ref = root->ref;
	struct scoutfs_extent_list_block *lb;
	struct scoutfs_free_extent *fe;
	struct scoutfs_block *bl;
	u64 nr_read = 0;
	u64 start, len;
	u64 hops = 0;
	int ret = 0;
	u32 i, nr;

	while (ref.blkno) {
		if (++hops > le64_to_cpu(SCOUTFS_SB(sb)->super.total_meta_blocks)) {
			scoutfs_err(sb, "%s extent list does not end", set->name);
			return -EIO;
		}
		bl = scoutfs_block_read_ref(sb, &ref, SCOUTFS_BLOCK_MAGIC_EXTENT_LIST);
		if (IS_ERR(bl))
			return PTR_ERR(bl);
		lb = bl->data;
		nr = le32_to_cpu(lb->nr);
		if (nr > PER_BLOCK || !scoutfs_extent_list_block_pads_zero(lb)) {
			scoutfs_err(sb, "%s extent list block %llu is corrupt: bad count %u or pads",
				    set->name, bl->blkno, nr);
			ret = -EFSCORRUPTED;
		}
		fe = (void *)lb + sizeof(*lb);
		for (i = 0; ret == 0 && i < nr; i++) {
			start = le64_to_cpu(fe[i].blkno);
			len = le64_to_cpu(fe[i].len);
			if (len == 0 || start < first || start + len > total || start + len < start) {
				scoutfs_err(sb, "%s extent [%llu, +%llu) is corrupt: outside the device's [%llu, %llu)",
					    set->name, start, len, first, total);
				ret = -EFSCORRUPTED;
			} else {
				ret = ext_insert(sb, set, start, len);
			}
		}
		nr_read += nr;
		if (ret == 0)
			ret = remember_list_block(ai, bl->blkno, le64_to_cpu(ref.seq), alloc);
		ref = lb->next;
		scoutfs_block_put(sb, bl);
		if (ret)
			return ret;
	}
	if (nr_read != le64_to_cpu(root->nr_extents)) {
		scoutfs_err(sb, "%s extent list holds %llu extents, its root says %llu", set->name,
			    nr_read, le64_to_cpu(root->nr_extents));
		return -EIO;
	}
	return 0;
}

int scoutfs_alloc_setup(struct super_block *sb)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	struct scoutfs_alloc_info *ai;

	ai = kzalloc(sizeof(*ai), GFP_KERNEL);
	if (!ai)
		return -ENOMEM;
	mutex_init(&ai->mutex);
	ai->meta_low = U64_MAX;
	ai->meta_free.name = "meta free";
	ai->meta_freed.name = "meta freed";
	ai->data_free.name = "data free";
	ai->data_freed.name = "data freed";
	sbi->alloc = ai;
	return 0;
}

/* the server's mount: the volume's free space, from the super block */
int scoutfs_alloc_load_super(struct super_block *sb)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	struct scoutfs_super_block *super = &sbi->super;
	struct scoutfs_alloc_info *ai = ALLOC(sb);
	u64 tm = le64_to_cpu(super->total_meta_blocks);
	u64 td = le64_to_cpu(super->total_data_blocks);
	int alloc = 0;
	int ret;

	/* the freed lists' transaction is committed: they are free too */
	ret = read_list(sb, ai, &super->meta_free, &ai->meta_free, SCOUTFS_META_DEV_START_BLKNO, tm, &alloc) ?:
	      read_list(sb, ai, &super->meta_freed, &ai->meta_free, SCOUTFS_META_DEV_START_BLKNO, tm, &alloc) ?:
	      read_list(sb, ai, &super->data_free, &ai->data_free, SCOUTFS_DATA_DEV_START_BLKNO, td, &alloc) ?:
	      read_list(sb, ai, &super->data_freed, &ai->data_free, SCOUTFS_DATA_DEV_START_BLKNO, td, &alloc);
	return ret;
}

void scoutfs_alloc_destroy(struct super_block *sb)
{
	struct scoutfs_alloc_info *ai = ALLOC(sb);

	if (!ai)
		return;
	ext_clear(&ai->meta_free);
	ext_clear(&ai->meta_freed);
	ext_clear(&ai->data_free);
	ext_clear(&ai->data_freed);
	kvfree(ai->lists);
	kfree(ai);
	SCOUTFS_SB(sb)->alloc = NULL;
}

/* write a set into the given blocks, chained in order */
static int write_list(struct super_block *sb, struct ext_set *set, u64 *blknos, int nr_blocks,
		      u64 seq, struct scoutfs_extent_list_root *root)
{
	struct scoutfs_extent_list_block *lb;
	struct scoutfs_free_extent *fe;
	struct scoutfs_block *bl;
	struct rb_node *n = rb_first(&set->root);
	struct ext *e;
	int b;
	u32 i;

	memset(root, 0, sizeof(*root));
	if (nr_blocks) {
		root->ref.blkno = cpu_to_le64(blknos[0]);
		root->ref.seq = cpu_to_le64(seq);
	}
	root->nr_extents = cpu_to_le64(set->nr);
	root->total_free = cpu_to_le64(set->total);

	for (b = 0; b < nr_blocks; b++) {
		bl = scoutfs_block_new(sb, blknos[b], SCOUTFS_BLOCK_MAGIC_EXTENT_LIST, seq);
		if (IS_ERR(bl))
			return PTR_ERR(bl);
		lb = bl->data;
		fe = (void *)lb + sizeof(*lb);
		for (i = 0; n && i < PER_BLOCK; i++, n = rb_next(n)) {
			e = ext_of(n);
			fe[i].blkno = cpu_to_le64(e->start);
			fe[i].len = cpu_to_le64(e->len);
		}
		lb->nr = cpu_to_le32(i);
		if (b + 1 < nr_blocks) {
			lb->next.blkno = cpu_to_le64(blknos[b + 1]);
			lb->next.seq = cpu_to_le64(seq);
		}
		scoutfs_block_put(sb, bl);
	}
	return n ? -EIO : 0;
}

/*
 * Write the four sets into new lists, their heads into roots: meta free,
 * data free, meta freed, data freed (the super block's, or a client's
 * log btree record's avail and freed).
 */
int scoutfs_alloc_write(struct super_block *sb, struct scoutfs_extent_list_root *roots[4], u64 seq)
{
	struct scoutfs_alloc_info *ai = ALLOC(sb);
	struct ext_set *sets[4] = { &ai->meta_free, &ai->data_free, &ai->meta_freed, &ai->data_freed };
	int want[4];
	int total = 0;
	u64 *blknos = NULL;
	int alloc = 0;
	u64 len;
	int ret = 0;
	int i, b;

	mutex_lock(&ai->mutex);

	/* the previous commit's lists are freed by this one */
	for (i = 0; i < ai->nr_lists; i++) {
		ret = ext_insert(sb, &ai->meta_freed, ai->lists[i].blkno, 1);
		if (ret)
			goto out;
	}
	ai->nr_lists = 0;

	/* allocating list blocks never grows a set's extent count */
	for (i = 0; i < 4; i++) {
		want[i] = DIV_ROUND_UP(sets[i]->nr, PER_BLOCK);
		total += want[i];
	}
	blknos = scoutfs_kvmalloc_array(max(total, 1), sizeof(u64));
	if (!blknos) {
		ret = -ENOMEM;
		goto out;
	}
	for (b = 0; b < total; b++) {
		ret = ext_alloc(&ai->meta_free, 0, 1, &blknos[b], &len);
		ai->meta_low = min(ai->meta_low, ai->meta_free.total);
		if (ret) {
			scoutfs_err(sb, "metadata device is full");
			goto out;
		}
	}

	for (i = 0, b = 0; i < 4; b += want[i], i++) {
		ret = write_list(sb, sets[i], blknos + b, want[i], seq, roots[i]);
		if (ret)
			goto out;
	}
	for (b = 0; b < total; b++) {
		ret = remember_list_block(ai, blknos[b], seq, &alloc);
		if (ret)
			goto out;
	}
out:
	mutex_unlock(&ai->mutex);
	kvfree(blknos);
	return ret;
}

/*
 * A client of another mount's server: its allocators are the ones its
 * log btree record holds (lt's avail lists; freed ones are empty: the
 * server took them back).  Replaces whatever the sets held.
 */
int scoutfs_alloc_load(struct super_block *sb, const struct scoutfs_log_trees *lt)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	struct scoutfs_alloc_info *ai = ALLOC(sb);
	u64 tm = le64_to_cpu(sbi->super.total_meta_blocks);
	u64 td = le64_to_cpu(sbi->super.total_data_blocks);
	int alloc = ai->nr_lists;
	int ret;

	mutex_lock(&ai->mutex);
	ext_clear(&ai->meta_free);
	ext_clear(&ai->meta_freed);
	ext_clear(&ai->data_free);
	ext_clear(&ai->data_freed);
	ai->nr_lists = 0;
	ret = read_list(sb, ai, &lt->meta_avail, &ai->meta_free, SCOUTFS_META_DEV_START_BLKNO, tm, &alloc) ?:
	      read_list(sb, ai, &lt->meta_freed, &ai->meta_freed, SCOUTFS_META_DEV_START_BLKNO, tm, &alloc) ?:
	      read_list(sb, ai, &lt->data_avail, &ai->data_free, SCOUTFS_DATA_DEV_START_BLKNO, td, &alloc) ?:
	      read_list(sb, ai, &lt->data_freed, &ai->data_freed, SCOUTFS_DATA_DEV_START_BLKNO, td, &alloc);
	ai->meta_low = ai->meta_free.total;
	ai->data_granted = ai->data_free.total;
	mutex_unlock(&ai->mutex);
	return ret;
}

/*
 * A client commits (and gets fresh allocators) before its data blocks
 * run low: once below half of what the server handed it (at most
 * DATA_LOW blocks), so that a hold's writes (preallocating 8 MiB at
 * most each) never find them gone.
 */
#define DATA_LOW	(32ULL * 1024)

bool scoutfs_alloc_data_low(struct super_block *sb)
{
	struct scoutfs_alloc_info *ai = ALLOC(sb);

	return SCOUTFS_SB(sb)->follower &&
	       READ_ONCE(ai->data_free.total) < min(DATA_LOW, READ_ONCE(ai->data_granted) / 2);
}

/* read a list into a set (no blocks remembered); its blocks into blocks */
static int read_foreign_list(struct super_block *sb, const struct scoutfs_extent_list_root *root,
			     struct ext_set *set, struct ext_set *blocks, u64 first, u64 total)
{
	struct scoutfs_alloc_info tmp = { .nr_lists = 0, .lists = NULL };
	int alloc = 0;
	int ret;
	int i;

	ret = read_list(sb, &tmp, root, set, first, total, &alloc);
	for (i = 0; ret == 0 && i < tmp.nr_lists; i++)
		ret = ext_insert(sb, blocks, tmp.lists[i].blkno, 1);
	kvfree(tmp.lists);
	return ret;
}

/*
 * The server takes back a client's allocators from its record: what was
 * left available is free at once (the client never wrote it, and no
 * longer may), what its commit freed and the lists' own blocks are
 * freed by the server's open commit (the record on disk still points at
 * them until that commit).  The record's allocator roots are zeroed.
 */
int scoutfs_alloc_reclaim(struct super_block *sb, struct scoutfs_log_trees *lt)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	struct scoutfs_alloc_info *ai = ALLOC(sb);
	u64 tm = le64_to_cpu(sbi->super.total_meta_blocks);
	u64 td = le64_to_cpu(sbi->super.total_data_blocks);
	struct ext_set ma = { .root = RB_ROOT, .name = "client meta avail" };
	struct ext_set mf = { .root = RB_ROOT, .name = "client meta freed" };
	struct ext_set da = { .root = RB_ROOT, .name = "client data avail" };
	struct ext_set df = { .root = RB_ROOT, .name = "client data freed" };
	struct ext_set bl = { .root = RB_ROOT, .name = "client list blocks" };
	int ret;

	ret = read_foreign_list(sb, &lt->meta_avail, &ma, &bl, SCOUTFS_META_DEV_START_BLKNO, tm) ?:
	      read_foreign_list(sb, &lt->meta_freed, &mf, &bl, SCOUTFS_META_DEV_START_BLKNO, tm) ?:
	      read_foreign_list(sb, &lt->data_avail, &da, &bl, SCOUTFS_DATA_DEV_START_BLKNO, td) ?:
	      read_foreign_list(sb, &lt->data_freed, &df, &bl, SCOUTFS_DATA_DEV_START_BLKNO, td);
	if (ret == 0) {
		mutex_lock(&ai->mutex);
		ret = ext_merge(sb, &ai->meta_free, &ma) ?:
		      ext_merge(sb, &ai->meta_freed, &mf) ?:
		      ext_merge(sb, &ai->meta_freed, &bl) ?:
		      ext_merge(sb, &ai->data_free, &da) ?:
		      ext_merge(sb, &ai->data_freed, &df);
		mutex_unlock(&ai->mutex);
		if (ret)
			scoutfs_err(sb, "client rid %016llx: its allocators overlap the server's free space",
				    le64_to_cpu(lt->rid));
	}
	ext_clear(&ma);
	ext_clear(&mf);
	ext_clear(&da);
	ext_clear(&df);
	ext_clear(&bl);
	if (ret == 0) {
		memset(&lt->meta_avail, 0, sizeof(lt->meta_avail));
		memset(&lt->meta_freed, 0, sizeof(lt->meta_freed));
		memset(&lt->data_avail, 0, sizeof(lt->data_avail));
		memset(&lt->data_freed, 0, sizeof(lt->data_freed));
	}
	return ret;
}

/* move up to want blocks from the free set into set */
static int carve(struct super_block *sb, struct ext_set *from, struct ext_set *set, u64 want)
{
	u64 start, len;
	int ret = 0;

	while (want && from->total) {
		ret = ext_alloc(from, 0, want, &start, &len);
		if (ret)
			break;
		ret = ext_insert(sb, set, start, len);
		if (ret)
			break;
		want -= len;
	}
	return ret;
}

/*
 * The server fills a client's record with allocators: up to meta and
 * data blocks from its free space, written as lists at seq (the
 * server's open commit, which writes them).  The record's allocator
 * roots must be zero (reclaimed).
 */
int scoutfs_alloc_fill(struct super_block *sb, struct scoutfs_log_trees *lt, u64 meta, u64 data,
		       u64 seq)
{
	struct scoutfs_alloc_info *ai = ALLOC(sb);
	struct ext_set ma = { .root = RB_ROOT, .name = "client meta avail" };
	struct ext_set da = { .root = RB_ROOT, .name = "client data avail" };
	u64 *blknos = NULL;
	int want[2];
	u64 len;
	int ret;
	int b;

	mutex_lock(&ai->mutex);
	/* the lists' blocks first: what's left goes to the client */
	meta = min(meta, ai->meta_free.total / 2);
	data = min(data, ai->data_free.total / 2);
	ret = carve(sb, &ai->meta_free, &ma, meta) ?:
	      carve(sb, &ai->data_free, &da, data);
	if (ret)
		goto out;
	want[0] = DIV_ROUND_UP(ma.nr, PER_BLOCK);
	want[1] = DIV_ROUND_UP(da.nr, PER_BLOCK);
	blknos = scoutfs_kvmalloc_array(max(want[0] + want[1], 1), sizeof(u64));
	if (!blknos) {
		ret = -ENOMEM;
		goto out;
	}
	for (b = 0; b < want[0] + want[1]; b++) {
		ret = ext_alloc(&ai->meta_free, 0, 1, &blknos[b], &len);
		if (ret)
			goto out;
	}
	ai->meta_low = min(ai->meta_low, ai->meta_free.total);
	ret = write_list(sb, &ma, blknos, want[0], seq, &lt->meta_avail) ?:
	      write_list(sb, &da, blknos + want[0], want[1], seq, &lt->data_avail);
	memset(&lt->meta_freed, 0, sizeof(lt->meta_freed));
	memset(&lt->data_freed, 0, sizeof(lt->data_freed));
out:
	if (ret) {
		/* nothing was written that anything references: back it all goes */
		for (b--; blknos && b >= 0; b--)
			ext_insert(sb, &ai->meta_free, blknos[b], 1);
		ext_merge(sb, &ai->meta_free, &ma);
		ext_merge(sb, &ai->data_free, &da);
		memset(&lt->meta_avail, 0, sizeof(lt->meta_avail));
		memset(&lt->data_avail, 0, sizeof(lt->data_avail));
	}
	mutex_unlock(&ai->mutex);
	ext_clear(&ma);
	ext_clear(&da);
	kvfree(blknos);
	return ret;
}

void scoutfs_alloc_committed(struct super_block *sb)
{
	struct scoutfs_alloc_info *ai = ALLOC(sb);
	int ret;

	mutex_lock(&ai->mutex);
	ret = ext_merge(sb, &ai->meta_free, &ai->meta_freed) ?:
	      ext_merge(sb, &ai->data_free, &ai->data_freed);
	mutex_unlock(&ai->mutex);
	if (ret)
		scoutfs_err(sb, "error %d returning freed blocks; they stay unused until remount", ret);
}
