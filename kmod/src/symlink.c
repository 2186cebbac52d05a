// SPDX-License-Identifier: GPL-2.0
/*
 * symlink.c: symbolic link targets.
 *
 * The target and its terminating NUL (at most SCOUTFS_SYMLINK_MAX_SIZE
 * bytes) are stored in SYMLINK items of up to SCOUTFS_ITEM_MAX_VAL_SIZE
 * bytes each, numbered from 0; i_size is the target's length.
 */
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "format.h"
#include "super.h"
#include "item.h"
#include "msg.h"
#include "inode.h"
#include "xattr.h"
#include "symlink.h"
#include "trans.h"
#include "lock.h"

static void symlink_key(struct scoutfs_key *key, u64 ino, u64 nr)
{
	scoutfs_key_init(key, SCOUTFS_KEY_ZONE_FS, ino,
			 SCOUTFS_FS_ITEM_TYPE_SYMLINK, nr, 0, 0);
}

/*
 * Store the target of a new symlink inode and set its size; the caller
 * holds the transaction and writes the inode item.  Items of a failed
 * create are deleted with the inode.
 */
int scoutfs_symlink_create(struct inode *inode, const char *target,
			   unsigned int len, struct scoutfs_lock *lock)
{
	unsigned int size = len + 1;
	struct scoutfs_key key;
	unsigned int off;
	unsigned int part;
	u64 nr;
	int ret;

	for (nr = 0, off = 0; off < size; nr++, off += part) {
		part = min_t(unsigned int, size - off, SCOUTFS_ITEM_MAX_VAL_SIZE);
		symlink_key(&key, scoutfs_ino(inode), nr);
		ret = scoutfs_item_create(inode->i_sb, &key, target + off, part, lock);
		if (ret < 0)
			return ret;
	}
	i_size_write(inode, len);
	return scoutfs_update_inode_item(inode, 0, lock);
}

static const char *scoutfs_get_link(struct dentry *dentry, struct inode *inode,
				    struct delayed_call *done)
{
	struct super_block *sb = inode->i_sb;
	struct scoutfs_lock *lock;
	struct scoutfs_key key;
	unsigned int size;
	unsigned int off;
	unsigned int part;
	char *buf;
	u64 nr;
	int ret;

	if (!dentry)
		return ERR_PTR(-ECHILD);
	ret = scoutfs_lock_inode(sb, SCOUTFS_LOCK_READ, SCOUTFS_LKF_REFRESH_INODE, inode, &lock);
	if (ret < 0)
		return ERR_PTR(ret);
	/* the inode item was checked when read */
	size = i_size_read(inode) + 1;
	buf = scoutfs_kmalloc(size, GFP_NOFS);
	if (!buf) {
		ret = -ENOMEM;
		goto fail;
	}

	for (nr = 0, off = 0; off < size; nr++, off += part) {
		part = min_t(unsigned int, size - off, SCOUTFS_ITEM_MAX_VAL_SIZE);
		symlink_key(&key, scoutfs_ino(inode), nr);
		ret = scoutfs_item_lookup(sb, &key, buf + off, part, lock);
		if (ret == -ENOENT || (ret >= 0 && ret != part)) {
			scoutfs_err(sb, "symlink %llu target part %llu is %s",
				    scoutfs_ino(inode), nr,
				    ret < 0 ? "missing" : "the wrong size");
			ret = -EFSCORRUPTED;
		}
		if (ret < 0)
			goto fail;
	}
	if (buf[size - 1] != '\0' || strnlen(buf, size) != size - 1) {
		scoutfs_err(sb, "symlink %llu target has a misplaced NUL",
			    scoutfs_ino(inode));
		ret = -EFSCORRUPTED;
		goto fail;
	}

	scoutfs_unlock(sb, lock, SCOUTFS_LOCK_READ);
	set_delayed_call(done, kfree_link, buf);
	return buf;
fail:
	scoutfs_unlock(sb, lock, SCOUTFS_LOCK_READ);
	kfree(buf);
	return ERR_PTR(ret);
}

const struct inode_operations scoutfs_symlink_iops = {
	.get_link	= scoutfs_get_link,
	.getattr	= scoutfs_getattr,
	.setattr	= scoutfs_setattr,
	.listxattr	= scoutfs_listxattr,
};
