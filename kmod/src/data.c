// SPDX-License-Identifier: GPL-2.0
/*
 * data.c: regular file contents: data extent items and the page cache.
 *
 * A file's blocks are described by DATA_EXTENT items keyed by the last
 * logical block and the length of each extent, so the extent containing
 * a block or the first one after it is one item_next() away.  An extent
 * maps its logical blocks onto consecutive 4 KiB blocks of the data
 * device; an UNWRITTEN extent (fallocate) has its blocks but reads as
 * zeros.  Logical blocks without an extent are holes.
 *
 * File data goes through the page cache with buffer heads on the data
 * device (one block per page).  Blocks are allocated, and unwritten
 * blocks converted, only where a page is made writable: in write_begin
 * and page_mkwrite, both with the transaction held before the page is
 * locked.  The inode is then tracked by the transaction so its dirty pages
 * are written before the extents that map them commit (ordered data).
 * Writeback therefore only ever writes blocks that are already mapped.
 *
 * Preallocation: a write that extends a file of at least PREALLOC_MIN
 * blocks allocates up to as many blocks again as the file has (at most
 * the data_prealloc_blocks mount option, 2048 by default) in one extent,
 * so a streaming writer pays for one allocation and one extent item per
 * chunk rather than per block.  The blocks past EOF are never part of
 * the file: a written extent's blocks at or past the block holding EOF
 * hold no data, and are mapped for a write as new blocks (zeroed where
 * the write doesn't cover them).  They are freed before anything else
 * grows the size over them (a write starting past EOF, truncate up,
 * fallocate), when a writer closes the file, and by truncate and
 * deletion; a crash can leave them past EOF, where they stay harmless
 * until one of those frees them.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mpage.h>
#include <linux/pagemap.h>
#include <linux/buffer_head.h>
#include <linux/falloc.h>
#include <linux/writeback.h>

#include "format.h"
#include "glue.h"
#include "rules.h"
#include "item_rules.h"
#include "super.h"
#include "item.h"
#include "trans.h"
#include "alloc.h"
#include "msg.h"
#include "inode.h"
#include "data.h"
#include "lock.h"

#define BLOCK_SHIFT	SCOUTFS_BLOCK_SM_SHIFT
#define MAX_BLOCKS	(SCOUTFS_MAX_FILE_SIZE >> BLOCK_SHIFT)
/* extents changed per transaction by truncate and fallocate */
#define EXTENT_BATCH	64
/* the most blocks fallocate asks the allocator for at once */
#define FALLOC_MAX_COUNT (1ULL << 20)
/* extending writes preallocate from this file size (blocks) on */
#define PREALLOC_MIN	16

struct ext {
	u64 start;	/* first logical block */
	u64 len;	/* blocks */
	u64 blkno;	/* first data device block, 0 when offline */
	u8 flags;
};

static u64 ext_last(const struct ext *ext)
{
	return ext->start + ext->len - 1;
}

/* the first block past the one holding EOF: no data lives at or past it */
static u64 eof_block(struct inode *inode)
{
	return DIV_ROUND_UP((u64)i_size_read(inode), 1ULL << BLOCK_SHIFT);
}

static void ext_key(struct scoutfs_key *key, u64 ino, u64 last, u64 len)
{
	scoutfs_key_init(key, SCOUTFS_KEY_ZONE_FS, ino,
			 SCOUTFS_FS_ITEM_TYPE_DATA_EXTENT, last, len, 0);
}

static int decode_ext(struct super_block *sb, u64 ino,
		      const struct scoutfs_key *key,
		      const struct scoutfs_data_extent *val, int val_len,
		      struct ext *ext)
{
	u64 total = le64_to_cpu(SCOUTFS_SB(sb)->super.total_data_blocks);
	u64 last = le64_to_cpu(key->second);
	u64 len = le64_to_cpu(key->third);
	const char *why = NULL;
	u64 bad = 0;

	ext->len = len;
	ext->start = last - len + 1;
	ext->blkno = le64_to_cpu(val->blkno);
	ext->flags = val->flags;

	if (val_len != sizeof(*val)) {
		why = "value length";
		bad = val_len;
	} else {
		/* the rules `scoutfs check` shares (item_rules.h, gen/rules.c) */
		why = scoutfs_extent_key_invalid(last, len, key->fourth, &bad);
		if (!why)
			why = scoutfs_data_extent_invalid(val, &bad);
		if (!why)
			why = scoutfs_extent_blocks_invalid(ext->blkno, len,
							    ext->flags, total, &bad);
	}

	if (why) {
		scoutfs_err(sb, "inode %llu data extent item (last %llu len %llu) is corrupt: %s, found %llu",
			    ino, last, len, why, bad);
		return -EFSCORRUPTED;
	}
	return 0;
}

/*
 * The inode's lock that the current task holds for its page cache work:
 * every entry point that reaches the extent items (read and write
 * iterators, faults, fallocate, setattr, close) takes it and records it
 * for the task (lock.h); the item calls check it covers the extents.
 */
static struct scoutfs_lock *data_lock(struct inode *inode)
{
	return scoutfs_lock_find_task(inode);
}

/*
 * Block mapping for reads and writeback can also start where no task of
 * ours took the lock (readahead(2), fadvise, the flusher): then use the
 * mount's granted lock, or ask for a READ grant.  Returns the lock taken
 * (registered for the task), NULL if the task had one, or an ERR_PTR.
 */
static struct scoutfs_lock *map_lock_get(struct inode *inode, struct scoutfs_lock_task *lt)
{
	struct scoutfs_lock *lock;
	int ret;

	if (scoutfs_lock_find_task(inode))
		return NULL;
	lock = scoutfs_lock_find_granted(inode, SCOUTFS_LOCK_READ, false);
	if (!lock) {
		ret = scoutfs_lock_inode(inode->i_sb, SCOUTFS_LOCK_READ, 0, inode, &lock);
		if (ret < 0)
			return ERR_PTR(ret);
	}
	scoutfs_lock_task_add(inode, lt, lock, SCOUTFS_LOCK_READ);
	return lock;
}

static void map_lock_put(struct inode *inode, struct scoutfs_lock_task *lt,
			 struct scoutfs_lock *lock)
{
	if (lock) {
		scoutfs_lock_task_del(inode, lt);
		scoutfs_unlock(inode->i_sb, lock, SCOUTFS_LOCK_READ);
	}
}

/* the extent containing iblock or else the first after it; -ENOENT */
static int next_ext(struct inode *inode, u64 iblock, struct ext *ext)
{
	struct super_block *sb = inode->i_sb;
	u64 ino = scoutfs_ino(inode);
	struct scoutfs_data_extent val;
	struct scoutfs_key last;
	struct scoutfs_key key;
	int ret;

	ext_key(&key, ino, iblock, 0);
	ext_key(&last, ino, U64_MAX, U64_MAX);
	last.fourth = U8_MAX;
	ret = scoutfs_item_next(sb, &key, &last, &val, sizeof(val), data_lock(inode));
	if (ret < 0)
		return ret;
	return decode_ext(sb, ino, &key, &val, ret, ext);
}

static int insert_ext(struct inode *inode, const struct ext *ext)
{
	struct scoutfs_data_extent val = {
		.blkno = cpu_to_le64(ext->blkno),
		.flags = ext->flags,
	};
	struct scoutfs_key key;

	ext_key(&key, scoutfs_ino(inode), ext_last(ext), ext->len);
	return scoutfs_item_create(inode->i_sb, &key, &val, sizeof(val), data_lock(inode));
}

static int delete_ext(struct inode *inode, const struct ext *ext)
{
	struct scoutfs_key key;

	ext_key(&key, scoutfs_ino(inode), ext_last(ext), ext->len);
	return scoutfs_item_delete(inode->i_sb, &key, data_lock(inode));
}

/* b continues a, logically and physically */
static bool ext_continues(const struct ext *a, const struct ext *b)
{
	return ext_last(a) + 1 == b->start && a->flags == b->flags &&
	       !(a->flags & SCOUTFS_EXTENT_FLAG_OFFLINE) &&
	       a->blkno + a->len == b->blkno;
}

/*
 * Insert an extent over a hole, merged with the neighbours it continues.
 * The merged item goes in before the neighbours' items go: a failure to
 * insert changes nothing, one to delete a neighbour aborts.  Call with
 * extent_rwsem held for writing.
 */
static int insert_ext_merged(struct inode *inode, const struct ext *ins)
{
	struct ext merged = *ins;
	struct ext prev;
	struct ext next;
	bool have_prev = false;
	bool have_next = false;
	int ret;

	if (ins->start > 0) {
		ret = next_ext(inode, ins->start - 1, &prev);
		if (ret < 0 && ret != -ENOENT)
			return ret;
		if (ret == 0 && ext_continues(&prev, ins)) {
			have_prev = true;
			merged.start = prev.start;
			merged.blkno = prev.blkno;
			merged.len += prev.len;
		}
	}

	ret = next_ext(inode, ext_last(ins) + 1, &next);
	if (ret < 0 && ret != -ENOENT)
		return ret;
	if (ret == 0 && ext_continues(ins, &next)) {
		have_next = true;
		merged.len += next.len;
	}

	ret = insert_ext(inode, &merged);
	if (ret < 0)
		return ret;
	if (have_prev)
		ret = delete_ext(inode, &prev);
	if (ret == 0 && have_next)
		ret = delete_ext(inode, &next);
	if (ret < 0)
		scoutfs_trans_abort(inode->i_sb, "merging data extents", ret);
	return ret;
}

static int get_block_read(struct inode *inode, sector_t iblock,
			  struct buffer_head *bh)
{
	struct scoutfs_inode_info *si = SCOUTFS_I(inode);
	unsigned int blkbits = inode->i_blkbits;
	u64 max = bh->b_size >> blkbits;
	struct scoutfs_lock_task lt;
	struct scoutfs_lock *lock;
	struct ext ext;
	u64 off;
	int ret;

	lock = map_lock_get(inode, &lt);
	if (IS_ERR(lock))
		return PTR_ERR(lock);
	down_read(&si->extent_rwsem);
	ret = next_ext(inode, iblock, &ext);
	up_read(&si->extent_rwsem);
	map_lock_put(inode, &lt, lock);

	if (ret == -ENOENT || (ret == 0 && ext.start > iblock) ||
	    (ret == 0 && (ext.flags & SCOUTFS_EXTENT_FLAG_UNWRITTEN))) {
		/* a hole or unwritten: reads as zeros */
		bh->b_size = 1 << blkbits;
		return 0;
	}
	if (ret < 0)
		return ret;
	if (ext.flags & SCOUTFS_EXTENT_FLAG_OFFLINE) {
		scoutfs_err(inode->i_sb, "inode %llu block %llu is offline; offline data is not supported yet",
			    scoutfs_ino(inode), (u64)iblock);
		return -EIO;
	}

	off = iblock - ext.start;
	map_bh(bh, inode->i_sb, ext.blkno + off);
	bh->b_size = min(max, ext.len - off) << blkbits;
	return 0;
}

/* map written blocks only; holes and unwritten blocks stay unmapped */
int scoutfs_get_block(struct inode *inode, sector_t iblock,
		      struct buffer_head *bh, int create)
{
	return get_block_read(inode, iblock, bh);
}

/*
 * Writeback: every dirty block was mapped when its page was made
 * writable, so an unmapped one inside the file is a bug; report it
 * rather than allocating without a transaction.
 */
static int get_block_writeback(struct inode *inode, sector_t iblock,
			       struct buffer_head *bh, int create)
{
	int ret;

	ret = get_block_read(inode, iblock, bh);
	if (ret == 0 && !buffer_mapped(bh) &&
	    ((loff_t)iblock << inode->i_blkbits) < i_size_read(inode)) {
		scoutfs_err(inode->i_sb, "inode %llu block %llu is dirty but not allocated in writeback",
			    scoutfs_ino(inode), (u64)iblock);
		ret = -EIO;
	}
	return ret;
}

/*
 * How many blocks to allocate for the hole at iblock: one, or for an
 * extending write to a file that has grown past PREALLOC_MIN blocks,
 * as many again as it has, up to the data_prealloc_blocks mount option
 * and the next extent, while free space is plentiful.  next_start is
 * U64_MAX without a next extent.
 */
static u64 alloc_want(struct inode *inode, u64 iblock, u64 next_start)
{
	u64 want;

	if (iblock < PREALLOC_MIN || iblock < eof_block(inode))
		return 1;
	want = min_t(u64, iblock,
		     SCOUTFS_SB(inode->i_sb)->opts.data_prealloc_blocks);
	want = min(want, next_start - iblock);
	want = min(want, MAX_BLOCKS - iblock);
	if (scoutfs_alloc_free_data_blocks(inode->i_sb) < (want << 4))
		return 1;
	return max_t(u64, want, 1);
}

/*
 * Allocate blocks for a hole starting at iblock, up to *count of them,
 * next to the previous extent if it can; *count returns how many.
 */
static int alloc_blocks(struct inode *inode, u64 iblock, u64 *blkno, u64 *count)
{
	struct super_block *sb = inode->i_sb;
	struct ext prev;
	struct ext ext;
	u64 hint = 0;
	int ret;

	if (iblock > 0) {
		ret = next_ext(inode, iblock - 1, &prev);
		if (ret < 0 && ret != -ENOENT)
			return ret;
		if (ret == 0 && ext_last(&prev) + 1 == iblock &&
		    !(prev.flags & SCOUTFS_EXTENT_FLAG_OFFLINE))
			hint = prev.blkno + prev.len;
	}

	ret = scoutfs_alloc_data(sb, hint, blkno, count);
	if (ret < 0)
		return ret;

	ext.start = iblock;
	ext.len = *count;
	ext.blkno = *blkno;
	ext.flags = 0;
	ret = insert_ext_merged(inode, &ext);
	if (ret < 0) {
		if (scoutfs_free_data(sb, *blkno, *count) < 0)
			scoutfs_trans_abort(sb, "allocating file blocks", ret);
		return ret;
	}
	scoutfs_inode_add_blocks(inode, *count);
	if (*count > 1)
		set_bit(SCOUTFS_INO_STATE_PREALLOC, &SCOUTFS_I(inode)->state);
	return 0;
}

/*
 * Make one block of an unwritten extent written: it splits into up to
 * three extents.  The old item goes first (its key may be reused); on a
 * failure it is put back, or else the mount aborts.
 */
static int convert_block(struct inode *inode, const struct ext *ext, u64 iblock)
{
	struct ext left = *ext;
	struct ext right = *ext;
	struct ext mid;
	int ret;

	left.len = iblock - ext->start;
	mid.start = iblock;
	mid.len = 1;
	mid.blkno = ext->blkno + left.len;
	mid.flags = 0;
	right.start = iblock + 1;
	right.len = ext_last(ext) - iblock;
	right.blkno = mid.blkno + 1;

	ret = delete_ext(inode, ext);
	if (ret < 0)
		return ret;
	if (left.len) {
		ret = insert_ext(inode, &left);
		if (ret < 0)
			goto restore;
	}
	if (right.len) {
		ret = insert_ext(inode, &right);
		if (ret < 0)
			goto del_left;
	}
	ret = insert_ext_merged(inode, &mid);
	if (ret == 0)
		return 0;

	if (right.len && delete_ext(inode, &right) < 0)
		goto abort;
del_left:
	if (left.len && delete_ext(inode, &left) < 0)
		goto abort;
restore:
	if (insert_ext(inode, ext) < 0)
		goto abort;
	return ret;
abort:
	scoutfs_trans_abort(inode->i_sb, "writing into an unwritten extent", ret);
	return ret;
}

/*
 * Map a block for writing, allocating a hole or converting an unwritten
 * block; such blocks come back buffer_new so the page cache zeroes what
 * the write doesn't cover, as do preallocated blocks past EOF.  Call
 * with the transaction held.
 */
static int get_block_write(struct inode *inode, sector_t iblock,
			   struct buffer_head *bh, int create)
{
	struct super_block *sb = inode->i_sb;
	struct scoutfs_inode_info *si = SCOUTFS_I(inode);
	bool changed = false;
	bool fresh = false;
	struct ext ext;
	u64 count;
	u64 blkno;
	int ret;

	if (iblock >= MAX_BLOCKS)
		return -EFBIG;

	down_write(&si->extent_rwsem);
	ret = next_ext(inode, iblock, &ext);
	if (ret == 0 && ext.start <= iblock) {
		if (ext.flags & SCOUTFS_EXTENT_FLAG_OFFLINE) {
			scoutfs_err(sb, "inode %llu block %llu is offline; offline data is not supported yet",
				    scoutfs_ino(inode), (u64)iblock);
			ret = -EIO;
		} else if (ext.flags & SCOUTFS_EXTENT_FLAG_UNWRITTEN) {
			ret = convert_block(inode, &ext, iblock);
			blkno = ext.blkno + (iblock - ext.start);
			changed = true;
		} else {
			blkno = ext.blkno + (iblock - ext.start);
			/* preallocated: the write past EOF grows the size */
			fresh = iblock >= eof_block(inode);
		}
	} else if (ret == 0 || ret == -ENOENT) {
		count = alloc_want(inode, iblock, ret == 0 ? ext.start : U64_MAX);
		ret = alloc_blocks(inode, iblock, &blkno, &count);
		changed = true;
	}
	up_write(&si->extent_rwsem);
	if (ret < 0)
		return ret;

	map_bh(bh, sb, blkno);
	bh->b_size = 1 << inode->i_blkbits;
	if (changed || fresh) {
		set_buffer_new(bh);
		scoutfs_trans_track_inode(sb, inode);
	}
	/* a fresh block's write grows the size: write_end updates the item */
	if (changed)
		ret = scoutfs_update_inode_item(inode, SCOUTFS_UPD_DATA, data_lock(inode));
	return ret;
}

int scoutfs_data_free_extent_item(struct super_block *sb, u64 ino,
				  struct scoutfs_key *key,
				  struct scoutfs_data_extent *val, int val_len)
{
	struct ext ext;
	int ret;

	ret = decode_ext(sb, ino, key, val, val_len, &ext);
	if (ret == 0 && !(ext.flags & SCOUTFS_EXTENT_FLAG_OFFLINE))
		ret = scoutfs_free_data(sb, ext.blkno, ext.len);
	return ret;
}

/*
 * Free the blocks from block first on, some extents per transaction;
 * with written_only, only written extents' blocks (the preallocation
 * past EOF), keeping unwritten (fallocated) and offline ones.  Returns
 * the number of blocks freed.  Call with i_rwsem held, pages past first
 * already gone and the transaction not held.
 */
static s64 free_blocks_from(struct inode *inode, u64 first, bool written_only)
{
	struct super_block *sb = inode->i_sb;
	struct scoutfs_inode_info *si = SCOUTFS_I(inode);
	u64 pos = first;
	bool done = false;
	s64 freed = 0;
	struct ext keep;
	struct ext ext;
	u64 nr;
	int ret;
	int err;
	int n;

	while (!done) {
		ret = scoutfs_hold_trans_freeing(sb);
		if (ret < 0)
			return ret;

		down_write(&si->extent_rwsem);
		for (n = 0; n < EXTENT_BATCH; n++) {
			ret = next_ext(inode, pos, &ext);
			if (ret == -ENOENT) {
				ret = 0;
				done = true;
				break;
			}
			if (ret < 0)
				break;
			if (written_only && ext.flags) {
				pos = ext_last(&ext) + 1;
				continue;
			}

			if (ext.start >= first) {
				nr = ext.len;
				ret = delete_ext(inode, &ext);
			} else {
				keep = ext;
				keep.len = first - ext.start;
				nr = ext.len - keep.len;
				ret = insert_ext(inode, &keep);
				if (ret == 0) {
					ret = delete_ext(inode, &ext);
					if (ret < 0)
						scoutfs_trans_abort(sb, "freeing file blocks", ret);
				}
			}
			if (ret < 0)
				break;
			if (!(ext.flags & SCOUTFS_EXTENT_FLAG_OFFLINE)) {
				ret = scoutfs_free_data(sb, ext.blkno + ext.len - nr, nr);
				scoutfs_inode_add_blocks(inode, -(s64)nr);
				freed += nr;
				if (ret < 0) {
					scoutfs_trans_abort(sb, "freeing file blocks", ret);
					break;
				}
			}
		}
		up_write(&si->extent_rwsem);

		if (done && !written_only)
			si->flags &= ~SCOUTFS_INO_FLAG_TRUNCATE;
		err = 0;
		if (!written_only || freed)
			err = scoutfs_update_inode_item(inode, 0, data_lock(inode));
		scoutfs_release_trans(sb);
		if (ret < 0 || err < 0)
			return ret ?: err;
	}
	return freed;
}

/*
 * Free the blocks past size (rounded up to a block) and clear the
 * inode's TRUNCATE flag when done.
 */
int scoutfs_data_truncate_extents(struct inode *inode, u64 size)
{
	s64 ret;

	ret = free_blocks_from(inode, DIV_ROUND_UP(size, 1ULL << BLOCK_SHIFT), false);
	if (ret >= 0)
		clear_bit(SCOUTFS_INO_STATE_PREALLOC, &SCOUTFS_I(inode)->state);
	return ret < 0 ? ret : 0;
}

/*
 * Free the written blocks past EOF: preallocation, from this mount or
 * left by a crash.  Call with i_rwsem held before the size grows by any
 * means but a write into them, and when a writer closes the file.
 */
int scoutfs_data_trim_prealloc(struct inode *inode)
{
	struct scoutfs_inode_info *si = SCOUTFS_I(inode);
	struct ext ext;
	s64 ret;

	if (!S_ISREG(inode->i_mode))
		return 0;
	/* nothing past EOF at all: the common case costs one lookup */
	down_read(&si->extent_rwsem);
	ret = next_ext(inode, eof_block(inode), &ext);
	up_read(&si->extent_rwsem);
	if (ret == -ENOENT)
		ret = 0;
	else if (ret == 0)
		ret = free_blocks_from(inode, eof_block(inode), true);
	if (ret >= 0)
		clear_bit(SCOUTFS_INO_STATE_PREALLOC, &si->state);
	return ret < 0 ? ret : 0;
}

/* whether closing a writer has preallocation to trim */
bool scoutfs_data_has_prealloc(struct inode *inode)
{
	return test_bit(SCOUTFS_INO_STATE_PREALLOC, &SCOUTFS_I(inode)->state);
}

/*
 * The written blocks past EOF, which st_blocks leaves out: extending
 * writes preallocate them (or a crash left them), they hold no data and
 * go at close, as ext4 keeps its preallocation out of i_blocks.
 * Unwritten (fallocated) blocks past EOF do count, as on ext4.  Only
 * extending writes add written blocks past EOF (and set the PREALLOC
 * bit), so once a look finds none the next ones cost nothing.
 */
u64 scoutfs_data_blocks_past_eof(struct inode *inode)
{
	struct scoutfs_inode_info *si = SCOUTFS_I(inode);
	struct scoutfs_lock_task lt;
	struct scoutfs_lock *lock;
	struct ext ext;
	u64 count = 0;
	u64 first;
	u64 pos;
	int ret;

	if (test_bit(SCOUTFS_INO_STATE_NONE_PAST_EOF, &si->state) &&
	    !test_bit(SCOUTFS_INO_STATE_PREALLOC, &si->state))
		return 0;

	lock = map_lock_get(inode, &lt);
	if (IS_ERR(lock))
		return 0;
	down_read(&si->extent_rwsem);
	first = eof_block(inode);
	pos = first;
	while ((ret = next_ext(inode, pos, &ext)) == 0) {
		if (!ext.flags)
			count += ext_last(&ext) + 1 - max(ext.start, first);
		pos = ext_last(&ext) + 1;
	}
	up_read(&si->extent_rwsem);
	map_lock_put(inode, &lt, lock);

	/* on an error the blocks show as they are (the lookup logged it) */
	if (ret != -ENOENT)
		return 0;
	if (count == 0)
		set_bit(SCOUTFS_INO_STATE_NONE_PAST_EOF, &si->state);
	return count;
}

/* zero the part of the block past a new, smaller size */
/*
 * Zero the bytes from size to the end of its block in the page cache.
 * Every size change calls it, at the new size when shrinking and at the
 * old size when growing, and the caller tracks the inode in the hold that
 * changes the size (scoutfs_trans_track_inode()), so the zeroed page is
 * written before that size commits: after a power cut no old bytes show
 * between EOF and the end of its block (left by a shrink whose zeroed page
 * missed the commit, or by write-back of bytes past an EOF that never
 * committed) once the file grows over them.
 */
int scoutfs_data_zero_tail(struct inode *inode, loff_t size)
{
	return block_truncate_page(inode->i_mapping, size, scoutfs_get_block);
}

static int scoutfs_read_folio(struct file *file, struct folio *folio)
{
	return block_read_full_folio(folio, scoutfs_get_block);
}

/*
 * Readahead started by a task of ours runs under the lock it holds.  Any
 * other (readahead(2), fadvise, madvise, the kernel's own) never waits
 * for a lock, and holds the mount's granted mode for the whole of it, so
 * an invalidation that drops the pages waits for it to end and then for
 * its folios' reads; one that finds the mode being taken away reads
 * nothing (its folios are read later, under the lock).  Otherwise its
 * folios, read with the old extents, could land in the page cache after
 * the drop, and stay there stale once another mount writes.
 */
static void scoutfs_readahead(struct readahead_control *rac)
{
	struct inode *inode = rac->mapping->host;
	struct scoutfs_lock_task lt;
	struct scoutfs_lock *lock = NULL;

	if (!scoutfs_lock_find_task(inode)) {
		lock = scoutfs_lock_find_granted(inode, SCOUTFS_LOCK_READ, true);
		if (!lock)
			return;
		scoutfs_lock_task_add(inode, &lt, lock, SCOUTFS_LOCK_READ);
	}
	mpage_readahead(rac, scoutfs_get_block);
	map_lock_put(inode, &lt, lock);
}

static int scoutfs_writepages(struct address_space *mapping,
			      struct writeback_control *wbc)
{
	return mpage_writepages(mapping, wbc, get_block_writeback);
}

/* a failed or short write may have allocated blocks past the size */
static void write_failed(struct inode *inode, loff_t end)
{
	loff_t size = i_size_read(inode);
	int ret;

	if (end <= size)
		return;
	truncate_pagecache(inode, size);
	ret = scoutfs_data_truncate_extents(inode, size);
	if (ret < 0)
		scoutfs_err(inode->i_sb, "inode %llu: freeing blocks of a failed write failed: %d",
			    scoutfs_ino(inode), ret);
}

static int scoutfs_write_begin(struct file *file,
			       struct address_space *mapping, loff_t pos,
			       unsigned int len, struct scoutfs_wb_folio **foliop,
			       void **fsdata)
{
	struct inode *inode = mapping->host;
	struct super_block *sb = inode->i_sb;
	int ret;

	/* held until write_end */
	ret = scoutfs_hold_trans(sb);
	if (ret < 0)
		return ret;
	ret = block_write_begin(mapping, pos, len, foliop, get_block_write);
	if (ret < 0) {
		scoutfs_release_trans(sb);
		write_failed(inode, pos + len);
	}
	return ret;
}

static int scoutfs_write_end(struct file *file, struct address_space *mapping,
			     loff_t pos, unsigned int len, unsigned int copied,
			     struct scoutfs_wb_folio *folio, void *fsdata)
{
	struct inode *inode = mapping->host;
	struct super_block *sb = inode->i_sb;
	loff_t old_size = i_size_read(inode);
	int ret;
	int err;

	ret = generic_write_end(file, mapping, pos, len, copied, folio, fsdata);
	if (i_size_read(inode) != old_size ||
	    SCOUTFS_I(inode)->data_seq != scoutfs_trans_seq(sb)) {
		err = scoutfs_update_inode_item(inode, SCOUTFS_UPD_DATA, data_lock(inode));
		if (err < 0)
			ret = err;
	}
	scoutfs_release_trans(sb);
	if (ret < (int)len)
		write_failed(inode, pos + len);
	return ret;
}

static vm_fault_t scoutfs_page_mkwrite(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct inode *inode = file_inode(vma->vm_file);
	struct super_block *sb = inode->i_sb;
	struct scoutfs_lock_task lt;
	struct scoutfs_lock *lock;
	int ret;

	sb_start_pagefault(sb);
	ret = scoutfs_lock_inode_task(inode, SCOUTFS_LOCK_WRITE, &lt, &lock);
	if (ret < 0)
		goto out;
	file_update_time(vma->vm_file);

	ret = scoutfs_hold_trans(sb);
	if (ret == 0) {
		ret = block_page_mkwrite(vma, vmf, get_block_write);
		if (ret == 0) {
			ret = scoutfs_update_inode_item(inode, SCOUTFS_UPD_DATA |
							SCOUTFS_UPD_DATA_VERSION, lock);
			if (ret < 0)
				unlock_page(vmf->page);
		}
		scoutfs_release_trans(sb);
	}
	scoutfs_unlock_inode_task(inode, SCOUTFS_LOCK_WRITE, &lt, lock);
out:
	sb_end_pagefault(sb);
	return vmf_fs_error(ret);
}

/* a fault that reads the file maps its blocks under the inode's READ lock */
static vm_fault_t scoutfs_fault(struct vm_fault *vmf)
{
	struct inode *inode = file_inode(vmf->vma->vm_file);
	struct scoutfs_lock_task lt;
	struct scoutfs_lock *lock;
	vm_fault_t vmret;
	int ret;

	ret = scoutfs_lock_inode_task(inode, SCOUTFS_LOCK_READ, &lt, &lock);
	if (ret < 0)
		return vmf_fs_error(ret);
	vmret = filemap_fault(vmf);
	scoutfs_unlock_inode_task(inode, SCOUTFS_LOCK_READ, &lt, lock);
	return vmret;
}

const struct vm_operations_struct scoutfs_file_vm_ops = {
	.fault		= scoutfs_fault,
	.map_pages	= filemap_map_pages,
	.page_mkwrite	= scoutfs_page_mkwrite,
};

/*
 * Give the holes in [iblock, last] unwritten extents, some per
 * transaction.  Call with i_rwsem held.
 */
static int alloc_unwritten(struct inode *inode, u64 iblock, u64 last)
{
	struct super_block *sb = inode->i_sb;
	struct scoutfs_inode_info *si = SCOUTFS_I(inode);
	struct ext ext;
	struct ext ins;
	u64 hint = 0;
	u64 count;
	int ret = 0;
	int err;
	int n;

	while (iblock <= last) {
		ret = scoutfs_hold_trans(sb);
		if (ret < 0)
			return ret;

		down_write(&si->extent_rwsem);
		for (n = 0; n < EXTENT_BATCH && iblock <= last; n++) {
			ret = next_ext(inode, iblock, &ext);
			if (ret < 0 && ret != -ENOENT)
				break;
			if (ret == 0 && ext.start <= iblock) {
				/* already allocated (or offline) */
				hint = ext.blkno + ext.len;
				iblock = ext_last(&ext) + 1;
				ret = 0;
				continue;
			}
			count = last - iblock + 1;
			if (ret == 0)
				count = min(count, ext.start - iblock);
			count = min_t(u64, count, FALLOC_MAX_COUNT);

			ret = scoutfs_alloc_data(sb, hint, &ins.blkno, &count);
			if (ret < 0)
				break;
			ins.start = iblock;
			ins.len = count;
			ins.flags = SCOUTFS_EXTENT_FLAG_UNWRITTEN;
			ret = insert_ext_merged(inode, &ins);
			if (ret < 0) {
				if (scoutfs_free_data(sb, ins.blkno, count) < 0)
					scoutfs_trans_abort(sb, "fallocate", ret);
				break;
			}
			scoutfs_inode_add_blocks(inode, count);
			hint = ins.blkno + count;
			iblock += count;
		}
		up_write(&si->extent_rwsem);

		inode_set_ctime_current(inode);
		err = scoutfs_update_inode_item(inode, 0, data_lock(inode));
		scoutfs_release_trans(sb);
		if (ret < 0 || err < 0)
			return ret ?: err;
	}
	return 0;
}

/*
 * fallocate: mode 0 and KEEP_SIZE.  The new blocks are unwritten (they
 * read as zeros until written).  Growing the size bumps data_version.
 */
long scoutfs_fallocate(struct file *file, int mode, loff_t offset, loff_t len)
{
	struct inode *inode = file_inode(file);
	struct super_block *sb = inode->i_sb;
	struct scoutfs_lock_task lt;
	struct scoutfs_lock *lock;
	loff_t end = offset + len;
	int ret;

	if (mode & ~FALLOC_FL_KEEP_SIZE)
		return -EOPNOTSUPP;
	if (!S_ISREG(inode->i_mode))
		return -ENODEV;
	if (offset < 0 || len <= 0)
		return -EINVAL;
	if (end > SCOUTFS_MAX_FILE_SIZE || end < offset)
		return -EFBIG;

	inode_lock(inode);
	ret = scoutfs_lock_inode_task(inode, SCOUTFS_LOCK_WRITE, &lt, &lock);
	if (ret < 0)
		goto unlock;
	/* growing the size obeys RLIMIT_FSIZE (EFBIG and SIGXFSZ) */
	if (!(mode & FALLOC_FL_KEEP_SIZE) && end > i_size_read(inode)) {
		ret = inode_newsize_ok(inode, end);
		if (ret)
			goto out;
	}
	ret = file_remove_privs(file);
	if (ret)
		goto out;
	/* preallocated blocks must not end up inside the size */
	if (end > i_size_read(inode)) {
		ret = scoutfs_data_trim_prealloc(inode);
		if (ret)
			goto out;
	}
	if (!(mode & FALLOC_FL_KEEP_SIZE) && end > i_size_read(inode)) {
		ret = scoutfs_data_zero_tail(inode, i_size_read(inode));
		if (ret)
			goto out;
	}

	ret = alloc_unwritten(inode, offset >> BLOCK_SHIFT,
			      (end - 1) >> BLOCK_SHIFT);
	if (ret < 0)
		goto out;

	if (!(mode & FALLOC_FL_KEEP_SIZE) && end > i_size_read(inode)) {
		ret = scoutfs_hold_trans(sb);
		if (ret < 0)
			goto out;
		scoutfs_trans_track_inode(sb, inode);
		i_size_write(inode, end);
		inode_set_mtime_to_ts(inode, inode_set_ctime_current(inode));
		ret = scoutfs_update_inode_item(inode, SCOUTFS_UPD_DATA_VERSION, lock);
		scoutfs_release_trans(sb);
	}
out:
	scoutfs_unlock_inode_task(inode, SCOUTFS_LOCK_WRITE, &lt, lock);
unlock:
	inode_unlock(inode);
	return ret;
}

const struct address_space_operations scoutfs_aops = {
	.dirty_folio		= block_dirty_folio,
	.invalidate_folio	= block_invalidate_folio,
	.read_folio		= scoutfs_read_folio,
	.readahead		= scoutfs_readahead,
	.writepages		= scoutfs_writepages,
	.write_begin		= scoutfs_write_begin,
	.write_end		= scoutfs_write_end,
	.migrate_folio		= buffer_migrate_folio,
	.is_partially_uptodate	= block_is_partially_uptodate,
	SCOUTFS_AOPS_ERROR_REMOVE,
};
