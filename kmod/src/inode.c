// SPDX-License-Identifier: GPL-2.0
/*
 * inode.c: VFS inodes and their items.
 *
 * An inode is its INODE item plus its index items: one META_SEQ item for
 * every inode and one DATA_SEQ item for regular files, each keyed by the
 * seq of the transaction in which the inode last changed (in metadata,
 * or in contents or size).  Every change to an inode is written to its
 * item at once, under the caller's transaction hold, by
 * scoutfs_update_inode_item(), which also moves the index items: the new
 * one is inserted and the old one deleted in the same transaction, so a
 * live inode always has exactly one entry per index, at its latest seq.
 *
 * An inode whose link count reaches zero gets an ORPHAN item.  Its items
 * are deleted and its data blocks freed when the last reference to it
 * goes (evict), in several transactions for large files; the orphan item
 * goes last, so after a crash the mount finds the inode again and
 * finishes the job (scoutfs_orphan_recover()), and a deletion that failed
 * (a full volume, an I/O error) is retried by the periodic orphan scan.
 */
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/pagemap.h>
#include <linux/workqueue.h>

#include "format.h"
#include "glue.h"
#include "rules.h"
#include "item_rules.h"
#include "super.h"
#include "item.h"
#include "trans.h"
#include "msg.h"
#include "inode.h"
#include "server.h"
#include "dir.h"
#include "file.h"
#include "data.h"
#include "xattr.h"
#include "symlink.h"
#include "lock.h"
#include "client.h"
#include "counters.h"

/* items deleted per transaction when deleting an inode */
#define DELETE_BATCH	256

static struct kmem_cache *scoutfs_inode_cachep;

struct inode *scoutfs_alloc_inode(struct super_block *sb)
{
	struct scoutfs_inode_info *si;

	if (scoutfs_alloc_fault(GFP_NOFS))
		return NULL;
	si = alloc_inode_sb(sb, scoutfs_inode_cachep, GFP_NOFS);
	if (!si)
		return NULL;
	si->state = 0;
	return &si->inode;
}

void scoutfs_free_inode(struct inode *inode)
{
	kmem_cache_free(scoutfs_inode_cachep, SCOUTFS_I(inode));
}

static void inode_key(struct scoutfs_key *key, u64 ino)
{
	scoutfs_key_init(key, SCOUTFS_KEY_ZONE_FS, ino,
			 SCOUTFS_FS_ITEM_TYPE_INODE, 0, 0, 0);
}

static void index_key(struct scoutfs_key *key, u8 type, u64 seq, u64 ino)
{
	scoutfs_key_init(key, SCOUTFS_KEY_ZONE_INODE_INDEX, 0, type, seq,
			 ino, 0);
}

static void orphan_key(struct scoutfs_key *key, u64 ino)
{
	scoutfs_key_init(key, SCOUTFS_KEY_ZONE_ORPHAN, 0,
			 SCOUTFS_ORPHAN_ITEM_TYPE_ORPHAN, ino, 0, 0);
}

/*
 * Index and orphan items are changed blindly under WRITE_ONLY locks, which
 * every writing mount holds at once; see lock.h for why taking them while
 * holding the transaction is safe.
 */
static int set_index_item(struct super_block *sb, u8 type, u64 seq, u64 ino)
{
	struct scoutfs_lock *lock;
	struct scoutfs_key key;
	int ret;

	ret = scoutfs_lock_index(sb, SCOUTFS_LOCK_WRITE_ONLY, type, seq, &lock);
	if (ret < 0)
		return ret;
	index_key(&key, type, seq, ino);
	ret = scoutfs_item_set(sb, &key, NULL, 0, lock);
	scoutfs_unlock(sb, lock, SCOUTFS_LOCK_WRITE_ONLY);
	return ret;
}

static int del_index_item(struct super_block *sb, u8 type, u64 seq, u64 ino)
{
	struct scoutfs_lock *lock;
	struct scoutfs_key key;
	int ret;

	ret = scoutfs_lock_index(sb, SCOUTFS_LOCK_WRITE_ONLY, type, seq, &lock);
	if (ret < 0)
		return ret;
	index_key(&key, type, seq, ino);
	ret = scoutfs_item_delete_force(sb, &key, lock);
	scoutfs_unlock(sb, lock, SCOUTFS_LOCK_WRITE_ONLY);
	return ret;
}

static int orphan_change(struct super_block *sb, u64 ino, bool add)
{
	struct scoutfs_lock *lock;
	struct scoutfs_key key;
	int ret;

	ret = scoutfs_lock_orphans(sb, SCOUTFS_LOCK_WRITE_ONLY, &lock);
	if (ret < 0)
		return ret;
	orphan_key(&key, ino);
	ret = add ? scoutfs_item_set(sb, &key, NULL, 0, lock) :
		    scoutfs_item_delete_force(sb, &key, lock);
	scoutfs_unlock(sb, lock, SCOUTFS_LOCK_WRITE_ONLY);
	return ret;
}

int scoutfs_orphan_add(struct super_block *sb, u64 ino)
{
	return orphan_change(sb, ino, true);
}

int scoutfs_orphan_del(struct super_block *sb, u64 ino)
{
	return orphan_change(sb, ino, false);
}

static void ts_to_cpu(struct scoutfs_timespec_cpu *c, struct timespec64 ts)
{
	c->sec = ts.tv_sec;
	c->nsec = ts.tv_nsec;
}

static struct timespec64 ts_from_cpu(const struct scoutfs_timespec_cpu *c)
{
	return (struct timespec64){ .tv_sec = c->sec, .tv_nsec = c->nsec };
}

/* fill an inode item from the inode; the caller serialises */
static void store_inode(struct scoutfs_inode_item *item, struct inode *inode)
{
	struct scoutfs_inode_info *si = SCOUTFS_I(inode);
	struct scoutfs_inode_item_cpu c;

	c.size = i_size_read(inode);
	c.meta_seq = si->meta_seq;
	c.data_seq = si->data_seq;
	c.data_version = si->data_version;
	c.online_blocks = si->online_blocks;
	c.offline_blocks = si->offline_blocks;
	c.next_readdir_pos = si->next_readdir_pos;
	c.next_xattr_id = si->next_xattr_id;
	c.version = si->version;
	c.proj = si->proj;
	c.nlink = inode->i_nlink;
	c.uid = i_uid_read(inode);
	c.gid = i_gid_read(inode);
	c.mode = inode->i_mode;
	c.rdev = new_encode_dev(inode->i_rdev);
	c.flags = si->flags;
	ts_to_cpu(&c.atime, inode_get_atime(inode));
	ts_to_cpu(&c.ctime, inode_get_ctime(inode));
	ts_to_cpu(&c.mtime, inode_get_mtime(inode));
	ts_to_cpu(&c.crtime, si->crtime);
	scoutfs_inode_item_to_disk(item, &c);
}

/*
 * Does the inode have an orphan item?  1, 0 or an errno.  Only reads of
 * unlinked inodes ask, rarely: the orphan zone's READ lock is worth it.
 */
static int orphan_exists(struct super_block *sb, u64 ino)
{
	struct scoutfs_lock *lock;
	struct scoutfs_key key;
	int ret;

	ret = scoutfs_lock_orphans(sb, SCOUTFS_LOCK_READ, &lock);
	if (ret < 0)
		return ret;
	orphan_key(&key, ino);
	ret = scoutfs_item_lookup(sb, &key, NULL, 0, lock);
	scoutfs_unlock(sb, lock, SCOUTFS_LOCK_READ);
	if (ret == -ENOENT)
		return 0;
	return ret < 0 ? ret : 1;
}

static void set_inode_ops(struct inode *inode)
{
	switch (inode->i_mode & S_IFMT) {
	case S_IFREG:
		inode->i_op = &scoutfs_file_iops;
		inode->i_fop = &scoutfs_file_fops;
		inode->i_mapping->a_ops = &scoutfs_aops;
		break;
	case S_IFDIR:
		inode->i_op = &scoutfs_dir_iops;
		inode->i_fop = &scoutfs_dir_fops;
		break;
	case S_IFLNK:
		inode->i_op = &scoutfs_symlink_iops;
		inode_nohighmem(inode);
		break;
	default:
		inode->i_op = &scoutfs_special_iops;
		init_special_inode(inode, inode->i_mode, inode->i_rdev);
		break;
	}
}

static void load_inode(struct inode *inode, const struct scoutfs_inode_item_cpu *c)
{
	struct scoutfs_inode_info *si = SCOUTFS_I(inode);

	inode->i_mode = c->mode;
	i_uid_write(inode, c->uid);
	i_gid_write(inode, c->gid);
	set_nlink(inode, c->nlink);
	i_size_write(inode, c->size);
	inode->i_rdev = new_decode_dev(c->rdev);
	inode_set_atime_to_ts(inode, ts_from_cpu(&c->atime));
	inode_set_mtime_to_ts(inode, ts_from_cpu(&c->mtime));
	inode_set_ctime_to_ts(inode, ts_from_cpu(&c->ctime));
	si->crtime = ts_from_cpu(&c->crtime);
	si->meta_seq = c->meta_seq;
	si->data_seq = c->data_seq;
	si->data_version = c->data_version;
	si->online_blocks = c->online_blocks;
	si->offline_blocks = c->offline_blocks;
	si->next_readdir_pos = c->next_readdir_pos;
	si->next_xattr_id = c->next_xattr_id;
	si->version = c->version;
	si->proj = c->proj;
	si->flags = c->flags;
	inode->i_blocks = c->online_blocks << (SCOUTFS_BLOCK_SM_SHIFT - 9);
	set_inode_ops(inode);
}

/*
 * Read the inode item: -ENOENT if there's none, -EFSCORRUPTED if it
 * breaks a rule.  An unlinked inode must have its orphan item, or its
 * eviction would delete the items of an inode a directory still names.
 */
static int read_inode_item(struct super_block *sb, u64 ino,
			   struct scoutfs_inode_item_cpu *c, struct scoutfs_lock *lock,
			   bool check_orphan)
{
	struct scoutfs_inode_item item;
	struct scoutfs_key key;
	const char *why;
	u64 bad = 0;
	int ret;

	inode_key(&key, ino);
	ret = scoutfs_item_lookup(sb, &key, &item, sizeof(item), lock);
	if (ret < 0)
		return ret;
	if (ret != sizeof(item)) {
		scoutfs_err(sb, "inode %llu item has %d value bytes, expected %zu",
			    ino, ret, sizeof(item));
		return -EFSCORRUPTED;
	}
	why = scoutfs_inode_item_invalid(&item, &bad);
	if (why)
		goto corrupt;
	scoutfs_inode_item_to_cpu(c, &item);
	/* the rules between fields, which `scoutfs check` keeps too */
	why = scoutfs_inode_fields_invalid(c->mode, c->flags, c->size,
					   c->next_readdir_pos, c->nlink, &bad);
	if (why)
		goto corrupt;
	if (c->nlink == 0 && check_orphan) {
		ret = orphan_exists(sb, ino);
		if (ret < 0)
			return ret;
		why = scoutfs_inode_orphan_invalid(c->nlink, ret, &bad);
		if (why)
			goto corrupt;
	}
	return 0;

corrupt:
	scoutfs_err(sb, "inode %llu item is corrupt: %s, found %llu (0x%llx)",
		    ino, why, bad, bad);
	return -EFSCORRUPTED;
}

/*
 * An inode whose shrinking truncate was interrupted by a crash still has
 * extents past its size: free them now.
 */
static void finish_truncate(struct inode *inode)
{
	struct super_block *sb = inode->i_sb;
	struct scoutfs_lock_task lt;
	struct scoutfs_lock *lock;
	int ret;

	inode_lock(inode);
	ret = scoutfs_lock_inode_task(inode, SCOUTFS_LOCK_WRITE, &lt, &lock);
	if (ret == 0) {
		if (SCOUTFS_I(inode)->flags & SCOUTFS_INO_FLAG_TRUNCATE)
			ret = scoutfs_data_truncate_extents(inode, i_size_read(inode));
		scoutfs_unlock_inode_task(inode, SCOUTFS_LOCK_WRITE, &lt, lock);
	}
	if (ret < 0)
		scoutfs_err(sb, "inode %llu: finishing an interrupted truncate failed: %d",
			    scoutfs_ino(inode), ret);
	inode_unlock(inode);
}

/*
 * After a new grant of the inode's lock: what another mount changed is
 * in the item.  The in-memory atime may be newer (atime alone isn't
 * written).
 */
int scoutfs_inode_refresh(struct inode *inode, struct scoutfs_lock *lock)
{
	struct scoutfs_inode_info *si = SCOUTFS_I(inode);
	struct scoutfs_inode_item_cpu c;
	struct timespec64 atime;
	struct timespec64 loaded;
	u64 gen = READ_ONCE(lock->refresh_gen);
	int ret;

	mutex_lock(&si->item_mutex);
	if (si->refresh_gen == gen) {
		ret = 0;
		goto out;
	}
	ret = read_inode_item(inode->i_sb, scoutfs_ino(inode), &c, lock, true);
	if (ret == 0 && ((c.mode ^ inode->i_mode) & S_IFMT)) {
		scoutfs_err(inode->i_sb, "inode %llu changed type from 0%o to 0%o",
			    scoutfs_ino(inode), inode->i_mode, c.mode);
		ret = -EIO;
	}
	if (ret == 0) {
		atime = inode_get_atime(inode);
		load_inode(inode, &c);
		loaded = inode_get_atime(inode);
		if (timespec64_compare(&atime, &loaded) > 0)
			inode_set_atime_to_ts(inode, atime);
		si->refresh_gen = gen;
	}
out:
	mutex_unlock(&si->item_mutex);
	return ret;
}

/* -ESTALE if the inode doesn't exist */
struct inode *scoutfs_iget(struct super_block *sb, u64 ino)
{
	struct scoutfs_inode_item_cpu c;
	struct scoutfs_lock *lock;
	struct inode *inode;
	int ret;

	inode = iget_locked(sb, ino);
	if (!inode)
		return ERR_PTR(-ENOMEM);
	if (!(inode->i_state & I_NEW))
		return inode;

	ret = scoutfs_lock_ino(sb, SCOUTFS_LOCK_READ, 0, ino, &lock);
	if (ret == 0) {
		ret = read_inode_item(sb, ino, &c, lock, true);
		if (ret == 0) {
			load_inode(inode, &c);
			SCOUTFS_I(inode)->refresh_gen = lock->refresh_gen;
		}
		scoutfs_unlock(sb, lock, SCOUTFS_LOCK_READ);
	}
	if (ret < 0) {
		if (ret == -ENOENT)
			ret = -ESTALE;
		iget_failed(inode);
		return ERR_PTR(ret);
	}
	unlock_new_inode(inode);

	/* a read-only mount leaves it to the next read-write one */
	if (S_ISREG(inode->i_mode) && !scoutfs_read_only(sb) &&
	    (SCOUTFS_I(inode)->flags & SCOUTFS_INO_FLAG_TRUNCATE))
		finish_truncate(inode);
	return inode;
}

/*
 * Write the inode to its item and move its index items to the open
 * transaction's seq.  The new index items go in first and the old ones
 * go last, so a failure leaves the previous state.
 */
int scoutfs_update_inode_item(struct inode *inode, unsigned int flags,
			      struct scoutfs_lock *lock)
{
	struct super_block *sb = inode->i_sb;
	struct scoutfs_inode_info *si = SCOUTFS_I(inode);
	u64 ino = scoutfs_ino(inode);
	u64 seq = scoutfs_trans_seq(sb);
	struct scoutfs_inode_item item;
	struct scoutfs_key key;
	u64 old_meta;
	u64 old_data;
	u64 new_data;
	u64 old_dv;
	int ret;

	mutex_lock(&si->item_mutex);

	old_meta = si->meta_seq;
	old_data = si->data_seq;
	old_dv = si->data_version;
	new_data = old_data;
	if (S_ISREG(inode->i_mode) && (flags & SCOUTFS_UPD_DATA))
		new_data = seq;

	if (old_meta != seq) {
		ret = set_index_item(sb, SCOUTFS_INDEX_ITEM_TYPE_META_SEQ, seq, ino);
		if (ret < 0)
			goto out;
	}
	if (new_data != old_data) {
		ret = set_index_item(sb, SCOUTFS_INDEX_ITEM_TYPE_DATA_SEQ, seq, ino);
		if (ret < 0)
			goto undo_meta;
	}

	si->meta_seq = seq;
	si->data_seq = new_data;
	if (flags & SCOUTFS_UPD_DATA_VERSION)
		si->data_version++;
	si->version++;
	store_inode(&item, inode);

	inode_key(&key, ino);
	ret = scoutfs_item_update(sb, &key, &item, sizeof(item), lock);
	if (ret == -ENOENT) {
		scoutfs_err(sb, "inode %llu has no inode item to update", ino);
		ret = -EIO;
	}
	if (ret < 0) {
		si->meta_seq = old_meta;
		si->data_seq = old_data;
		si->data_version = old_dv;
		si->version--;
		goto undo_data;
	}

	if (old_meta != seq)
		ret = del_index_item(sb, SCOUTFS_INDEX_ITEM_TYPE_META_SEQ,
				     old_meta, ino);
	if (ret == 0 && new_data != old_data)
		ret = del_index_item(sb, SCOUTFS_INDEX_ITEM_TYPE_DATA_SEQ,
				     old_data, ino);
	if (ret < 0)
		scoutfs_trans_abort(sb, "deleting an old index item", ret);
	goto out;

undo_data:
	if (new_data != old_data &&
	    del_index_item(sb, SCOUTFS_INDEX_ITEM_TYPE_DATA_SEQ, seq, ino) < 0)
		scoutfs_trans_abort(sb, "updating an inode item", ret);
undo_meta:
	if (old_meta != seq &&
	    del_index_item(sb, SCOUTFS_INDEX_ITEM_TYPE_META_SEQ, seq, ino) < 0)
		scoutfs_trans_abort(sb, "updating an inode item", ret);
out:
	mutex_unlock(&si->item_mutex);
	/*
	 * The callers have changed the inode in memory, and most have
	 * changed other items of it (entries, extents, xattrs) that the
	 * item must agree with: a failure shuts the mount down, unless the
	 * caller says it can keep what it changed (the undo above left the
	 * items as they were, or aborted).
	 */
	if (ret < 0 && !(flags & SCOUTFS_UPD_FIRST))
		scoutfs_trans_abort(sb, "updating an inode item", ret);
	return ret;
}

/* allocated blocks were added (or freed, negative); caller writes the item */
void scoutfs_inode_add_blocks(struct inode *inode, s64 blocks)
{
	struct scoutfs_inode_info *si = SCOUTFS_I(inode);

	spin_lock(&inode->i_lock);
	si->online_blocks += blocks;
	inode->i_blocks = si->online_blocks << (SCOUTFS_BLOCK_SM_SHIFT - 9);
	spin_unlock(&inode->i_lock);
}

/*
 * Create a new inode with its items, under the caller's transaction hold.
 * The inode is returned locked (I_NEW): the caller instantiates it
 * (d_instantiate_new) or gives it up with scoutfs_discard_new_inode().
 */
struct inode *scoutfs_new_inode(struct inode *dir, u64 ino, umode_t mode, dev_t rdev,
				unsigned int nlink, struct scoutfs_lock *lock)
{
	struct super_block *sb = dir->i_sb;
	struct scoutfs_inode_info *si;
	struct scoutfs_inode_item item;
	struct scoutfs_key key;
	struct inode *inode;
	u64 seq = scoutfs_trans_seq(sb);
	int ret;

	inode = new_inode(sb);
	if (!inode)
		return ERR_PTR(-ENOMEM);
	si = SCOUTFS_I(inode);

	inode->i_ino = ino;
	inode_init_owner(&scoutfs_nop_idmap, inode, dir, mode);
	set_nlink(inode, nlink);
	inode->i_rdev = rdev;
	si->crtime = inode_set_ctime_current(inode);
	inode_set_mtime_to_ts(inode, si->crtime);
	inode_set_atime_to_ts(inode, si->crtime);
	si->meta_seq = seq;
	si->data_seq = S_ISREG(mode) ? seq : 0;
	si->data_version = 0;
	si->online_blocks = 0;
	si->offline_blocks = 0;
	si->next_readdir_pos = SCOUTFS_DIRPOS_FIRST;
	si->next_xattr_id = 1;
	si->version = 1;
	si->proj = SCOUTFS_I(dir)->proj;
	si->flags = 0;
	si->refresh_gen = lock->refresh_gen;
	set_inode_ops(inode);

	ret = insert_inode_locked(inode);
	if (ret < 0) {
		scoutfs_err(sb, "new inode number %llu is already in use", ino);
		make_bad_inode(inode);
		iput(inode);
		return ERR_PTR(-EIO);
	}

	ret = set_index_item(sb, SCOUTFS_INDEX_ITEM_TYPE_META_SEQ, seq, ino);
	if (ret < 0)
		goto fail;
	if (S_ISREG(mode)) {
		ret = set_index_item(sb, SCOUTFS_INDEX_ITEM_TYPE_DATA_SEQ, seq, ino);
		if (ret < 0)
			goto del_meta;
	}
	store_inode(&item, inode);
	inode_key(&key, ino);
	ret = scoutfs_item_create(sb, &key, &item, sizeof(item), lock);
	if (ret < 0)
		goto del_data;

	atomic64_inc(&SCOUTFS_SB(sb)->inode_count);
	return inode;

del_data:
	if (S_ISREG(mode) &&
	    del_index_item(sb, SCOUTFS_INDEX_ITEM_TYPE_DATA_SEQ, seq, ino) < 0)
		scoutfs_trans_abort(sb, "creating an inode", ret);
del_meta:
	if (del_index_item(sb, SCOUTFS_INDEX_ITEM_TYPE_META_SEQ, seq, ino) < 0)
		scoutfs_trans_abort(sb, "creating an inode", ret);
fail:
	make_bad_inode(inode);
	discard_new_inode(inode);
	return ERR_PTR(ret);
}

/*
 * Delete all the items of an inode (data extents freed as they go), in
 * batches of transactions; the inode item, its index items and the
 * orphan item go in the last one.
 */
static int delete_locked(struct super_block *sb, u64 ino, umode_t mode,
			 u64 meta_seq, u64 data_seq, struct scoutfs_lock *lock)
{
	struct scoutfs_data_extent ext;
	struct scoutfs_key last;
	struct scoutfs_key key;
	bool done = false;
	int ret = 0;
	int len;
	int n;

	scoutfs_key_init(&key, SCOUTFS_KEY_ZONE_FS, ino,
			 SCOUTFS_FS_ITEM_TYPE_INODE + 1, 0, 0, 0);
	scoutfs_key_init(&last, SCOUTFS_KEY_ZONE_FS, ino, U8_MAX, U64_MAX,
			 U64_MAX, U8_MAX);

	while (!done) {
		ret = scoutfs_hold_trans_freeing(sb);
		if (ret < 0)
			return ret;
		for (n = 0; n < DELETE_BATCH; n++) {
			ret = scoutfs_item_next(sb, &key, &last, &ext, sizeof(ext), lock);
			if (ret == -ENOENT) {
				ret = 0;
				done = true;
				break;
			}
			if (ret < 0)
				break;
			len = ret;
			ret = scoutfs_item_delete(sb, &key, lock);
			if (ret < 0)
				break;
			/* the blocks go once their extent has: a failure aborts */
			if (key.type == SCOUTFS_FS_ITEM_TYPE_DATA_EXTENT) {
				ret = scoutfs_data_free_extent_item(sb, ino, &key,
								    &ext, len);
				if (ret < 0) {
					scoutfs_trans_abort(sb, "freeing a deleted inode's blocks", ret);
					break;
				}
			}
			scoutfs_key_inc(&key);
		}
		scoutfs_release_trans(sb);
		if (ret < 0)
			return ret;
	}

	ret = scoutfs_hold_trans_freeing(sb);
	if (ret < 0)
		return ret;
	inode_key(&key, ino);
	ret = scoutfs_item_delete_force(sb, &key, lock);
	if (ret < 0)
		goto release;	/* nothing changed yet */
	/* past the first change, a failure aborts */
	ret = del_index_item(sb, SCOUTFS_INDEX_ITEM_TYPE_META_SEQ, meta_seq, ino);
	if (ret == 0 && S_ISREG(mode))
		ret = del_index_item(sb, SCOUTFS_INDEX_ITEM_TYPE_DATA_SEQ,
				     data_seq, ino);
	if (ret == 0)
		ret = scoutfs_orphan_del(sb, ino);
	if (ret < 0)
		scoutfs_trans_abort(sb, "deleting an inode", ret);
	/* in the same transaction as the deletion, so a commit never splits them */
	if (ret == 0)
		atomic64_dec(&SCOUTFS_SB(sb)->inode_count);
release:
	scoutfs_release_trans(sb);
	return ret;
}

static int delete_inode_items(struct super_block *sb, u64 ino, umode_t mode,
			      u64 meta_seq, u64 data_seq)
{
	struct scoutfs_lock *lock;
	int ret;

	ret = scoutfs_lock_ino(sb, SCOUTFS_LOCK_WRITE, 0, ino, &lock);
	if (ret < 0)
		return ret;
	ret = delete_locked(sb, ino, mode, meta_seq, data_seq, lock);
	scoutfs_unlock(sb, lock, SCOUTFS_LOCK_WRITE);
	return ret;
}

/* give up an inode from scoutfs_new_inode() that was never linked */
void scoutfs_discard_new_inode(struct inode *inode)
{
	struct scoutfs_inode_info *si = SCOUTFS_I(inode);
	int ret;

	ret = delete_inode_items(inode->i_sb, scoutfs_ino(inode), inode->i_mode,
				 si->meta_seq, si->data_seq);
	if (ret < 0)
		scoutfs_trans_abort(inode->i_sb, "deleting the items of an unused new inode", ret);
	clear_nlink(inode);
	make_bad_inode(inode);
	discard_new_inode(inode);
}

/*
 * The last reference here to an unlinked inode: delete it, unless
 * another mount deleted it already, or still uses it (then the last
 * mount to let go deletes it, or an orphan scan does).  What the item
 * says under the WRITE lock decides, not our copy: another mount may
 * have changed the inode (and moved its index items) since we read it.
 */
static int delete_unused(struct super_block *sb, u64 ino)
{
	struct scoutfs_inode_item_cpu c;
	struct scoutfs_lock *lock;
	int ret;

	ret = scoutfs_lock_ino(sb, SCOUTFS_LOCK_WRITE, 0, ino, &lock);
	if (ret < 0)
		return ret;
	/* (the orphan item, which must be there, goes with the deletion) */
	ret = read_inode_item(sb, ino, &c, lock, false);
	if (ret == -ENOENT || (ret == 0 && c.nlink)) {
		ret = 0;
		goto unlock;
	}
	if (ret == 0)
		ret = scoutfs_client_open_ino_query(sb, ino);
	if (ret > 0) {
		scoutfs_inc_counter(sb, inode_delete_in_use);
		ret = 0;
		goto unlock;
	}
	if (ret == 0)
		ret = delete_locked(sb, ino, c.mode, c.meta_seq, c.data_seq, lock);
unlock:
	scoutfs_unlock(sb, lock, SCOUTFS_LOCK_WRITE);
	return ret;
}

void scoutfs_evict_inode(struct inode *inode)
{
	int ret;

	truncate_inode_pages_final(&inode->i_data);

	/* read-only: the orphan item stays for a read-write mount */
	if (inode->i_nlink == 0 && !is_bad_inode(inode) &&
	    !scoutfs_read_only(inode->i_sb)) {
		ret = delete_unused(inode->i_sb, scoutfs_ino(inode));
		if (ret < 0)
			scoutfs_err(inode->i_sb, "deleting unlinked inode %llu failed: %d; its orphan item remains for the orphan scan",
				    scoutfs_ino(inode), ret);
	}
	clear_inode(inode);
}

int scoutfs_drop_inode(struct inode *inode)
{
	return generic_drop_inode(inode);
}

/* read the inode item again if another mount may have changed it */
static int refresh_cached(struct inode *inode)
{
	struct scoutfs_lock *lock;
	int ret;

	ret = scoutfs_lock_ino(inode->i_sb, SCOUTFS_LOCK_READ, 0, scoutfs_ino(inode), &lock);
	if (ret == 0) {
		ret = scoutfs_inode_refresh(inode, lock);
		scoutfs_unlock(inode->i_sb, lock, SCOUTFS_LOCK_READ);
	}
	return ret;
}

/*
 * Delete the inodes whose orphan items are left: reading one finds it
 * unlinked, and the final iput deletes it (an inode still open here only
 * loses our reference; its last close deletes it).  At mount (recovering)
 * this runs before anything else can use the inodes, and an orphan item
 * of a linked inode is corrupt: it goes.  The periodic scan leaves such
 * an item alone (the link may be racing with it) and stops at the first
 * error, to try again at its next run.
 */
static int orphan_walk(struct super_block *sb, bool recovering)
{
	struct scoutfs_lock *lock;
	struct scoutfs_key last;
	struct scoutfs_key key;
	struct inode *inode;
	const char *why;
	u64 bad;
	u64 ino;
	int ret;

	orphan_key(&key, 0);
	scoutfs_key_init(&last, SCOUTFS_KEY_ZONE_ORPHAN, 0,
			 SCOUTFS_ORPHAN_ITEM_TYPE_ORPHAN, U64_MAX, U64_MAX,
			 U8_MAX);

	for (;;) {
		if (!recovering && (!READ_ONCE(SCOUTFS_SB(sb)->orphan_scanning) ||
				    scoutfs_read_only(sb)))
			return 0;
		/* not held over iget and iput: inode locks come first */
		ret = scoutfs_lock_orphans(sb, SCOUTFS_LOCK_READ, &lock);
		if (ret < 0)
			return ret;
		ret = scoutfs_item_next(sb, &key, &last, NULL, 0, lock);
		scoutfs_unlock(sb, lock, SCOUTFS_LOCK_READ);
		if (ret == -ENOENT)
			return 0;
		if (ret < 0)
			return ret;
		why = scoutfs_orphan_key_invalid(le64_to_cpu(key.first), key.type,
						 le64_to_cpu(key.third), key.fourth,
						 ret, &bad);
		if (why) {
			scoutfs_err(sb, "orphan item (ino %llu) is corrupt: %s, found %llu",
				    le64_to_cpu(key.second), why, bad);
			return -EFSCORRUPTED;
		}
		ino = le64_to_cpu(key.second);

		inode = scoutfs_iget(sb, ino);
		if (IS_ERR(inode)) {
			ret = PTR_ERR(inode);
			if (ret != -ESTALE)
				return ret;
			/* the inode went in an earlier transaction */
			ret = scoutfs_hold_trans_freeing(sb);
			if (ret < 0)
				return ret;
			ret = scoutfs_orphan_del(sb, ino);
			scoutfs_release_trans(sb);
			if (ret < 0)
				return ret;
		} else {
			/* cached here: another mount may have unlinked it since */
			ret = refresh_cached(inode);
			if (ret < 0) {
				iput(inode);
				return ret;
			}
			if (inode->i_nlink && recovering) {
				scoutfs_warn(sb, "orphan item for linked inode %llu removed",
					     ino);
				ret = scoutfs_hold_trans_freeing(sb);
				if (ret == 0) {
					ret = scoutfs_orphan_del(sb, ino);
					scoutfs_release_trans(sb);
				}
			}
			if (!inode->i_nlink) {
				/* our names of it are stale: they go */
				d_prune_aliases(inode);
				/* ours the only reference: the iput deletes it, unless in use elsewhere */
				if (!recovering && atomic_read(&inode->i_count) == 1 &&
				    scoutfs_client_open_ino_query(sb, ino) == 0)
					scoutfs_inc_counter(sb, orphan_scan_deletes);
			}
			/* nlink 0: the final iput deletes the inode */
			iput(inode);
			if (ret < 0)
				return ret;
		}
		scoutfs_key_inc(&key);
	}
}

int scoutfs_orphan_recover(struct super_block *sb)
{
	return orphan_walk(sb, true);
}

static void orphan_scan_worker(struct work_struct *work)
{
	struct scoutfs_sb_info *sbi = container_of(work, struct scoutfs_sb_info,
						   orphan_work.work);
	struct super_block *sb = sbi->sb;
	int ret;

	if (scoutfs_read_only(sb))
		return;
	ret = orphan_walk(sb, false);
	scoutfs_inc_counter(sb, orphan_scans);
	/* a full volume or a shut down mount say so themselves */
	if (ret < 0 && ret != -ENOSPC && ret != -EIO && ret != -EROFS)
		scoutfs_err(sb, "orphan scan stopped by error %d; it runs again in %u ms",
			    ret, sbi->opts.orphan_scan_delay_ms);
	if (READ_ONCE(sbi->orphan_scanning))
		queue_delayed_work(system_unbound_wq, &sbi->orphan_work,
				   msecs_to_jiffies(sbi->opts.orphan_scan_delay_ms));
}

void scoutfs_orphan_scan_init(struct super_block *sb)
{
	INIT_DELAYED_WORK(&SCOUTFS_SB(sb)->orphan_work, orphan_scan_worker);
}

/* (again, to take a new orphan_scan_delay_ms or after remount,rw) */
void scoutfs_orphan_scan_start(struct super_block *sb)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);

	WRITE_ONCE(sbi->orphan_scanning, true);
	mod_delayed_work(system_unbound_wq, &sbi->orphan_work,
			 msecs_to_jiffies(sbi->opts.orphan_scan_delay_ms));
}

void scoutfs_orphan_scan_stop(struct super_block *sb)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);

	WRITE_ONCE(sbi->orphan_scanning, false);
	cancel_delayed_work_sync(&sbi->orphan_work);
}

int scoutfs_getattr(struct scoutfs_idmap *idmap, const struct path *path,
		    struct kstat *stat, u32 request_mask, unsigned int query_flags)
{
	struct inode *inode = d_inode(path->dentry);
	struct scoutfs_lock *lock;
	int ret;

	/* what other mounts changed is read under a new grant */
	ret = scoutfs_lock_inode(inode->i_sb, SCOUTFS_LOCK_READ, SCOUTFS_LKF_REFRESH_INODE,
				 inode, &lock);
	if (ret < 0)
		return ret;
	scoutfs_fillattr(idmap, request_mask, inode, stat);
	/* preallocated blocks past EOF are not the file's */
	if (S_ISREG(inode->i_mode) && stat->blocks)
		stat->blocks -= min_t(u64, stat->blocks,
				      scoutfs_data_blocks_past_eof(inode) <<
				      (SCOUTFS_BLOCK_SM_SHIFT - 9));
	stat->btime = SCOUTFS_I(inode)->crtime;
	stat->result_mask |= STATX_BTIME;
	scoutfs_unlock(inode->i_sb, lock, SCOUTFS_LOCK_READ);
	return 0;
}

/* what setattr changes in memory, kept to put back if its item fails */
struct attr_undo {
	struct timespec64 atime;
	struct timespec64 mtime;
	struct timespec64 ctime;
	kuid_t uid;
	kgid_t gid;
	umode_t mode;
	loff_t size;
};

static void attr_save(struct inode *inode, struct attr_undo *u)
{
	u->atime = inode_get_atime(inode);
	u->mtime = inode_get_mtime(inode);
	u->ctime = inode_get_ctime(inode);
	u->uid = inode->i_uid;
	u->gid = inode->i_gid;
	u->mode = inode->i_mode;
	u->size = i_size_read(inode);
}

static void attr_restore(struct inode *inode, const struct attr_undo *u)
{
	inode_set_atime_to_ts(inode, u->atime);
	inode_set_mtime_to_ts(inode, u->mtime);
	inode_set_ctime_to_ts(inode, u->ctime);
	inode->i_uid = u->uid;
	inode->i_gid = u->gid;
	inode->i_mode = u->mode;
	i_size_write(inode, u->size);
}

/*
 * Attribute changes, including truncation.  A shrinking truncate records
 * the new size with the TRUNCATE flag first and then frees the extents
 * past it in as many transactions as it takes; the flag tells a later
 * read of the inode to finish the job after a crash.
 *
 * The inode item is the first and only item the hold changes: the new
 * attributes and size go into the inode in memory, and if the item
 * can't take them (ENOMEM) they are put back and the caller gets the
 * error with nothing changed.  The page cache follows the size only once
 * the item has it.  What comes before the hold changes nothing a reader
 * sees (prealloc past EOF, zeroes past EOF when growing), except a
 * shrink's zeroed tail: bytes below the old size, so once it is done a
 * failed item update must shut the mount down (the transaction holding
 * the zeroed page never commits).  A block-aligned shrink zeroes nothing.
 */
int scoutfs_setattr(struct scoutfs_idmap *idmap, struct dentry *dentry,
		    struct iattr *attr)
{
	struct inode *inode = d_inode(dentry);
	struct super_block *sb = inode->i_sb;
	struct scoutfs_inode_info *si = SCOUTFS_I(inode);
	struct scoutfs_lock_task lt;
	struct scoutfs_lock *lock;
	struct attr_undo undo;
	unsigned int upd = 0;
	bool shrink = false;
	bool zeroed = false;
	bool resize = false;
	loff_t old_size = 0;
	loff_t size = 0;
	int ret;

	ret = setattr_prepare(idmap, dentry, attr);
	if (ret)
		return ret;
	ret = scoutfs_lock_inode_task(inode, SCOUTFS_LOCK_WRITE, &lt, &lock);
	if (ret < 0)
		return ret;

	if ((attr->ia_valid & ATTR_SIZE) && S_ISREG(inode->i_mode)) {
		size = attr->ia_size;
		if (size > SCOUTFS_MAX_FILE_SIZE) {
			ret = -EFBIG;
			goto out;
		}
		old_size = i_size_read(inode);
		upd = SCOUTFS_UPD_DATA;
		if (size != old_size) {
			upd |= SCOUTFS_UPD_DATA_VERSION;
			if (size < old_size) {
				ret = scoutfs_data_zero_tail(inode, size);
				if (ret < 0)
					goto out;
				shrink = true;
				zeroed = (size & (SCOUTFS_BLOCK_SM_SIZE - 1)) != 0;
			} else {
				/* no preallocated block may end up inside */
				ret = scoutfs_data_trim_prealloc(inode) ?:
				      scoutfs_data_zero_tail(inode, old_size);
				if (ret < 0)
					goto out;
			}
			resize = true;
			/*
			 * A size change updates mtime and ctime (POSIX);
			 * truncate(2) doesn't ask for them, ftruncate(2) does.
			 */
			attr->ia_mtime = current_time(inode);
			attr->ia_ctime = attr->ia_mtime;
			attr->ia_valid |= ATTR_MTIME | ATTR_CTIME;
		}
	}
	/* only a shrink's visible zeroed tail can't be taken back */
	if (!zeroed)
		upd |= SCOUTFS_UPD_FIRST;

	ret = shrink ? scoutfs_hold_trans_freeing(sb) : scoutfs_hold_trans(sb);
	if (ret < 0)
		goto out;
	attr_save(inode, &undo);
	if (resize)
		i_size_write(inode, size);
	setattr_copy(idmap, inode, attr);
	if (shrink)
		si->flags |= SCOUTFS_INO_FLAG_TRUNCATE;
	ret = scoutfs_update_inode_item(inode, upd, lock);
	if (ret < 0) {
		/* UPD_FIRST: the items are as they were */
		attr_restore(inode, &undo);
		if (shrink)
			si->flags &= ~SCOUTFS_INO_FLAG_TRUNCATE;
	} else if (resize) {
		/* the tail zeroed is written before the new size commits */
		scoutfs_trans_track_inode(sb, inode);
	}
	scoutfs_release_trans(sb);
	if (ret < 0)
		goto out;

	if (resize) {
		/* what truncate_setsize() does past its i_size_write() */
		if (size > old_size)
			pagecache_isize_extended(inode, old_size, size);
		truncate_pagecache(inode, size);
	}
	if (shrink)
		ret = scoutfs_data_truncate_extents(inode, size);
out:
	scoutfs_unlock_inode_task(inode, SCOUTFS_LOCK_WRITE, &lt, lock);
	return ret;
}

const struct inode_operations scoutfs_special_iops = {
	.getattr	= scoutfs_getattr,
	.setattr	= scoutfs_setattr,
	.listxattr	= scoutfs_listxattr,
};

static void init_once(void *p)
{
	struct scoutfs_inode_info *si = p;

	mutex_init(&si->item_mutex);
	spin_lock_init(&si->lock_tasks_lock);
	INIT_LIST_HEAD(&si->lock_tasks);
	INIT_LIST_HEAD(&si->lock_iput_head);
	si->lock_iputs = 0;
	init_rwsem(&si->xattr_rwsem);
	init_rwsem(&si->extent_rwsem);
	inode_init_once(&si->inode);
}

int scoutfs_inode_cache_init(void)
{
	scoutfs_inode_cachep = kmem_cache_create("scoutfs_inode",
						 sizeof(struct scoutfs_inode_info), 0,
						 SLAB_RECLAIM_ACCOUNT | SLAB_ACCOUNT,
						 init_once);
	return scoutfs_inode_cachep ? 0 : -ENOMEM;
}

void scoutfs_inode_cache_exit(void)
{
	/* wait for RCU-freed inodes before destroying their cache */
	rcu_barrier();
	kmem_cache_destroy(scoutfs_inode_cachep);
}
