// SPDX-License-Identifier: GPL-2.0
/*
 * xattr.c: extended attributes in the user., trusted. and security.
 * namespaces.
 *
 * An xattr is stored as the bytes of a header (value length, name
 * length), the full name and the value, cut into XATTR items of at most
 * SCOUTFS_ITEM_MAX_VAL_SIZE bytes keyed (ino, name hash, xattr id, part
 * nr).  The name hash is the FNV-1a hash the directories use; names that
 * collide are told apart by the per-inode xattr id, which every set takes
 * afresh from the inode's next_xattr_id.  Values may be up to
 * SCOUTFS_XATTR_MAX_VAL_LEN (65536) bytes, the kernel's XATTR_SIZE_MAX;
 * longer ones fail with E2BIG.
 *
 * getxattr and listxattr run without i_rwsem, so the inode's xattr_rwsem
 * keeps them from seeing a set half done.
 */
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/xattr.h>
#include <linux/capability.h>

#include "format.h"
#include "glue.h"
#include "rules.h"
#include "super.h"
#include "item.h"
#include "trans.h"
#include "msg.h"
#include "lock.h"
#include "inode.h"
#include "dir.h"
#include "xattr.h"

#define PART_SIZE	SCOUTFS_ITEM_MAX_VAL_SIZE
#define HDR_SIZE	sizeof(struct scoutfs_xattr_hdr)

/* what find_xattr() found */
struct xattr_found {
	u64 hash;
	u64 id;
	unsigned int name_len;
	unsigned int val_len;
};

static void xattr_key(struct scoutfs_key *key, u64 ino, u64 hash, u64 id,
		      u8 part)
{
	scoutfs_key_init(key, SCOUTFS_KEY_ZONE_FS, ino,
			 SCOUTFS_FS_ITEM_TYPE_XATTR, hash, id, part);
}

static unsigned int total_bytes(unsigned int name_len, unsigned int val_len)
{
	return HDR_SIZE + name_len + val_len;
}

static unsigned int nr_parts(unsigned int name_len, unsigned int val_len)
{
	return DIV_ROUND_UP(total_bytes(name_len, val_len), PART_SIZE);
}

/* check the first part of an xattr read into buf (ret bytes) */
static int check_part0(struct super_block *sb, u64 ino,
		       const struct scoutfs_key *key, const u8 *buf, int ret,
		       struct xattr_found *xf)
{
	const struct scoutfs_xattr_hdr *hdr = (const void *)buf;
	const char *why = NULL;
	u64 bad = 0;

	if (key->fourth != 0) {
		why = "part: a later part without a first part";
		bad = key->fourth;
	} else if (ret < (int)HDR_SIZE + 1) {
		why = "value length: shorter than a header and a name byte";
		bad = ret;
	} else {
		why = scoutfs_xattr_hdr_invalid(hdr, &bad);
	}
	/* the header's rules bound val_len to 64 KiB: its parts' numbers fit in a u8 */
	if (!why) {
		xf->hash = le64_to_cpu(key->second);
		xf->id = le64_to_cpu(key->third);
		xf->name_len = hdr->name_len;
		xf->val_len = le32_to_cpu(hdr->val_len);
		if (ret != min_t(unsigned int, PART_SIZE,
				 total_bytes(xf->name_len, xf->val_len))) {
			why = "value length: not what name_len and val_len give";
			bad = ret;
		} else if (scoutfs_name_hash(buf + HDR_SIZE, xf->name_len) !=
			   xf->hash) {
			why = "hash: not the name's";
			bad = xf->hash;
		}
	}
	if (why) {
		scoutfs_err(sb, "inode %llu xattr item (hash %llx id %llu part %u) is corrupt: %s, found %llu",
			    ino, le64_to_cpu(key->second),
			    le64_to_cpu(key->third), key->fourth, why, bad);
		return -EFSCORRUPTED;
	}
	return 0;
}

/* find an xattr by name, leaving its first part in buf; -ENOENT */
static int find_xattr(struct inode *inode, const char *name,
		      unsigned int name_len, u8 *buf, struct xattr_found *xf,
		      struct scoutfs_lock *lock)
{
	struct super_block *sb = inode->i_sb;
	u64 ino = scoutfs_ino(inode);
	u64 hash = scoutfs_name_hash(name, name_len);
	struct scoutfs_key last;
	struct scoutfs_key key;
	int ret;

	xattr_key(&key, ino, hash, 0, 0);
	xattr_key(&last, ino, hash, U64_MAX, U8_MAX);

	for (;;) {
		ret = scoutfs_item_next(sb, &key, &last, buf, PART_SIZE, lock);
		if (ret < 0)
			return ret;
		ret = check_part0(sb, ino, &key, buf, ret, xf);
		if (ret < 0)
			return ret;
		if (xf->name_len == name_len &&
		    memcmp(buf + HDR_SIZE, name, name_len) == 0)
			return 0;
		if (xf->id == U64_MAX)
			return -ENOENT;
		xattr_key(&key, ino, hash, xf->id + 1, 0);
	}
}

/* copy a found xattr's value (its first part in buf) into value */
static int read_value(struct inode *inode, const struct xattr_found *xf,
		      const u8 *buf, u8 *value, struct scoutfs_lock *lock)
{
	struct super_block *sb = inode->i_sb;
	unsigned int total = total_bytes(xf->name_len, xf->val_len);
	struct scoutfs_key key;
	unsigned int off;
	unsigned int part;
	unsigned int copied;
	unsigned int nr;
	int ret;

	off = HDR_SIZE + xf->name_len;
	part = min_t(unsigned int, total, PART_SIZE);
	memcpy(value, buf + off, part - off);
	copied = part - off;

	for (nr = 1, off = PART_SIZE; off < total; nr++, off += part) {
		part = min_t(unsigned int, total - off, PART_SIZE);
		xattr_key(&key, scoutfs_ino(inode), xf->hash, xf->id, nr);
		ret = scoutfs_item_lookup(sb, &key, value + copied, part, lock);
		if (ret == -ENOENT || (ret >= 0 && ret != part)) {
			scoutfs_err(sb, "inode %llu xattr (hash %llx id %llu) part %u is %s",
				    scoutfs_ino(inode), xf->hash, xf->id, nr,
				    ret < 0 ? "missing" : "the wrong size");
			ret = -EFSCORRUPTED;
		}
		if (ret < 0)
			return ret;
		copied += part;
	}
	return 0;
}

/*
 * Delete the parts, on past a failure once one went; a failure of the
 * first changes nothing, and returns at once with *changed false.
 */
static int delete_parts(struct super_block *sb, u64 ino, u64 hash, u64 id,
			unsigned int nr, bool *changed, struct scoutfs_lock *lock)
{
	struct scoutfs_key key;
	unsigned int i;
	int ret = 0;
	int err;

	*changed = false;
	for (i = 0; i < nr; i++) {
		xattr_key(&key, ino, hash, id, i);
		err = scoutfs_item_delete_force(sb, &key, lock);
		if (err < 0 && i == 0)
			return err;
		*changed = true;
		ret = ret ?: err;
	}
	return ret;
}

/* store an xattr under a new id; buf is a PART_SIZE scratch buffer */
static int create_parts(struct inode *inode, u64 hash, u64 id,
			const char *name, unsigned int name_len,
			const void *value, unsigned int val_len, u8 *buf,
			struct scoutfs_lock *lock)
{
	struct scoutfs_xattr_hdr *hdr = (void *)buf;
	unsigned int total = total_bytes(name_len, val_len);
	struct super_block *sb = inode->i_sb;
	struct scoutfs_key key;
	unsigned int off;
	unsigned int part;
	unsigned int vcopied;
	unsigned int nr;
	bool changed;
	int ret;

	memset(hdr, 0, HDR_SIZE);
	hdr->val_len = cpu_to_le32(val_len);
	hdr->name_len = name_len;
	memcpy(buf + HDR_SIZE, name, name_len);
	part = min_t(unsigned int, total, PART_SIZE);
	vcopied = part - HDR_SIZE - name_len;
	memcpy(buf + HDR_SIZE + name_len, value, vcopied);

	for (nr = 0, off = 0; off < total; nr++, off += part) {
		part = min_t(unsigned int, total - off, PART_SIZE);
		xattr_key(&key, scoutfs_ino(inode), hash, id, nr);
		if (nr == 0) {
			ret = scoutfs_item_create(sb, &key, buf, part, lock);
		} else {
			ret = scoutfs_item_create(sb, &key, value + vcopied, part, lock);
			vcopied += part;
		}
		if (ret < 0) {
			if (delete_parts(sb, scoutfs_ino(inode), hash, id, nr, &changed, lock) < 0)
				scoutfs_trans_abort(sb, "setting an xattr", ret);
			return ret;
		}
	}
	return 0;
}

static int scoutfs_xattr_get(const struct xattr_handler *handler,
			     struct dentry *dentry, struct inode *inode,
			     const char *short_name, void *value, size_t size)
{
	struct scoutfs_inode_info *si = SCOUTFS_I(inode);
	const char *name = xattr_full_name(handler, short_name);
	unsigned int name_len = strlen(name);
	struct scoutfs_lock *lock;
	struct xattr_found xf;
	u8 *buf;
	int ret;

	if (name_len > SCOUTFS_XATTR_MAX_NAME_LEN)
		return -ENODATA;

	buf = scoutfs_kmalloc(PART_SIZE, GFP_NOFS);
	if (!buf)
		return -ENOMEM;
	ret = scoutfs_lock_inode(inode->i_sb, SCOUTFS_LOCK_READ, 0, inode, &lock);
	if (ret < 0) {
		kfree(buf);
		return ret;
	}

	down_read(&si->xattr_rwsem);
	ret = find_xattr(inode, name, name_len, buf, &xf, lock);
	if (ret == -ENOENT)
		ret = -ENODATA;
	if (ret < 0)
		goto out;
	if (size == 0) {
		ret = xf.val_len;
		goto out;
	}
	if (size < xf.val_len) {
		ret = -ERANGE;
		goto out;
	}
	ret = read_value(inode, &xf, buf, value, lock);
	if (ret == 0)
		ret = xf.val_len;
out:
	up_read(&si->xattr_rwsem);
	scoutfs_unlock(inode->i_sb, lock, SCOUTFS_LOCK_READ);
	kfree(buf);
	return ret;
}

/* set (value != NULL) or remove an xattr; i_rwsem is held */
static int scoutfs_xattr_set(const struct xattr_handler *handler,
			     struct scoutfs_idmap *idmap,
			     struct dentry *dentry, struct inode *inode,
			     const char *short_name, const void *value,
			     size_t size, int flags)
{
	struct scoutfs_inode_info *si = SCOUTFS_I(inode);
	struct super_block *sb = inode->i_sb;
	const char *name = xattr_full_name(handler, short_name);
	unsigned int name_len = strlen(name);
	u64 hash = scoutfs_name_hash(name, name_len);
	struct scoutfs_lock *lock;
	struct xattr_found xf;
	bool changed;
	bool exists;
	u64 id;
	u8 *buf;
	int ret;

	if (name_len > SCOUTFS_XATTR_MAX_NAME_LEN)
		return -ERANGE;
	if (short_name[0] == '\0')
		return -EINVAL;
	if (value && size > SCOUTFS_XATTR_MAX_VAL_LEN)
		return -E2BIG;

	buf = scoutfs_kmalloc(PART_SIZE, GFP_NOFS);
	if (!buf)
		return -ENOMEM;
	ret = scoutfs_lock_inode(sb, SCOUTFS_LOCK_WRITE, SCOUTFS_LKF_REFRESH_INODE, inode, &lock);
	if (ret < 0) {
		kfree(buf);
		return ret;
	}

	down_write(&si->xattr_rwsem);
	ret = find_xattr(inode, name, name_len, buf, &xf, lock);
	if (ret < 0 && ret != -ENOENT)
		goto out;
	exists = ret == 0;
	if (exists && (flags & XATTR_CREATE)) {
		ret = -EEXIST;
		goto out;
	}
	if (!exists && ((flags & XATTR_REPLACE) || !value)) {
		ret = -ENODATA;
		goto out;
	}

	/* removal frees space: it may use the reserve */
	ret = value ? scoutfs_hold_trans(sb) : scoutfs_hold_trans_freeing(sb);
	if (ret < 0)
		goto out;
	if (value) {
		id = si->next_xattr_id++;
		ret = create_parts(inode, hash, id, name, name_len, value,
				   size, buf, lock);
		if (ret < 0)
			goto release;
	}
	/* past the first change, a failure aborts */
	if (exists) {
		ret = delete_parts(sb, scoutfs_ino(inode), xf.hash, xf.id,
				   nr_parts(xf.name_len, xf.val_len), &changed, lock);
		/* a removal whose first delete failed changed nothing */
		if (ret < 0 && (value || changed))
			goto abort;
		if (ret < 0)
			goto release;
	}
	inode_set_ctime_current(inode);
	ret = scoutfs_update_inode_item(inode, 0, lock);
	if (ret < 0 && (value || exists))
		goto abort;
	goto release;
abort:
	scoutfs_trans_abort(sb, value ? "setting an xattr" : "removing an xattr", ret);
release:
	scoutfs_release_trans(sb);
out:
	up_write(&si->xattr_rwsem);
	scoutfs_unlock(sb, lock, SCOUTFS_LOCK_WRITE);
	kfree(buf);
	return ret;
}

static bool name_listable(const char *name, unsigned int len)
{
	if (len > XATTR_USER_PREFIX_LEN &&
	    !strncmp(name, XATTR_USER_PREFIX, XATTR_USER_PREFIX_LEN))
		return true;
	if (len > XATTR_SECURITY_PREFIX_LEN &&
	    !strncmp(name, XATTR_SECURITY_PREFIX, XATTR_SECURITY_PREFIX_LEN))
		return true;
	if (len > XATTR_TRUSTED_PREFIX_LEN &&
	    !strncmp(name, XATTR_TRUSTED_PREFIX, XATTR_TRUSTED_PREFIX_LEN))
		return capable(CAP_SYS_ADMIN);
	return false;
}

ssize_t scoutfs_listxattr(struct dentry *dentry, char *buffer, size_t size)
{
	struct inode *inode = d_inode(dentry);
	struct scoutfs_inode_info *si = SCOUTFS_I(inode);
	struct super_block *sb = inode->i_sb;
	u64 ino = scoutfs_ino(inode);
	struct xattr_found xf;
	struct scoutfs_key last;
	struct scoutfs_key key;
	struct scoutfs_lock *lock;
	ssize_t total = 0;
	u8 *buf;
	int ret;

	buf = scoutfs_kmalloc(PART_SIZE, GFP_NOFS);
	if (!buf)
		return -ENOMEM;
	ret = scoutfs_lock_inode(sb, SCOUTFS_LOCK_READ, 0, inode, &lock);
	if (ret < 0) {
		kfree(buf);
		return ret;
	}

	xattr_key(&key, ino, 0, 0, 0);
	xattr_key(&last, ino, U64_MAX, U64_MAX, U8_MAX);

	down_read(&si->xattr_rwsem);
	for (;;) {
		ret = scoutfs_item_next(sb, &key, &last, buf, PART_SIZE, lock);
		if (ret == -ENOENT) {
			ret = 0;
			break;
		}
		if (ret < 0)
			break;
		ret = check_part0(sb, ino, &key, buf, ret, &xf);
		if (ret < 0)
			break;

		if (name_listable(buf + HDR_SIZE, xf.name_len)) {
			if (buffer) {
				if (total + xf.name_len + 1 > size) {
					ret = -ERANGE;
					break;
				}
				memcpy(buffer + total, buf + HDR_SIZE, xf.name_len);
				buffer[total + xf.name_len] = '\0';
			}
			total += xf.name_len + 1;
		}

		/* on to the next xattr's first part */
		xattr_key(&key, ino, xf.hash, xf.id, U8_MAX);
		scoutfs_key_inc(&key);
	}
	up_read(&si->xattr_rwsem);
	scoutfs_unlock(sb, lock, SCOUTFS_LOCK_READ);
	kfree(buf);
	return ret < 0 ? ret : total;
}

static const struct xattr_handler scoutfs_user_handler = {
	.prefix	= XATTR_USER_PREFIX,
	.get	= scoutfs_xattr_get,
	.set	= scoutfs_xattr_set,
};

static const struct xattr_handler scoutfs_trusted_handler = {
	.prefix	= XATTR_TRUSTED_PREFIX,
	.get	= scoutfs_xattr_get,
	.set	= scoutfs_xattr_set,
};

static const struct xattr_handler scoutfs_security_handler = {
	.prefix	= XATTR_SECURITY_PREFIX,
	.get	= scoutfs_xattr_get,
	.set	= scoutfs_xattr_set,
};

const struct xattr_handler *scoutfs_xattr_handlers[] = {
	&scoutfs_user_handler,
	&scoutfs_trusted_handler,
	&scoutfs_security_handler,
	NULL,
};
