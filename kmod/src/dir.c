// SPDX-License-Identifier: GPL-2.0
/*
 * dir.c: directories: entry items and the namespace operations.
 *
 * Each name in a directory is three items holding the same dirent value
 * (target ino, name hash, readdir pos, d_type, name):
 *   DIRENT       (dir, name hash, pos)      lookup by name
 *   READDIR      (dir, pos)                 readdir in creation order
 *   LINK_BACKREF (target, dir, pos)         the target's links (ino_path)
 *
 * The name hash is the 64-bit FNV-1a hash of the name's bytes.  Names
 * that collide are told apart by the pos in the key: lookup walks the
 * items of one hash comparing names.  Readdir positions come from the
 * directory's next_readdir_pos, start at 2 (0 and 1 are "." and ".."),
 * are never reused (link and rename take a new one), and are the
 * directory file position, so telldir/seekdir survive concurrent
 * creates and removals.  A directory's i_size is the sum of its names'
 * lengths, its nlink 2 plus its subdirectories; ".." is not stored: a
 * directory's single backref names its parent.
 */
#include <linux/fs.h>
#include <linux/namei.h>
#include <linux/slab.h>

#include "format.h"
#include "glue.h"
#include "rules.h"
#include "super.h"
#include "item.h"
#include "trans.h"
#include "msg.h"
#include "lock.h"
#include "inode.h"
#include "file.h"
#include "xattr.h"
#include "symlink.h"
#include "dir.h"
#include "counters.h"
#include "ioctl.h"

/* a dirent value with room for the longest name */
#define DIRENT_BUF_WORDS \
	DIV_ROUND_UP(sizeof(struct scoutfs_dirent) + SCOUTFS_NAME_LEN, sizeof(u64))

struct dirent_buf {
	u64 words[DIRENT_BUF_WORDS];
};

static struct scoutfs_dirent *buf_dirent(struct dirent_buf *buf)
{
	return (struct scoutfs_dirent *)buf->words;
}

/* what a lookup finds */
struct entry {
	u64 ino;
	u64 hash;
	u64 pos;
	u8 type;
};

static void dirent_key(struct scoutfs_key *key, u64 dir_ino, u64 hash, u64 pos)
{
	scoutfs_key_init(key, SCOUTFS_KEY_ZONE_FS, dir_ino,
			 SCOUTFS_FS_ITEM_TYPE_DIRENT, hash, pos, 0);
}

static void readdir_key(struct scoutfs_key *key, u64 dir_ino, u64 pos)
{
	scoutfs_key_init(key, SCOUTFS_KEY_ZONE_FS, dir_ino,
			 SCOUTFS_FS_ITEM_TYPE_READDIR, pos, 0, 0);
}

static void backref_key(struct scoutfs_key *key, u64 ino, u64 dir_ino, u64 pos)
{
	scoutfs_key_init(key, SCOUTFS_KEY_ZONE_FS, ino,
			 SCOUTFS_FS_ITEM_TYPE_LINK_BACKREF, dir_ino, pos, 0);
}

/*
 * Check a dirent value read from an item whose key gave pos: the schema's
 * field rules (generated), then the length, the key and the name hash.
 * Returns the name length or -EFSCORRUPTED.
 */
static int check_dirent(struct super_block *sb, u64 dir_ino,
			const struct scoutfs_dirent *d, int val_len, u64 pos)
{
	int name_len = val_len - (int)sizeof(*d);
	const char *why = NULL;
	u64 bad = 0;

	if (name_len < 1 || name_len > SCOUTFS_NAME_LEN) {
		why = "value length: not a name of 1..255 bytes";
		bad = val_len;
	} else {
		why = scoutfs_dirent_invalid(d, &bad);
	}
	if (!why) {
		if (le64_to_cpu(d->pos) != pos) {
			why = "pos: not the key's";
			bad = le64_to_cpu(d->pos);
		} else if (le64_to_cpu(d->hash) != scoutfs_name_hash(d->name, name_len)) {
			why = "hash: not the name's";
			bad = le64_to_cpu(d->hash);
		}
	}

	if (why) {
		scoutfs_err(sb, "directory %llu entry at pos %llu is corrupt: %s, found %llu",
			    dir_ino, pos, why, bad);
		return -EFSCORRUPTED;
	}
	return name_len;
}

static int lookup_entry(struct inode *dir, const char *name, unsigned int len,
			struct entry *ent, struct scoutfs_lock *dir_lock)
{
	struct super_block *sb = dir->i_sb;
	u64 dir_ino = scoutfs_ino(dir);
	u64 hash = scoutfs_name_hash(name, len);
	struct scoutfs_dirent *d;
	struct dirent_buf buf;
	struct scoutfs_key last;
	struct scoutfs_key key;
	int ret;

	d = buf_dirent(&buf);
	dirent_key(&key, dir_ino, hash, 0);
	dirent_key(&last, dir_ino, hash, U64_MAX);
	last.fourth = U8_MAX;

	for (;;) {
		ret = scoutfs_item_next(sb, &key, &last, d, sizeof(buf), dir_lock);
		if (ret < 0)
			return ret;
		ret = check_dirent(sb, dir_ino, d, ret, le64_to_cpu(key.third));
		if (ret < 0)
			return ret;
		if (le64_to_cpu(d->hash) != hash) {
			scoutfs_err(sb, "directory %llu entry at pos %llu is under the wrong hash",
				    dir_ino, le64_to_cpu(key.third));
			return -EIO;
		}
		if (ret == len && memcmp(d->name, name, len) == 0) {
			ent->ino = le64_to_cpu(d->ino);
			ent->hash = hash;
			ent->pos = le64_to_cpu(d->pos);
			ent->type = d->type;
			return 0;
		}
		scoutfs_key_inc(&key);
	}
}

/*
 * The three items of a name: the entry and readdir items in the
 * directory's lock, the back reference in the inode's.  The caller holds
 * the transaction.
 */
static int add_entry_items(struct super_block *sb, u64 dir_ino, u64 hash,
			   u64 pos, const char *name, unsigned int len,
			   u64 ino, umode_t mode, struct scoutfs_lock *dir_lock,
			   struct scoutfs_lock *ino_lock)
{
	int val_len = sizeof(struct scoutfs_dirent) + len;
	struct scoutfs_dirent *d;
	struct dirent_buf buf;
	struct scoutfs_key rd_key;
	struct scoutfs_key key;
	int ret;

	d = buf_dirent(&buf);
	memset(d, 0, sizeof(*d));
	d->ino = cpu_to_le64(ino);
	d->hash = cpu_to_le64(hash);
	d->pos = cpu_to_le64(pos);
	d->type = fs_umode_to_dtype(mode);
	memcpy(d->name, name, len);

	dirent_key(&key, dir_ino, hash, pos);
	ret = scoutfs_item_create(sb, &key, d, val_len, dir_lock);
	if (ret < 0)
		return ret;
	readdir_key(&rd_key, dir_ino, pos);
	ret = scoutfs_item_create(sb, &rd_key, d, val_len, dir_lock);
	if (ret < 0)
		goto del_dirent;
	backref_key(&key, ino, dir_ino, pos);
	ret = scoutfs_item_create(sb, &key, d, val_len, ino_lock);
	if (ret == 0)
		return 0;

	if (scoutfs_item_delete_force(sb, &rd_key, dir_lock) < 0)
		scoutfs_trans_abort(sb, "adding a directory entry", ret);
del_dirent:
	dirent_key(&key, dir_ino, hash, pos);
	if (scoutfs_item_delete_force(sb, &key, dir_lock) < 0)
		scoutfs_trans_abort(sb, "adding a directory entry", ret);
	return ret;
}

static int del_entry_items(struct super_block *sb, u64 dir_ino,
			   const struct entry *ent, struct scoutfs_lock *dir_lock,
			   struct scoutfs_lock *ino_lock)
{
	struct scoutfs_key key;
	int ret;
	int err;

	dirent_key(&key, dir_ino, ent->hash, ent->pos);
	ret = scoutfs_item_delete(sb, &key, dir_lock);
	if (ret < 0 && ret != -ENOENT)
		return ret;	/* nothing changed yet */
	readdir_key(&key, dir_ino, ent->pos);
	err = scoutfs_item_delete(sb, &key, dir_lock);
	ret = ret ?: err;
	backref_key(&key, ent->ino, dir_ino, ent->pos);
	err = scoutfs_item_delete(sb, &key, ino_lock);
	ret = ret ?: err;
	if (ret == -ENOENT) {
		scoutfs_err(sb, "directory %llu entry at pos %llu is missing items",
			    dir_ino, ent->pos);
		ret = -EIO;
	}
	if (ret < 0)
		scoutfs_trans_abort(sb, "removing a directory entry", ret);
	return ret;
}

/*
 * Add a name for inode in dir at a new position.  The caller holds the
 * transaction and writes dir's item afterwards.
 *
 * The VFS found the name absent under its own directory lock, which
 * doesn't cover other mounts: one of them may have added it since.  Then
 * -ESTALE: the VFS looks the name up again (LOOKUP_REVAL) and retries
 * the whole call once, this time knowing it exists.
 */
static int add_name(struct inode *dir, const struct qstr *name,
		    struct inode *inode, struct scoutfs_lock *dir_lock,
		    struct scoutfs_lock *ino_lock)
{
	struct scoutfs_inode_info *dsi = SCOUTFS_I(dir);
	u64 pos = dsi->next_readdir_pos;
	struct entry ent;
	int ret;

	if (pos >= S64_MAX)
		return -ENOSPC;
	ret = lookup_entry(dir, name->name, name->len, &ent, dir_lock);
	if (ret == 0) {
		scoutfs_inc_counter(dir->i_sb, dentry_revalidate_stale);
		return -ESTALE;
	}
	if (ret != -ENOENT)
		return ret;

	ret = add_entry_items(dir->i_sb, scoutfs_ino(dir),
			      scoutfs_name_hash(name->name, name->len), pos,
			      name->name, name->len, scoutfs_ino(inode),
			      inode->i_mode, dir_lock, ino_lock);
	if (ret < 0)
		return ret;
	dsi->next_readdir_pos = pos + 1;
	i_size_write(dir, i_size_read(dir) + name->len);
	return 0;
}

/* 0 if name in dir is inode's (or absent for NULL), -ESTALE if not */
static int name_as_seen(struct inode *dir, const struct qstr *name, struct inode *inode,
			struct scoutfs_lock *dir_lock)
{
	struct entry ent;
	int ret;

	ret = lookup_entry(dir, name->name, name->len, &ent, dir_lock);
	if (ret == -ENOENT)
		ret = inode ? -ESTALE : 0;
	else if (ret == 0 && (!inode || ent.ino != scoutfs_ino(inode)))
		ret = -ESTALE;
	if (ret == -ESTALE)
		scoutfs_inc_counter(dir->i_sb, dentry_revalidate_stale);
	return ret;
}

/* remove the name for inode from dir; the caller writes dir's item */
static int remove_name(struct inode *dir, const struct qstr *name,
		       struct inode *inode, struct scoutfs_lock *dir_lock,
		       struct scoutfs_lock *ino_lock)
{
	struct entry ent;
	int ret;

	/*
	 * Another mount may have removed or replaced the name since the VFS
	 * looked it up: -ESTALE, and the VFS looks it up again (add_name()).
	 */
	ret = lookup_entry(dir, name->name, name->len, &ent, dir_lock);
	if ((ret == 0 && ent.ino != scoutfs_ino(inode)) || ret == -ENOENT) {
		scoutfs_inc_counter(dir->i_sb, dentry_revalidate_stale);
		ret = -ESTALE;
	}
	if (ret < 0)
		return ret;

	ret = del_entry_items(dir->i_sb, scoutfs_ino(dir), &ent, dir_lock, ino_lock);
	if (ret == 0)
		i_size_write(dir, i_size_read(dir) - min_t(loff_t, name->len,
							   i_size_read(dir)));
	return ret;
}

/* 1 if the directory has no entries, 0 if it has, or an error */
static int dir_empty(struct inode *dir, struct scoutfs_lock *lock)
{
	struct scoutfs_key last;
	struct scoutfs_key key;
	int ret;

	readdir_key(&key, scoutfs_ino(dir), 0);
	readdir_key(&last, scoutfs_ino(dir), U64_MAX);
	last.third = cpu_to_le64(U64_MAX);
	last.fourth = U8_MAX;
	ret = scoutfs_item_next(dir->i_sb, &key, &last, NULL, 0, lock);
	if (ret == -ENOENT)
		return 1;
	return ret < 0 ? ret : 0;
}

/*
 * A dentry is what its directory held under the grant of the directory's
 * lock it was made under (d_time: the grant's refresh_gen).  While that
 * grant lasts no other mount can have changed the directory; once the
 * lock went back to NULL (another mount wanted it, or memory pressure)
 * the name is looked up again.
 */
static void dentry_gen(struct dentry *dentry, struct scoutfs_lock *dir_lock)
{
	dentry->d_time = dir_lock->refresh_gen;
}

static int scoutfs_d_revalidate(struct dentry *dentry, unsigned int flags)
{
	struct super_block *sb = dentry->d_sb;
	struct scoutfs_lock *lock;
	struct dentry *parent;
	struct inode *dir;
	int ret;

	/* the VFS retries a call that found a dentry stale: look it up again */
	if (flags & LOOKUP_REVAL)
		return 0;
	if (flags & LOOKUP_RCU) {
		parent = READ_ONCE(dentry->d_parent);
		dir = d_inode_rcu(parent);
		if (!dir)
			return -ECHILD;
		return scoutfs_lock_gen_granted(sb, scoutfs_ino(dir), dentry->d_time) ? 1 : -ECHILD;
	}
	parent = dget_parent(dentry);
	dir = d_inode(parent);
	if (scoutfs_lock_gen_granted(sb, scoutfs_ino(dir), dentry->d_time)) {
		ret = 1;
	} else {
		ret = scoutfs_lock_inode(sb, SCOUTFS_LOCK_READ, 0, dir, &lock);
		if (ret == 0) {
			ret = lock->refresh_gen == dentry->d_time;
			scoutfs_unlock(sb, lock, SCOUTFS_LOCK_READ);
		}
	}
	dput(parent);
	if (ret == 0)
		scoutfs_inc_counter(sb, dentry_revalidate_stale);
	return ret;
}

const struct dentry_operations scoutfs_dentry_ops = {
	.d_revalidate = scoutfs_d_revalidate,
};

static struct dentry *scoutfs_lookup(struct inode *dir, struct dentry *dentry,
				     unsigned int flags)
{
	struct super_block *sb = dir->i_sb;
	struct scoutfs_lock *lock;
	struct inode *inode = NULL;
	struct entry ent;
	/*
	 * An open that may create the name takes the mode the create needs
	 * at once: a READ grant first would cost another handoff when other
	 * mounts create in the same directory.
	 */
	int mode = (flags & LOOKUP_CREATE) && !scoutfs_read_only(sb) ?
		   SCOUTFS_LOCK_WRITE : SCOUTFS_LOCK_READ;
	int ret;

	if (dentry->d_name.len > SCOUTFS_NAME_LEN)
		return ERR_PTR(-ENAMETOOLONG);

	ret = scoutfs_lock_inode(sb, mode, 0, dir, &lock);
	if (ret < 0)
		return ERR_PTR(ret);
	ret = lookup_entry(dir, dentry->d_name.name, dentry->d_name.len, &ent, lock);
	dentry_gen(dentry, lock);
	/* the inode's own lock comes after, not inside, the directory's */
	scoutfs_unlock(sb, lock, mode);
	if (ret == 0) {
		inode = scoutfs_iget(sb, ent.ino);
		if (IS_ERR(inode) && PTR_ERR(inode) == -ESTALE) {
			scoutfs_err(sb, "directory %llu entry at pos %llu names missing inode %llu",
				    scoutfs_ino(dir), ent.pos, ent.ino);
			inode = ERR_PTR(-EFSCORRUPTED);
		}
	} else if (ret != -ENOENT) {
		return ERR_PTR(ret);
	}
	return d_splice_alias(inode, dentry);
}

/*
 * Create an inode and its name: create, mkdir, mknod and symlink.
 */
static int create_common(struct inode *dir, struct dentry *dentry,
			 umode_t mode, dev_t rdev, const char *symname)
{
	struct super_block *sb = dir->i_sb;
	struct scoutfs_lock *dir_lock;
	struct scoutfs_lock *ino_lock;
	struct inode *inode;
	unsigned int sym_len = 0;
	u64 ino;
	int ret;

	if (dentry->d_name.len > SCOUTFS_NAME_LEN)
		return -ENAMETOOLONG;
	if (symname) {
		sym_len = strlen(symname);
		if (sym_len + 1 > SCOUTFS_SYMLINK_MAX_SIZE)
			return -ENAMETOOLONG;
	}

	ret = scoutfs_alloc_ino(sb, &ino);
	if (ret < 0)
		return ret;
	ret = scoutfs_lock_inode_new(sb, SCOUTFS_LOCK_WRITE, SCOUTFS_LKF_REFRESH_INODE,
				     dir, &dir_lock, ino, &ino_lock);
	if (ret < 0)
		return ret;
	if (S_ISDIR(mode) && dir->i_nlink >= SCOUTFS_LINK_MAX) {
		ret = -EMLINK;
		goto unlock;
	}

	ret = scoutfs_hold_trans(sb);
	if (ret < 0)
		goto unlock;

	inode = scoutfs_new_inode(dir, ino, mode, rdev, S_ISDIR(mode) ? 2 : 1, ino_lock);
	if (IS_ERR(inode)) {
		ret = PTR_ERR(inode);
		goto out;
	}

	if (symname) {
		ret = scoutfs_symlink_create(inode, symname, sym_len, ino_lock);
		if (ret < 0)
			goto discard;
	}

	ret = add_name(dir, &dentry->d_name, inode, dir_lock, ino_lock);
	if (ret < 0)
		goto discard;
	if (S_ISDIR(mode))
		inc_nlink(dir);
	inode_set_mtime_to_ts(dir, inode_set_ctime_current(dir));
	ret = scoutfs_update_inode_item(dir, 0, dir_lock);
	if (ret < 0) {
		/* the name is in: no way back */
		scoutfs_trans_abort(sb, "create", ret);
		if (S_ISDIR(mode))
			drop_nlink(dir);
		goto discard;
	}

	scoutfs_release_trans(sb);
	dentry_gen(dentry, dir_lock);
	scoutfs_unlock_inodes(sb, SCOUTFS_LOCK_WRITE, dir_lock, ino_lock, NULL, NULL);
	d_instantiate_new(dentry, inode);
	return 0;

discard:
	scoutfs_discard_new_inode(inode);
out:
	scoutfs_release_trans(sb);
unlock:
	scoutfs_unlock_inodes(sb, SCOUTFS_LOCK_WRITE, dir_lock, ino_lock, NULL, NULL);
	return ret;
}

static int scoutfs_create(struct scoutfs_idmap *idmap, struct inode *dir,
			  struct dentry *dentry, umode_t mode, bool excl)
{
	return create_common(dir, dentry, mode | S_IFREG, 0, NULL);
}

static int scoutfs_mknod(struct scoutfs_idmap *idmap, struct inode *dir,
			 struct dentry *dentry, umode_t mode, dev_t rdev)
{
	if (!S_ISREG(mode) && !S_ISCHR(mode) && !S_ISBLK(mode) &&
	    !S_ISFIFO(mode) && !S_ISSOCK(mode))
		return -EINVAL;
	return create_common(dir, dentry, mode, rdev, NULL);
}

static int scoutfs_mkdir(struct scoutfs_idmap *idmap, struct inode *dir,
			 struct dentry *dentry, umode_t mode)
{
	return create_common(dir, dentry, mode | S_IFDIR, 0, NULL);
}

static int scoutfs_symlink(struct scoutfs_idmap *idmap, struct inode *dir,
			   struct dentry *dentry, const char *symname)
{
	return create_common(dir, dentry, S_IFLNK | 0777, 0, symname);
}

/*
 * Link counts an operation is about to drop are checked before anything
 * changes: a count read from a corrupt item must not wrap (drop_nlink()
 * of 0), nor take a directory that still holds a subdirectory to 1 or 0.
 */
static int check_nlink(struct inode *inode, unsigned int min, const char *op)
{
	if (inode->i_nlink >= min)
		return 0;
	scoutfs_err(inode->i_sb, "%s: inode %llu has nlink %u, at least %u expected; refusing a corrupt link count",
		    op, scoutfs_ino(inode), inode->i_nlink, min);
	return -EFSCORRUPTED;
}

/* a directory losing a subdirectory: its own 2 links and the child's ".." */
#define PARENT_NLINK_MIN	3

/* an inode with no names left: remember it until its last use goes */
static int unlinked(struct inode *inode)
{
	if (inode->i_nlink)
		return 0;
	return scoutfs_orphan_add(inode->i_sb, scoutfs_ino(inode));
}

static int scoutfs_link(struct dentry *old_dentry, struct inode *dir,
			struct dentry *dentry)
{
	struct inode *inode = d_inode(old_dentry);
	struct super_block *sb = dir->i_sb;
	struct scoutfs_lock *dir_lock;
	struct scoutfs_lock *ino_lock;
	bool was_orphan;
	int ret;

	if (dentry->d_name.len > SCOUTFS_NAME_LEN)
		return -ENAMETOOLONG;
	ret = scoutfs_lock_inodes(sb, SCOUTFS_LOCK_WRITE, SCOUTFS_LKF_REFRESH_INODE,
				  dir, &dir_lock, inode, &ino_lock, NULL, NULL, NULL, NULL);
	if (ret < 0)
		return ret;
	was_orphan = inode->i_nlink == 0;
	if (inode->i_nlink >= SCOUTFS_LINK_MAX) {
		ret = -EMLINK;
		goto unlock;
	}

	ret = scoutfs_hold_trans(sb);
	if (ret < 0)
		goto unlock;

	ret = add_name(dir, &dentry->d_name, inode, dir_lock, ino_lock);
	if (ret < 0)
		goto out;
	/* past the first change, a failure aborts */
	if (was_orphan) {
		/* O_TMPFILE given a name */
		ret = scoutfs_orphan_del(sb, scoutfs_ino(inode));
		if (ret < 0)
			goto abort;
	}

	inc_nlink(inode);
	inode_set_ctime_to_ts(inode, inode_set_mtime_to_ts(dir, inode_set_ctime_current(dir)));
	ret = scoutfs_update_inode_item(inode, 0, ino_lock);
	if (ret == 0)
		ret = scoutfs_update_inode_item(dir, 0, dir_lock);
	if (ret < 0)
		goto abort;

	ihold(inode);
	dentry_gen(dentry, dir_lock);
	d_instantiate(dentry, inode);
	goto out;

abort:
	scoutfs_trans_abort(sb, "link", ret);
out:
	scoutfs_release_trans(sb);
unlock:
	scoutfs_unlock_inodes(sb, SCOUTFS_LOCK_WRITE, dir_lock, ino_lock, NULL, NULL);
	return ret;
}

static int remove_common(struct inode *dir, struct dentry *dentry, bool is_dir)
{
	struct inode *inode = d_inode(dentry);
	struct super_block *sb = dir->i_sb;
	struct scoutfs_lock *dir_lock;
	struct scoutfs_lock *ino_lock;
	int ret;

	ret = scoutfs_lock_inodes(sb, SCOUTFS_LOCK_WRITE, SCOUTFS_LKF_REFRESH_INODE,
				  dir, &dir_lock, inode, &ino_lock, NULL, NULL, NULL, NULL);
	if (ret < 0)
		return ret;
	if (is_dir) {
		ret = dir_empty(inode, ino_lock);
		if (ret <= 0) {
			ret = ret ?: -ENOTEMPTY;
			goto unlock;
		}
		ret = check_nlink(dir, PARENT_NLINK_MIN, "rmdir");
	} else {
		ret = check_nlink(inode, 1, "unlink");
	}
	if (ret < 0)
		goto unlock;

	ret = scoutfs_hold_trans_freeing(sb);
	if (ret < 0)
		goto unlock;

	ret = remove_name(dir, &dentry->d_name, inode, dir_lock, ino_lock);
	if (ret < 0)
		goto release;

	if (is_dir) {
		clear_nlink(inode);
		drop_nlink(dir);
	} else {
		drop_nlink(inode);
	}
	inode_set_ctime_to_ts(inode, inode_set_mtime_to_ts(dir, inode_set_ctime_current(dir)));
	ret = unlinked(inode);
	if (ret == 0)
		ret = scoutfs_update_inode_item(inode, 0, ino_lock);
	if (ret == 0)
		ret = scoutfs_update_inode_item(dir, 0, dir_lock);
	if (ret < 0)
		scoutfs_trans_abort(sb, is_dir ? "rmdir" : "unlink", ret);
release:
	scoutfs_release_trans(sb);
unlock:
	scoutfs_unlock_inodes(sb, SCOUTFS_LOCK_WRITE, dir_lock, ino_lock, NULL, NULL);
	if (ret == 0)
		scoutfs_trans_untrack_unlinked(sb, inode);
	return ret;
}

static int scoutfs_unlink(struct inode *dir, struct dentry *dentry)
{
	return remove_common(dir, dentry, false);
}

static int scoutfs_rmdir(struct inode *dir, struct dentry *dentry)
{
	return remove_common(dir, dentry, true);
}

/*
 * Rename, with RENAME_NOREPLACE (the VFS has checked the target doesn't
 * exist) and RENAME_EXCHANGE.  The moved names get new positions in
 * their new directories.  A directory that changes parent moves a link
 * count from its old parent to its new one.
 */
static int scoutfs_rename(struct scoutfs_idmap *idmap,
			  struct inode *old_dir, struct dentry *old_dentry,
			  struct inode *new_dir, struct dentry *new_dentry,
			  unsigned int flags)
{
	struct super_block *sb = old_dir->i_sb;
	struct inode *old_inode = d_inode(old_dentry);
	struct inode *new_inode = d_inode(new_dentry);
	bool exchange = flags & RENAME_EXCHANGE;
	struct scoutfs_lock *rename_lock = NULL;
	struct scoutfs_lock *old_dir_lock;
	struct scoutfs_lock *new_dir_lock;
	struct scoutfs_lock *old_lock;
	struct scoutfs_lock *new_lock;
	struct timespec64 now;
	int ret;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	if (new_dentry->d_name.len > SCOUTFS_NAME_LEN)
		return -ENAMETOOLONG;

	/*
	 * A move between directories takes the cluster's rename lock first,
	 * as the VFS's s_vfs_rename_mutex does on one node: no other mount
	 * can make the loop the VFS checked against.
	 */
	if (old_dir != new_dir) {
		ret = scoutfs_lock_rename(sb, SCOUTFS_LOCK_WRITE, &rename_lock);
		if (ret < 0)
			return ret;
	}
	ret = scoutfs_lock_inodes(sb, SCOUTFS_LOCK_WRITE, SCOUTFS_LKF_REFRESH_INODE,
				  old_dir, &old_dir_lock, new_dir, &new_dir_lock,
				  old_inode, &old_lock, new_inode, &new_lock);
	if (ret < 0)
		goto unlock_rename;

	if (new_inode && !exchange && S_ISDIR(new_inode->i_mode)) {
		ret = dir_empty(new_inode, new_lock);
		if (ret <= 0) {
			ret = ret ?: -ENOTEMPTY;
			goto unlock;
		}
	}
	/* the counts the moves below drop */
	ret = 0;
	if (S_ISDIR(old_inode->i_mode) && old_dir != new_dir)
		ret = check_nlink(old_dir, PARENT_NLINK_MIN, "rename");
	if (ret == 0 && new_inode && S_ISDIR(new_inode->i_mode) &&
	    (exchange ? old_dir != new_dir : true))
		ret = check_nlink(new_dir, PARENT_NLINK_MIN, "rename");
	if (ret == 0 && new_inode && !exchange && !S_ISDIR(new_inode->i_mode))
		ret = check_nlink(new_inode, 1, "rename");
	/* both names as the VFS saw them, before anything changes (add_name()) */
	if (ret == 0)
		ret = name_as_seen(old_dir, &old_dentry->d_name, old_inode, old_dir_lock) ?:
		      name_as_seen(new_dir, &new_dentry->d_name, new_inode, new_dir_lock);
	if (ret < 0)
		goto unlock;

	ret = scoutfs_hold_trans(sb);
	if (ret < 0)
		goto unlock;

	/* take the old names away; a failure past the first change aborts */
	ret = remove_name(old_dir, &old_dentry->d_name, old_inode, old_dir_lock, old_lock);
	if (ret < 0)
		goto release;
	if (new_inode) {
		ret = remove_name(new_dir, &new_dentry->d_name, new_inode, new_dir_lock, new_lock);
		if (ret < 0)
			goto out;
	}

	/* and add the new ones */
	ret = add_name(new_dir, &new_dentry->d_name, old_inode, new_dir_lock, old_lock);
	if (ret < 0)
		goto out;
	if (exchange) {
		ret = add_name(old_dir, &old_dentry->d_name, new_inode, old_dir_lock, new_lock);
		if (ret < 0)
			goto out;
	}

	/* directories moving between parents carry a parent link */
	if (S_ISDIR(old_inode->i_mode)) {
		drop_nlink(old_dir);
		inc_nlink(new_dir);
	}
	if (new_inode && exchange && S_ISDIR(new_inode->i_mode)) {
		drop_nlink(new_dir);
		inc_nlink(old_dir);
	}
	if (new_inode && !exchange) {
		if (S_ISDIR(new_inode->i_mode)) {
			clear_nlink(new_inode);
			drop_nlink(new_dir);
		} else {
			drop_nlink(new_inode);
		}
		ret = unlinked(new_inode);
		if (ret < 0)
			goto out;
	}

	now = current_time(old_dir);
	inode_set_mtime_to_ts(old_dir, inode_set_ctime_to_ts(old_dir, now));
	inode_set_mtime_to_ts(new_dir, inode_set_ctime_to_ts(new_dir, now));
	inode_set_ctime_to_ts(old_inode, now);
	if (new_inode)
		inode_set_ctime_to_ts(new_inode, now);

	ret = scoutfs_update_inode_item(old_dir, 0, old_dir_lock);
	if (ret == 0 && new_dir != old_dir)
		ret = scoutfs_update_inode_item(new_dir, 0, new_dir_lock);
	if (ret == 0)
		ret = scoutfs_update_inode_item(old_inode, 0, old_lock);
	if (ret == 0 && new_inode)
		ret = scoutfs_update_inode_item(new_inode, 0, new_lock);
	/* the VFS moves the dentries: each ends up in the other directory */
	if (ret == 0) {
		dentry_gen(old_dentry, new_dir_lock);
		if (exchange)
			dentry_gen(new_dentry, old_dir_lock);
	}
out:
	if (ret < 0)
		scoutfs_trans_abort(sb, "rename", ret);
release:
	scoutfs_release_trans(sb);
unlock:
	scoutfs_unlock_inodes(sb, SCOUTFS_LOCK_WRITE, old_dir_lock, new_dir_lock, old_lock,
			      new_lock);
unlock_rename:
	scoutfs_unlock(sb, rename_lock, SCOUTFS_LOCK_WRITE);
	if (ret == 0 && new_inode && !exchange)
		scoutfs_trans_untrack_unlinked(sb, new_inode);
	return ret;
}

/*
 * O_TMPFILE: an inode without a name, orphaned from the start so it is
 * deleted at its last close unless linkat gives it a name.
 */
static int scoutfs_tmpfile(struct scoutfs_idmap *idmap, struct inode *dir,
			   struct file *file, umode_t mode)
{
	struct super_block *sb = dir->i_sb;
	struct scoutfs_lock *dir_lock;
	struct scoutfs_lock *ino_lock;
	struct inode *inode;
	u64 ino;
	int ret;

	ret = scoutfs_alloc_ino(sb, &ino);
	if (ret < 0)
		return ret;
	ret = scoutfs_lock_inode_new(sb, SCOUTFS_LOCK_WRITE, SCOUTFS_LKF_REFRESH_INODE,
				     dir, &dir_lock, ino, &ino_lock);
	if (ret < 0)
		return ret;
	ret = scoutfs_hold_trans(sb);
	if (ret < 0)
		goto unlock;

	inode = scoutfs_new_inode(dir, ino, mode, 0, 0, ino_lock);
	if (IS_ERR(inode)) {
		ret = PTR_ERR(inode);
		goto out;
	}
	ret = scoutfs_orphan_add(sb, scoutfs_ino(inode));
	if (ret < 0) {
		scoutfs_discard_new_inode(inode);
		goto out;
	}
	/* d_tmpfile() drops the link that new inodes start with */
	set_nlink(inode, 1);
	d_tmpfile(file, inode);
	unlock_new_inode(inode);
out:
	scoutfs_release_trans(sb);
unlock:
	scoutfs_unlock_inodes(sb, SCOUTFS_LOCK_WRITE, dir_lock, ino_lock, NULL, NULL);
	return finish_open_simple(file, ret);
}

/*
 * Names in position order.  Entries added during the walk appear if
 * their position is still ahead; removed ones disappear; no position is
 * ever returned twice.
 */
static int scoutfs_readdir(struct file *file, struct dir_context *ctx)
{
	struct inode *dir = file_inode(file);
	struct super_block *sb = dir->i_sb;
	u64 dir_ino = scoutfs_ino(dir);
	struct scoutfs_lock *lock;
	struct scoutfs_dirent *d;
	struct dirent_buf buf;
	struct scoutfs_key last;
	struct scoutfs_key key;
	u64 pos;
	int ret;

	if (!dir_emit_dots(file, ctx))
		return 0;
	ret = scoutfs_lock_inode(sb, SCOUTFS_LOCK_READ, 0, dir, &lock);
	if (ret < 0)
		return ret;

	d = buf_dirent(&buf);
	readdir_key(&last, dir_ino, U64_MAX);
	last.third = cpu_to_le64(U64_MAX);
	last.fourth = U8_MAX;

	while (ctx->pos < S64_MAX) {
		readdir_key(&key, dir_ino, ctx->pos);
		ret = scoutfs_item_next(sb, &key, &last, d, sizeof(buf), lock);
		if (ret == -ENOENT)
			break;
		if (ret < 0)
			goto out;
		pos = le64_to_cpu(key.second);
		ret = check_dirent(sb, dir_ino, d, ret, pos);
		if (ret < 0)
			goto out;
		if (pos >= S64_MAX)
			break;
		if (!dir_emit(ctx, d->name, ret, le64_to_cpu(d->ino), d->type))
			break;
		ctx->pos = pos + 1;
	}
	ret = 0;
out:
	scoutfs_unlock(sb, lock, SCOUTFS_LOCK_READ);
	return ret;
}

static loff_t scoutfs_dir_llseek(struct file *file, loff_t offset, int whence)
{
	return generic_file_llseek_size(file, offset, whence, S64_MAX,
					i_size_read(file_inode(file)));
}

const struct file_operations scoutfs_dir_fops = {
	.llseek		= scoutfs_dir_llseek,
	.read		= generic_read_dir,
	.iterate_shared	= scoutfs_readdir,
	.fsync		= scoutfs_fsync,
	.unlocked_ioctl	= scoutfs_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

const struct inode_operations scoutfs_dir_iops = {
	.lookup		= scoutfs_lookup,
	.create		= scoutfs_create,
	.link		= scoutfs_link,
	.unlink		= scoutfs_unlink,
	.symlink	= scoutfs_symlink,
	.mkdir		= scoutfs_mkdir,
	.rmdir		= scoutfs_rmdir,
	.mknod		= scoutfs_mknod,
	.rename		= scoutfs_rename,
	.tmpfile	= scoutfs_tmpfile,
	.getattr	= scoutfs_getattr,
	.setattr	= scoutfs_setattr,
	.listxattr	= scoutfs_listxattr,
};
