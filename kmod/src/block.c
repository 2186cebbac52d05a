// SPDX-License-Identifier: GPL-2.0
/*
 * block.c: the metadata block cache and block I/O.
 *
 * Metadata blocks are 64 KiB on the metadata device.  Cached blocks live in
 * an rbtree by blkno with an LRU of the unreferenced clean ones, trimmed by
 * a shrinker.  Dirty blocks (written by the commit) are pinned until the
 * commit writes them.  Every block read from disk is verified (checksum,
 * magic, fsid, blkno, seq against the reference) before anyone sees it.
 */
#include <linux/fs.h>
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/crc32c.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/rbtree.h>
#include <linux/shrinker.h>
#include <linux/sched/mm.h>

#include "format.h"
#include "glue.h"
#include "super.h"
#include "block.h"
#include "msg.h"
#include "trans.h"

#define BLOCK_DIRTY	0
#define BLOCK_VERIFIED	1

struct scoutfs_block_cache {
	struct super_block *sb;
	spinlock_t lock;
	struct rb_root root;
	struct list_head lru;
	unsigned long nr_lru;
	struct list_head dirty;
	struct shrinker *shrinker;
};

#define BLOCK_CACHE(sb) (SCOUTFS_SB(sb)->blocks)

u32 scoutfs_block_crc(const void *data, unsigned int size)
{
	return crc32c(~0, data + sizeof(__le32), size - sizeof(__le32));
}

static struct scoutfs_block *block_alloc(u64 blkno)
{
	struct scoutfs_block *bl;

	bl = scoutfs_kzalloc(sizeof(*bl), scoutfs_trans_gfp());
	if (!bl)
		return NULL;
	bl->data = scoutfs_kvmalloc_array(1, SCOUTFS_BLOCK_LG_SIZE);
	if (!bl->data) {
		kfree(bl);
		return NULL;
	}
	RB_CLEAR_NODE(&bl->node);
	INIT_LIST_HEAD(&bl->lru_head);
	INIT_LIST_HEAD(&bl->dirty_head);
	bl->blkno = blkno;
	refcount_set(&bl->refcount, 1);
	return bl;
}

static void block_free(struct scoutfs_block *bl)
{
	kvfree(bl->data);
	kfree(bl);
}

/* caller holds the lock */
static struct scoutfs_block *cache_find(struct scoutfs_block_cache *bc, u64 blkno)
{
	struct rb_node *n = bc->root.rb_node;
	struct scoutfs_block *bl;

	while (n) {
		bl = rb_entry(n, struct scoutfs_block, node);
		if (blkno < bl->blkno)
			n = n->rb_left;
		else if (blkno > bl->blkno)
			n = n->rb_right;
		else
			return bl;
	}
	return NULL;
}

/* caller holds the lock; the cache's reference is the one given */
static void cache_insert(struct scoutfs_block_cache *bc, struct scoutfs_block *ins)
{
	struct rb_node **p = &bc->root.rb_node;
	struct rb_node *parent = NULL;
	struct scoutfs_block *bl;

	while (*p) {
		parent = *p;
		bl = rb_entry(parent, struct scoutfs_block, node);
		if (ins->blkno < bl->blkno)
			p = &(*p)->rb_left;
		else
			p = &(*p)->rb_right;
	}
	rb_link_node(&ins->node, parent, p);
	rb_insert_color(&ins->node, &bc->root);
}

/*
 * Caller holds the lock; drops the cache's reference.  Returns true when
 * that was the last one: the caller frees the block once it has dropped
 * the lock (the data may be vmalloc()ed, and vfree() may sleep).
 */
static bool cache_remove(struct scoutfs_block_cache *bc, struct scoutfs_block *bl)
{
	rb_erase(&bl->node, &bc->root);
	RB_CLEAR_NODE(&bl->node);
	if (!list_empty(&bl->lru_head)) {
		list_del_init(&bl->lru_head);
		bc->nr_lru--;
	}
	return refcount_dec_and_test(&bl->refcount);
}

void scoutfs_block_put(struct super_block *sb, struct scoutfs_block *bl)
{
	struct scoutfs_block_cache *bc = BLOCK_CACHE(sb);

	if (IS_ERR_OR_NULL(bl))
		return;
	spin_lock(&bc->lock);
	if (refcount_dec_and_test(&bl->refcount)) {
		/* not in the cache anymore */
		spin_unlock(&bc->lock);
		block_free(bl);
		return;
	}
	/* only the cache's reference left: eligible for the shrinker */
	if (refcount_read(&bl->refcount) == 1 && !RB_EMPTY_NODE(&bl->node) &&
	    !test_bit(BLOCK_DIRTY, &bl->flags) && list_empty(&bl->lru_head)) {
		list_add_tail(&bl->lru_head, &bc->lru);
		bc->nr_lru++;
	}
	spin_unlock(&bc->lock);
}

bool scoutfs_block_is_dirty(struct scoutfs_block *bl)
{
	return test_bit(BLOCK_DIRTY, &bl->flags);
}

static void add_page_vecs(struct bio *bio, void *data, unsigned int size)
{
	unsigned int off;
	struct page *page;

	for (off = 0; off < size; off += PAGE_SIZE) {
		if (is_vmalloc_addr(data + off))
			page = vmalloc_to_page(data + off);
		else
			page = virt_to_page(data + off);
		__bio_add_page(bio, page, min_t(unsigned int, PAGE_SIZE, size - off),
			       offset_in_page(data + off));
	}
}

static int sync_io(struct block_device *bdev, blk_opf_t opf, sector_t sector,
		   void *data, unsigned int size)
{
	struct bio *bio;
	int ret;

	bio = bio_alloc(bdev, DIV_ROUND_UP(size, PAGE_SIZE), opf, GFP_NOFS);
	bio->bi_iter.bi_sector = sector;
	add_page_vecs(bio, data, size);
	ret = submit_bio_wait(bio);
	bio_put(bio);
	return ret;
}

int scoutfs_block_sm_io(struct super_block *sb, blk_opf_t opf, u64 blkno, void *buf)
{
	return sync_io(SCOUTFS_SB(sb)->meta_bdev, opf, blkno << (SCOUTFS_BLOCK_SM_SHIFT - 9), buf,
		       SCOUTFS_BLOCK_SM_SIZE);
}

static bool crc_failed(const char *why)
{
	return !strcmp(why, "bad checksum");
}

/* check the header and, for btree blocks, the bounds of what it holds */
static int verify_block(struct super_block *sb, struct scoutfs_block *bl,
			const struct scoutfs_block_ref *ref, u32 magic, bool crc)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	struct scoutfs_block_header *hdr = bl->data;
	const char *why = NULL;

	if (crc && le32_to_cpu(hdr->crc) != scoutfs_block_crc(bl->data, SCOUTFS_BLOCK_LG_SIZE))
		why = "bad checksum";
	else if (le32_to_cpu(hdr->magic) != magic)
		why = "wrong magic";
	else if (le64_to_cpu(hdr->fsid) != sbi->fsid)
		why = "wrong fsid";
	else if (le64_to_cpu(hdr->blkno) != bl->blkno)
		why = "wrong blkno";
	else if (hdr->seq != ref->seq)
		why = "wrong seq";

	/*
	 * A mount reading roots another mount's commits change may follow a
	 * reference the other mount's later commits freed and reused: the
	 * block has another seq (or is another kind of block).  The reader
	 * refreshes its roots and tries again (forest.c), quietly.
	 */
	if (why && sbi->follower && !crc_failed(why) &&
	    le64_to_cpu(hdr->blkno) == bl->blkno && le64_to_cpu(hdr->fsid) == sbi->fsid)
		return -ESTALE;
	if (why) {
		scoutfs_err(sb, "metadata block %llu (ref seq %llu, magic %08x): %s (header magic %08x blkno %llu seq %llu)",
			    bl->blkno, le64_to_cpu(ref->seq), magic, why,
			    le32_to_cpu(hdr->magic), le64_to_cpu(hdr->blkno),
			    le64_to_cpu(hdr->seq));
		return -EIO;
	}
	return 0;
}

struct scoutfs_block *scoutfs_block_read_ref(struct super_block *sb,
					     const struct scoutfs_block_ref *ref,
					     u32 magic)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	struct scoutfs_block_cache *bc = BLOCK_CACHE(sb);
	u64 blkno = le64_to_cpu(ref->blkno);
	struct scoutfs_block *bl;
	struct scoutfs_block *other;
	bool reread = false;
	int ret;

	if (blkno < SCOUTFS_META_DEV_START_BLKNO ||
	    blkno >= le64_to_cpu(sbi->super.total_meta_blocks)) {
		scoutfs_err(sb, "reference to metadata block %llu outside the device (%llu blocks)",
			    blkno, le64_to_cpu(sbi->super.total_meta_blocks));
		return ERR_PTR(-EIO);
	}

again:
	spin_lock(&bc->lock);
	bl = cache_find(bc, blkno);
	if (bl) {
		refcount_inc(&bl->refcount);
		if (!list_empty(&bl->lru_head)) {
			list_del_init(&bl->lru_head);
			bc->nr_lru--;
		}
	}
	spin_unlock(&bc->lock);

	/*
	 * A cached copy that isn't what the reference wants: another mount
	 * may have written the block since (it came back to the allocators
	 * and went to that mount).  Unless it is our own dirty block, it
	 * goes and the block is read again.
	 */
	if (bl && !reread && !test_bit(BLOCK_DIRTY, &bl->flags) &&
	    (((struct scoutfs_block_header *)bl->data)->seq != ref->seq ||
	     le32_to_cpu(((struct scoutfs_block_header *)bl->data)->magic) != magic)) {
		spin_lock(&bc->lock);
		if (!RB_EMPTY_NODE(&bl->node))
			WARN_ON_ONCE(cache_remove(bc, bl));
		spin_unlock(&bc->lock);
		scoutfs_block_put(sb, bl);
		reread = true;
		goto again;
	}

	if (!bl) {
		bl = block_alloc(blkno);
		if (!bl)
			return ERR_PTR(-ENOMEM);
		ret = sync_io(sbi->meta_bdev, REQ_OP_READ,
			      blkno << (SCOUTFS_BLOCK_LG_SHIFT - 9), bl->data,
			      SCOUTFS_BLOCK_LG_SIZE);
		if (ret < 0) {
			scoutfs_err(sb, "error %d reading metadata block %llu", ret, blkno);
			block_free(bl);
			return ERR_PTR(-EIO);
		}
		ret = verify_block(sb, bl, ref, magic, true);
		if (ret < 0) {
			block_free(bl);
			return ERR_PTR(ret);
		}
		set_bit(BLOCK_VERIFIED, &bl->flags);

		spin_lock(&bc->lock);
		other = cache_find(bc, blkno);
		if (other) {
			/* raced with another reader */
			refcount_inc(&other->refcount);
			if (!list_empty(&other->lru_head)) {
				list_del_init(&other->lru_head);
				bc->nr_lru--;
			}
			spin_unlock(&bc->lock);
			block_free(bl);
			bl = other;
		} else {
			refcount_inc(&bl->refcount); /* the cache's */
			cache_insert(bc, bl);
			spin_unlock(&bc->lock);
			return bl;
		}
	}

	ret = verify_block(sb, bl, ref, magic, false);
	if (ret < 0) {
		scoutfs_block_put(sb, bl);
		return ERR_PTR(ret);
	}
	return bl;
}

struct scoutfs_block *scoutfs_block_new(struct super_block *sb, u64 blkno,
					u32 magic, u64 seq)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	struct scoutfs_block_cache *bc = BLOCK_CACHE(sb);
	struct scoutfs_block_header *hdr;
	struct scoutfs_block *bl;
	struct scoutfs_block *old;
	bool free_old = false;

	bl = block_alloc(blkno);
	if (!bl)
		return ERR_PTR(-ENOMEM);
	memset(bl->data, 0, SCOUTFS_BLOCK_LG_SIZE);
	hdr = bl->data;
	hdr->magic = cpu_to_le32(magic);
	hdr->fsid = cpu_to_le64(sbi->fsid);
	hdr->blkno = cpu_to_le64(blkno);
	hdr->seq = cpu_to_le64(seq);
	set_bit(BLOCK_DIRTY, &bl->flags);
	set_bit(BLOCK_VERIFIED, &bl->flags);

	spin_lock(&bc->lock);
	/* a reused blkno: whatever was cached for it is stale */
	old = cache_find(bc, blkno);
	if (old)
		free_old = cache_remove(bc, old);
	refcount_inc(&bl->refcount); /* the cache's */
	cache_insert(bc, bl);
	refcount_inc(&bl->refcount); /* the dirty list's */
	list_add_tail(&bl->dirty_head, &bc->dirty);
	spin_unlock(&bc->lock);
	if (free_old)
		block_free(old);
	return bl;
}

void scoutfs_block_forget(struct super_block *sb, struct scoutfs_block *bl)
{
	struct scoutfs_block_cache *bc = BLOCK_CACHE(sb);
	bool dirty = false;

	spin_lock(&bc->lock);
	if (!list_empty(&bl->dirty_head)) {
		list_del_init(&bl->dirty_head);
		clear_bit(BLOCK_DIRTY, &bl->flags);
		dirty = true;
	}
	/* neither is the last reference: the caller has one */
	if (!RB_EMPTY_NODE(&bl->node))
		WARN_ON_ONCE(cache_remove(bc, bl));
	if (dirty)
		WARN_ON_ONCE(refcount_dec_and_test(&bl->refcount));
	spin_unlock(&bc->lock);
}

struct write_ctx {
	atomic_t pending;
	int err;
	struct completion done;
};

static void write_end_io(struct bio *bio)
{
	struct write_ctx *ctx = bio->bi_private;

	if (bio->bi_status)
		ctx->err = blk_status_to_errno(bio->bi_status);
	bio_put(bio);
	if (atomic_dec_and_test(&ctx->pending))
		complete(&ctx->done);
}

int scoutfs_block_write_dirty(struct super_block *sb)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	struct scoutfs_block_cache *bc = BLOCK_CACHE(sb);
	struct scoutfs_block_header *hdr;
	struct scoutfs_block *bl;
	struct scoutfs_block *tmp;
	struct write_ctx ctx;
	struct blk_plug plug;
	LIST_HEAD(list);
	struct bio *bio;

	spin_lock(&bc->lock);
	list_splice_init(&bc->dirty, &list);
	spin_unlock(&bc->lock);

	atomic_set(&ctx.pending, 1);
	ctx.err = 0;
	init_completion(&ctx.done);

	blk_start_plug(&plug);
	list_for_each_entry(bl, &list, dirty_head) {
		hdr = bl->data;
		hdr->crc = cpu_to_le32(scoutfs_block_crc(bl->data, SCOUTFS_BLOCK_LG_SIZE));
		bio = bio_alloc(sbi->meta_bdev, SCOUTFS_BLOCK_LG_SIZE / PAGE_SIZE,
				REQ_OP_WRITE, GFP_NOFS);
		bio->bi_iter.bi_sector = bl->blkno << (SCOUTFS_BLOCK_LG_SHIFT - 9);
		bio->bi_end_io = write_end_io;
		bio->bi_private = &ctx;
		add_page_vecs(bio, bl->data, SCOUTFS_BLOCK_LG_SIZE);
		atomic_inc(&ctx.pending);
		submit_bio(bio);
	}
	blk_finish_plug(&plug);
	if (!atomic_dec_and_test(&ctx.pending))
		wait_for_completion(&ctx.done);

	list_for_each_entry_safe(bl, tmp, &list, dirty_head) {
		list_del_init(&bl->dirty_head);
		clear_bit(BLOCK_DIRTY, &bl->flags);
		scoutfs_block_put(sb, bl);
	}

	if (ctx.err)
		scoutfs_err(sb, "error %d writing metadata blocks", ctx.err);
	return ctx.err;
}

int scoutfs_block_read_super(struct super_block *sb, struct block_device *bdev,
			     struct scoutfs_super_block *super)
{
	void *buf;
	int ret;

	buf = kmalloc(SCOUTFS_BLOCK_SM_SIZE, GFP_NOFS);
	if (!buf)
		return -ENOMEM;
	ret = sync_io(bdev, REQ_OP_READ, SCOUTFS_SUPER_BLKNO << (SCOUTFS_BLOCK_SM_SHIFT - 9),
		      buf, SCOUTFS_BLOCK_SM_SIZE);
	if (ret == 0) {
		memcpy(super, buf, sizeof(*super));
		/* the crc covers the whole 4 KiB block */
		if (le32_to_cpu(super->hdr.crc) != scoutfs_block_crc(buf, SCOUTFS_BLOCK_SM_SIZE))
			ret = -EBADMSG;
	}
	kfree(buf);
	return ret;
}

/*
 * The commit point: everything written before is made durable by the
 * preflush, the super itself by FUA.
 */
int scoutfs_block_write_super(struct super_block *sb,
			      const struct scoutfs_super_block *super)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	struct scoutfs_super_block *sup;
	void *buf;
	int ret;

	/* the commit point: too late to fail (one page, so __GFP_NOFAIL is fine) */
	buf = scoutfs_kzalloc(SCOUTFS_BLOCK_SM_SIZE, GFP_NOFS | __GFP_NOFAIL);
	memcpy(buf, super, sizeof(*super));
	sup = buf;
	sup->hdr.crc = cpu_to_le32(scoutfs_block_crc(buf, SCOUTFS_BLOCK_SM_SIZE));
	ret = sync_io(sbi->meta_bdev, REQ_OP_WRITE | REQ_SYNC | REQ_PREFLUSH | REQ_FUA,
		      SCOUTFS_SUPER_BLKNO << (SCOUTFS_BLOCK_SM_SHIFT - 9), buf,
		      SCOUTFS_BLOCK_SM_SIZE);
	kfree(buf);
	if (ret)
		scoutfs_err(sb, "error %d writing the super block", ret);
	return ret;
}

static unsigned long block_count(struct shrinker *shrink, struct shrink_control *sc)
{
	struct scoutfs_block_cache *bc = scoutfs_shrinker_private(shrink);

	return READ_ONCE(bc->nr_lru);
}

static unsigned long block_scan(struct shrinker *shrink, struct shrink_control *sc)
{
	struct scoutfs_block_cache *bc = scoutfs_shrinker_private(shrink);
	struct scoutfs_block *bl;
	struct scoutfs_block *tmp;
	unsigned long freed = 0;
	LIST_HEAD(dispose);

	spin_lock(&bc->lock);
	while (freed < sc->nr_to_scan && !list_empty(&bc->lru)) {
		bl = list_first_entry(&bc->lru, struct scoutfs_block, lru_head);
		/* off the lru now: its lru_head can chain it for freeing */
		if (cache_remove(bc, bl))
			list_add(&bl->lru_head, &dispose);
		freed++;
	}
	spin_unlock(&bc->lock);
	list_for_each_entry_safe(bl, tmp, &dispose, lru_head)
		block_free(bl);
	return freed;
}

int scoutfs_block_setup(struct super_block *sb)
{
	struct scoutfs_block_cache *bc;
	int ret;

	bc = kzalloc(sizeof(*bc), GFP_KERNEL);
	if (!bc)
		return -ENOMEM;
	bc->sb = sb;
	spin_lock_init(&bc->lock);
	bc->root = RB_ROOT;
	INIT_LIST_HEAD(&bc->lru);
	INIT_LIST_HEAD(&bc->dirty);
	bc->shrinker = scoutfs_shrinker_create(block_count, block_scan, bc, "scoutfs-blocks",
					       sb->s_id);
	if (IS_ERR(bc->shrinker)) {
		ret = PTR_ERR(bc->shrinker);
		kfree(bc);
		return ret;
	}
	SCOUTFS_SB(sb)->blocks = bc;
	return 0;
}

void scoutfs_block_destroy(struct super_block *sb)
{
	struct scoutfs_block_cache *bc = BLOCK_CACHE(sb);
	struct scoutfs_block *bl;
	struct scoutfs_block *tmp;
	struct rb_node *n;

	if (!bc)
		return;
	scoutfs_shrinker_destroy(bc->shrinker);
	/* dirty blocks of a failed commit are dropped */
	list_for_each_entry_safe(bl, tmp, &bc->dirty, dirty_head) {
		list_del_init(&bl->dirty_head);
		scoutfs_block_put(sb, bl);
	}
	while ((n = rb_first(&bc->root))) {
		bl = rb_entry(n, struct scoutfs_block, node);
		if (refcount_read(&bl->refcount) != 1)
			scoutfs_err(sb, "metadata block %llu still referenced at unmount", bl->blkno);
		if (cache_remove(bc, bl))
			block_free(bl);
	}
	kfree(bc);
	SCOUTFS_SB(sb)->blocks = NULL;
}
