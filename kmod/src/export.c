// SPDX-License-Identifier: GPL-2.0
/*
 * export.c: file handles, so that open_by_handle_at(2) (archive agents
 * opening the inodes a walk returned) and NFS can find an inode by its
 * number.  Handles hold little-endian inode numbers, as upstream:
 *
 *   SCOUTFS_FILEID_INO          0x81   8 bytes: ino
 *   SCOUTFS_FILEID_INO_PARENT   0x82  16 bytes: ino, parent dir ino
 *
 * An inode that no longer exists (or is only kept alive by open files
 * after its last unlink) gives ESTALE.  A directory's parent is the
 * directory its single link backref names.
 */
#include <linux/fs.h>
#include <linux/exportfs.h>

#include "format.h"
#include "super.h"
#include "item.h"
#include "inode.h"
#include "lock.h"
#include "export.h"

#define SCOUTFS_FILEID_INO		0x81
#define SCOUTFS_FILEID_INO_PARENT	0x82

/* handle lengths are counted in 32-bit words */
#define FH_WORDS_INO		(sizeof(__le64) / sizeof(u32))
#define FH_WORDS_INO_PARENT	(2 * sizeof(__le64) / sizeof(u32))

static void fh_put(u32 *fh, int i, u64 ino)
{
	__le64 le = cpu_to_le64(ino);

	memcpy((u8 *)fh + i * sizeof(le), &le, sizeof(le));
}

static u64 fh_get(const u32 *fh, int i)
{
	__le64 le;

	memcpy(&le, (const u8 *)fh + i * sizeof(le), sizeof(le));
	return le64_to_cpu(le);
}

static int scoutfs_encode_fh(struct inode *inode, u32 *fh, int *max_len,
			     struct inode *parent)
{
	int words = parent ? FH_WORDS_INO_PARENT : FH_WORDS_INO;

	if (*max_len < words) {
		*max_len = words;
		return FILEID_INVALID;
	}
	*max_len = words;
	fh_put(fh, 0, scoutfs_ino(inode));
	if (!parent)
		return SCOUTFS_FILEID_INO;
	fh_put(fh, 1, scoutfs_ino(parent));
	return SCOUTFS_FILEID_INO_PARENT;
}

/* the dentry of a live inode by number, ESTALE when it's gone */
static struct dentry *ino_dentry(struct super_block *sb, u64 ino)
{
	struct inode *inode;

	if (ino == 0)
		return ERR_PTR(-ESTALE);
	inode = scoutfs_iget(sb, ino);
	if (IS_ERR(inode))
		return ERR_CAST(inode);
	if (inode->i_nlink == 0) {
		iput(inode);
		return ERR_PTR(-ESTALE);
	}
	return d_obtain_alias(inode);
}

/* the length in words a handle of this type has, 0 for a foreign type */
static int fh_type_words(int fh_type)
{
	switch (fh_type) {
	case SCOUTFS_FILEID_INO:
		return FH_WORDS_INO;
	case SCOUTFS_FILEID_INO_PARENT:
		return FH_WORDS_INO_PARENT;
	}
	return 0;
}

static struct dentry *scoutfs_fh_to_dentry(struct super_block *sb,
					   struct fid *fid, int fh_len,
					   int fh_type)
{
	int words = fh_type_words(fh_type);

	if (!words || fh_len != words)
		return NULL;
	return ino_dentry(sb, fh_get(fid->raw, 0));
}

static struct dentry *scoutfs_fh_to_parent(struct super_block *sb,
					   struct fid *fid, int fh_len,
					   int fh_type)
{
	if (fh_type != SCOUTFS_FILEID_INO_PARENT || fh_len != FH_WORDS_INO_PARENT)
		return NULL;
	return ino_dentry(sb, fh_get(fid->raw, 1));
}

static struct dentry *scoutfs_get_parent(struct dentry *child)
{
	struct super_block *sb = child->d_sb;
	u64 ino = scoutfs_ino(d_inode(child));
	struct scoutfs_lock *lock;
	struct scoutfs_key key;
	struct scoutfs_key last;
	int ret;

	scoutfs_key_init(&key, SCOUTFS_KEY_ZONE_FS, ino,
			 SCOUTFS_FS_ITEM_TYPE_LINK_BACKREF, 0, 0, 0);
	scoutfs_key_init(&last, SCOUTFS_KEY_ZONE_FS, ino,
			 SCOUTFS_FS_ITEM_TYPE_LINK_BACKREF, U64_MAX, U64_MAX,
			 U8_MAX);
	ret = scoutfs_lock_ino(sb, SCOUTFS_LOCK_READ, 0, ino, &lock);
	if (ret < 0)
		return ERR_PTR(ret);
	ret = scoutfs_item_next(sb, &key, &last, NULL, 0, lock);
	scoutfs_unlock(sb, lock, SCOUTFS_LOCK_READ);
	if (ret == -ENOENT)
		return ERR_PTR(-ESTALE);
	if (ret < 0)
		return ERR_PTR(ret);
	return ino_dentry(sb, le64_to_cpu(key.second));
}

const struct export_operations scoutfs_export_ops = {
	.encode_fh	= scoutfs_encode_fh,
	.fh_to_dentry	= scoutfs_fh_to_dentry,
	.fh_to_parent	= scoutfs_fh_to_parent,
	.get_parent	= scoutfs_get_parent,
};
