// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl.c: the query ioctls of regular files and directories, with the
 * upstream ABI (gen/ioctl.h, generated from format/ioctl.ts):
 *
 *   WALK_INODES            the meta_seq/data_seq change indexes
 *   STAT_MORE, GET_ATTR_X  the inode fields struct stat lacks
 *   STATFS_MORE            ids, totals and the stable seq of the mount
 *   INO_PATH               a path of an inode, from its link backrefs
 *   GET_REFERRING_ENTRIES  the directory entries that link an inode
 *
 * Arguments are copied in once and checked whole before anything is
 * done: explicit pads of the argument structs must be zero (EINVAL), so
 * they stay free for later use.  Everything copied out is built in a
 * zeroed kernel buffer first, so no uninitialised kernel memory ever
 * reaches userspace.  Known upstream calls this module doesn't implement
 * yet (@unimplemented in format/ioctl.ts) fail with EOPNOTSUPP; other
 * commands with ENOTTY.
 */
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/capability.h>
#include <linux/namei.h>
#include <linux/sched/signal.h>
#include <linux/log2.h>
#include <linux/nospec.h>

#include "format.h"
#include "glue.h"
#include "super.h"
#include "item.h"
#include "trans.h"
#include "inode.h"
#include "msg.h"
#include "lock.h"
#include "dir.h"
#include "rules.h"
#include "item_rules.h"
#include "ioctl.h"
#include "forest.h"

/* ---------------------------------------------------------------- walk */

/*
 * Entries are gathered in a page of kernel memory and copied out a
 * batch at a time.
 */
#define WALK_BATCH (PAGE_SIZE / sizeof(struct scoutfs_ioctl_walk_inodes_entry))

static void index_key(struct scoutfs_key *key, u8 type, u64 seq, u64 ino)
{
	scoutfs_key_init(key, SCOUTFS_KEY_ZONE_INODE_INDEX, 0, type, seq, ino, 0);
}

static int walk_pos_cmp(const struct scoutfs_ioctl_walk_inodes_entry *a,
			const struct scoutfs_ioctl_walk_inodes_entry *b)
{
	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->ino != b->ino)
		return a->ino < b->ino ? -1 : 1;
	return 0;
}

struct walk_fill {
	struct super_block *sb;
	struct scoutfs_ioctl_walk_inodes_entry *ents;
	struct scoutfs_key last_key;
	u32 nr;
	u32 max;
};

/* index items carry no value: the entry is all in the key */
static int walk_fill(void *arg, const struct scoutfs_key *key, u64 seq, u8 flags,
		     const void *val, int val_len)
{
	struct walk_fill *fill = arg;
	struct scoutfs_ioctl_walk_inodes_entry *ent;
	const char *why;
	u64 bad;

	why = scoutfs_index_key_invalid(le64_to_cpu(key->first), key->type,
					key->fourth, val_len, &bad);
	if (why) {
		scoutfs_err(fill->sb, "index item (seq %llu ino %llu) is corrupt: %s, found %llu",
			    le64_to_cpu(key->second), le64_to_cpu(key->third),
			    why, bad);
		return -EFSCORRUPTED;
	}
	ent = &fill->ents[fill->nr++];
	memset(ent, 0, sizeof(*ent));
	ent->major = le64_to_cpu(key->second);
	ent->ino = le64_to_cpu(key->third);
	fill->last_key = *key;
	return fill->nr < fill->max;
}

/*
 * Return the index entries from first to last inclusive, in (seq, ino)
 * order, never past the stable seq: entries of transactions that have
 * not committed are invisible, so an entry once returned at seq S can
 * only move to a greater seq later, never appear anew at or below S.
 * minor (and the entries' pads) are ignored on input, 0 on output.
 */
long scoutfs_ioc_walk_inodes(struct file *file, unsigned long arg)
{
	struct super_block *sb = file_inode(file)->i_sb;
	struct scoutfs_ioctl_walk_inodes walk;
	struct scoutfs_ioctl_walk_inodes_entry *ents;
	struct scoutfs_ioctl_walk_inodes_entry __user *uents;
	struct walk_fill fill;
	struct scoutfs_key key;
	struct scoutfs_key last;
	u32 count = 0;
	u32 limit;
	u64 stable;
	u8 type;
	int ret = 0;

	if (copy_from_user(&walk, (void __user *)arg, sizeof(walk)))
		return -EFAULT;
	if (memchr_inv(walk._pad, 0, sizeof(walk._pad)))
		return -EINVAL;

	if (walk.index == SCOUTFS_WALK_INODES_INDEX_META_SEQ)
		type = SCOUTFS_INDEX_ITEM_TYPE_META_SEQ;
	else if (walk.index == SCOUTFS_WALK_INODES_INDEX_DATA_SEQ)
		type = SCOUTFS_INDEX_ITEM_TYPE_DATA_SEQ;
	else
		return -EINVAL;

	if (walk.nr_entries == 0)
		return 0;
	/* the count is returned as a long that must stay positive as an int */
	limit = min_t(u32, walk.nr_entries, INT_MAX);

	/*
	 * Every transaction at or below the stable seq is committed, and
	 * the server records a commit before it answers it: roots fetched
	 * after the stable seq hold every index item up to it.
	 */
	ret = scoutfs_cluster_stable_seq(sb, &stable) ?:
	      scoutfs_forest_refresh(sb, U64_MAX);
	if (ret)
		return ret;
	if (walk.last.major > stable) {
		walk.last.major = stable;
		walk.last.ino = U64_MAX;
	}
	if (walk_pos_cmp(&walk.first, &walk.last) > 0)
		return 0;

	ents = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!ents)
		return -ENOMEM;
	uents = u64_to_user_ptr(walk.entries_ptr);

	index_key(&key, type, walk.first.major, walk.first.ino);
	index_key(&last, type, walk.last.major, walk.last.ino);

	while (count < limit) {
		/*
		 * A page of entries per pass down the committed index (an
		 * open transaction's moves stay invisible), copied out with
		 * no block held.
		 */
		fill.sb = sb;
		fill.ents = ents;
		fill.nr = 0;
		fill.max = min_t(u32, WALK_BATCH, limit - count);
		ret = scoutfs_item_read_committed(sb, &key, &last, walk_fill, &fill);
		if (ret < 0 || fill.nr == 0)
			break;
		if (copy_to_user(uents + count, ents, fill.nr * sizeof(ents[0]))) {
			ret = -EFAULT;
			break;
		}
		count += fill.nr;
		if (fill.nr < fill.max)
			break;	/* the range is exhausted */
		/* never wraps: the last possible key is past last */
		key = fill.last_key;
		scoutfs_key_inc(&key);
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		cond_resched();
	}

	kfree(ents);
	/* entries already delivered are valid: report them, not the signal */
	if (ret == -EINTR && count)
		ret = 0;
	return ret ? ret : count;
}

/* ------------------------------------------------------ stat and statfs */

long scoutfs_ioc_stat_more(struct file *file, unsigned long arg)
{
	struct inode *inode = file_inode(file);
	struct scoutfs_inode_info *si = SCOUTFS_I(inode);
	struct scoutfs_ioctl_stat_more stm;
	struct scoutfs_lock *lock;
	int ret;

	/* what another mount changed shows: the item is read under a new grant */
	ret = scoutfs_lock_inode(inode->i_sb, SCOUTFS_LOCK_READ, SCOUTFS_LKF_REFRESH_INODE,
				 inode, &lock);
	if (ret < 0)
		return ret;
	memset(&stm, 0, sizeof(stm));
	mutex_lock(&si->item_mutex);
	stm.meta_seq = si->meta_seq;
	stm.data_seq = si->data_seq;
	stm.data_version = si->data_version;
	stm.online_blocks = si->online_blocks;
	stm.offline_blocks = si->offline_blocks;
	stm.crtime_sec = si->crtime.tv_sec;
	stm.crtime_nsec = si->crtime.tv_nsec;
	mutex_unlock(&si->item_mutex);
	scoutfs_unlock(inode->i_sb, lock, SCOUTFS_LOCK_READ);

	if (copy_to_user((void __user *)arg, &stm, sizeof(stm)))
		return -EFAULT;
	return 0;
}

long scoutfs_ioc_statfs_more(struct file *file, unsigned long arg)
{
	struct super_block *sb = file_inode(file)->i_sb;
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	struct scoutfs_ioctl_statfs_more sfm;
	int ret;

	memset(&sfm, 0, sizeof(sfm));
	sfm.fsid = sbi->fsid;
	sfm.rid = SCOUTFS_SB(sb)->rid;
	ret = scoutfs_cluster_stable_seq(sb, &sfm.committed_seq);
	if (ret)
		return ret;
	sfm.total_meta_blocks = le64_to_cpu(sbi->super.total_meta_blocks);
	sfm.total_data_blocks = le64_to_cpu(sbi->super.total_data_blocks);
	/* a single mount keeps no server reserve of metadata blocks */
	sfm.reserved_meta_blocks = 0;

	if (copy_to_user((void __user *)arg, &sfm, sizeof(sfm)))
		return -EFAULT;
	return 0;
}

/*
 * The end of each attr_x field, by mask bit: the reply covers the
 * struct from offset 0 through the highest requested field.
 */
#define AX_END(f) offsetofend(struct scoutfs_ioctl_inode_attr_x, f)
static const u8 attr_x_end[] = {
	AX_END(meta_seq), AX_END(data_seq), AX_END(data_version),
	AX_END(online_blocks), AX_END(offline_blocks), AX_END(ctime_nsec),
	AX_END(crtime_sec), AX_END(size), AX_END(bits), AX_END(project_id),
};
#undef AX_END

/* retention and project ids need format version 2, which this format lacks */
#define ATTR_X_MASK_V2	(SCOUTFS_ATTR_X_MASK_RETENTION | \
			 SCOUTFS_ATTR_X_MASK_PROJECT_ID)

long scoutfs_ioc_get_attr_x(struct file *file, unsigned long arg)
{
	struct scoutfs_ioctl_inode_attr_x __user *uiax = (void __user *)arg;
	struct inode *inode = file_inode(file);
	struct scoutfs_inode_info *si = SCOUTFS_I(inode);
	struct scoutfs_ioctl_inode_attr_x iax;
	struct scoutfs_lock *lock;
	u64 mask;
	u64 flags;
	int ret;

	BUILD_BUG_ON(ARRAY_SIZE(attr_x_end) !=
		     ilog2(~SCOUTFS_ATTR_X_MASK_UNKNOWN) + 1);

	if (get_user(mask, &uiax->x_mask) || get_user(flags, &uiax->x_flags))
		return -EFAULT;
	if (mask == 0)
		return 0;
	if ((mask & SCOUTFS_ATTR_X_MASK_UNKNOWN) ||
	    (flags & ~(u64)SCOUTFS_ATTR_X_F_SIZE_OFFLINE))
		return -EINVAL;
	if (mask & ATTR_X_MASK_V2)
		return -EOPNOTSUPP;

	memset(&iax, 0, sizeof(iax));
	iax.x_mask = mask;
	iax.x_flags = flags;

	ret = scoutfs_lock_inode(inode->i_sb, SCOUTFS_LOCK_READ, SCOUTFS_LKF_REFRESH_INODE,
				 inode, &lock);
	if (ret < 0)
		return ret;
	mutex_lock(&si->item_mutex);
	if (mask & SCOUTFS_ATTR_X_MASK_META_SEQ)
		iax.meta_seq = si->meta_seq;
	if (mask & SCOUTFS_ATTR_X_MASK_DATA_SEQ)
		iax.data_seq = si->data_seq;
	if (mask & SCOUTFS_ATTR_X_MASK_DATA_VERSION)
		iax.data_version = si->data_version;
	if (mask & SCOUTFS_ATTR_X_MASK_ONLINE_BLOCKS)
		iax.online_blocks = si->online_blocks;
	if (mask & SCOUTFS_ATTR_X_MASK_OFFLINE_BLOCKS)
		iax.offline_blocks = si->offline_blocks;
	if (mask & SCOUTFS_ATTR_X_MASK_CTIME) {
		iax.ctime_sec = inode_get_ctime(inode).tv_sec;
		iax.ctime_nsec = inode_get_ctime(inode).tv_nsec;
	}
	if (mask & SCOUTFS_ATTR_X_MASK_CRTIME) {
		iax.crtime_sec = si->crtime.tv_sec;
		iax.crtime_nsec = si->crtime.tv_nsec;
	}
	if (mask & SCOUTFS_ATTR_X_MASK_SIZE)
		iax.size = i_size_read(inode);
	mutex_unlock(&si->item_mutex);
	scoutfs_unlock(inode->i_sb, lock, SCOUTFS_LOCK_READ);

	if (copy_to_user(uiax, &iax, attr_x_end[fls64(mask) - 1]))
		return -EFAULT;
	return 0;
}

/* ------------------------------------------------------- link backrefs */

/* a link of an inode, read from its LINK_BACKREF item */
struct backref {
	u64 dir_ino;
	u64 dir_pos;
	unsigned int name_len;
	union {
		struct scoutfs_dirent dent;
		u8 bytes[sizeof(struct scoutfs_dirent) + SCOUTFS_NAME_LEN];
	} val;
};

/*
 * Read the first link of ino at or after (dir_ino, dir_pos) in backref
 * order.  -ENOENT when there is none.
 */
static int next_backref(struct super_block *sb, u64 ino, u64 dir_ino,
			u64 dir_pos, struct backref *br)
{
	struct scoutfs_lock *lock;
	struct scoutfs_key key;
	struct scoutfs_key last;
	const char *why = NULL;
	u64 bad = 0;
	int ret;

	scoutfs_key_init(&key, SCOUTFS_KEY_ZONE_FS, ino,
			 SCOUTFS_FS_ITEM_TYPE_LINK_BACKREF, dir_ino, dir_pos, 0);
	scoutfs_key_init(&last, SCOUTFS_KEY_ZONE_FS, ino,
			 SCOUTFS_FS_ITEM_TYPE_LINK_BACKREF, U64_MAX, U64_MAX, U8_MAX);
	ret = scoutfs_lock_ino(sb, SCOUTFS_LOCK_READ, 0, ino, &lock);
	if (ret < 0)
		return ret;
	ret = scoutfs_item_next(sb, &key, &last, &br->val, sizeof(br->val), lock);
	scoutfs_unlock(sb, lock, SCOUTFS_LOCK_READ);
	if (ret < 0)
		return ret;

	br->dir_ino = le64_to_cpu(key.second);
	br->dir_pos = le64_to_cpu(key.third);
	br->name_len = ret - (int)sizeof(struct scoutfs_dirent);
	if (ret <= (int)sizeof(struct scoutfs_dirent) ||
	    ret > (int)sizeof(br->val)) {
		why = "value length: not a name of 1..255 bytes";
		bad = ret;
	} else {
		why = scoutfs_dirent_invalid(&br->val.dent, &bad);
	}
	if (!why) {
		if (key.fourth != 0 || le64_to_cpu(br->val.dent.ino) != ino ||
		    le64_to_cpu(br->val.dent.pos) != br->dir_pos) {
			why = "ino or pos: not the key's";
			bad = le64_to_cpu(br->val.dent.ino);
		} else if (le64_to_cpu(br->val.dent.hash) !=
			   scoutfs_name_hash(br->val.dent.name, br->name_len)) {
			why = "hash: not the name's";
			bad = le64_to_cpu(br->val.dent.hash);
		}
	}
	if (why) {
		scoutfs_err(sb, "inode %llu: link backref item (dir %llu pos %llu) is corrupt: %s, found %llu",
			    ino, br->dir_ino, br->dir_pos, why, bad);
		return -EFSCORRUPTED;
	}
	return 0;
}

/* the position just after (dir_ino, dir_pos); false when there is none */
static bool backref_pos_inc(u64 *dir_ino, u64 *dir_pos)
{
	if (++(*dir_pos))
		return true;
	return ++(*dir_ino) != 0;
}

/*
 * A path is built backwards from the end of a PATH_MAX buffer: each
 * name goes in front of what is there, with a '/' between.
 */
static int prepend_name(char *path, int *start, const struct backref *br)
{
	int need = br->name_len + (path[*start] ? 1 : 0);

	if (need > *start)
		return -ENAMETOOLONG;
	if (path[*start])
		path[--(*start)] = '/';
	*start -= br->name_len;
	memcpy(path + *start, br->val.dent.name, br->name_len);
	return 0;
}

/* a walk up that keeps seeing parents change gives up with ELOOP */
#define INO_PATH_RETRIES 16

/*
 * Find ino's first link at or after (dir_ino, dir_pos) and the path to
 * it from the root: the link's name, then each parent directory's name
 * from its single backref, up to the root.  Directories removed or
 * moved while we climb make us start over.  Not serialised with renames:
 * a path is what the links said while we read them.
 */
long scoutfs_ioc_ino_path(struct file *file, unsigned long arg)
{
	struct super_block *sb = file_inode(file)->i_sb;
	struct scoutfs_ioctl_ino_path args;
	struct scoutfs_ioctl_ino_path_result res;
	struct backref *br = NULL;
	char *path = NULL;
	unsigned int path_bytes;
	void __user *ures;
	u64 parent;
	int retries = 0;
	int start;
	int ret;

	if (!capable(CAP_DAC_READ_SEARCH))
		return -EPERM;
	if (copy_from_user(&args, (void __user *)arg, sizeof(args)))
		return -EFAULT;
	if (memchr_inv(args._pad, 0, sizeof(args._pad)))
		return -EINVAL;

	br = kmalloc(sizeof(*br), GFP_KERNEL);
	path = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!br || !path) {
		ret = -ENOMEM;
		goto out;
	}

retry:
	ret = next_backref(sb, args.ino, args.dir_ino, args.dir_pos, br);
	if (ret < 0)
		goto out;

	memset(&res, 0, sizeof(res));
	res.dir_ino = br->dir_ino;
	res.dir_pos = br->dir_pos;
	start = PATH_MAX - 1;
	path[start] = '\0';
	parent = br->dir_ino;
	for (;;) {
		ret = prepend_name(path, &start, br);
		if (ret < 0)
			goto out;
		if (parent == SCOUTFS_ROOT_INO)
			break;
		ret = next_backref(sb, parent, 0, 0, br);
		if (ret == -ENOENT) {
			if (++retries > INO_PATH_RETRIES) {
				ret = -ELOOP;
				goto out;
			}
			goto retry;
		}
		if (ret < 0)
			goto out;
		parent = br->dir_ino;
	}

	path_bytes = PATH_MAX - start;
	if (sizeof(res) + path_bytes > args.result_bytes) {
		ret = -ENAMETOOLONG;
		goto out;
	}
	res.path_bytes = path_bytes;
	ures = u64_to_user_ptr(args.result_ptr);
	if (copy_to_user(ures, &res, sizeof(res)) ||
	    copy_to_user(ures + sizeof(res), path + start, path_bytes))
		ret = -EFAULT;
	else
		ret = 0;
out:
	kfree(path);
	kfree(br);
	return ret;
}

/* a record: the fixed part, the name and its NUL, 16-byte aligned */
static unsigned int dirent_bytes(unsigned int name_len)
{
	return round_up(offsetof(struct scoutfs_ioctl_dirent, name) +
			name_len + 1, 16);
}

/*
 * Pack a record for each link of ino from (dir_ino, dir_pos) on, in
 * backref order, as many as fit; the inode's final link is flagged
 * LAST.  Returns the number of records; EINVAL when not even the first
 * one fits.
 */
long scoutfs_ioc_get_referring_entries(struct file *file, unsigned long arg)
{
	struct super_block *sb = file_inode(file)->i_sb;
	struct scoutfs_ioctl_get_referring_entries args;
	struct scoutfs_ioctl_dirent *ent = NULL;
	struct backref *cur = NULL;
	struct backref *nxt = NULL;
	void __user *uents;
	unsigned int bytes;
	u64 dir_ino;
	u64 dir_pos;
	u64 off = 0;
	long count = 0;
	bool last;
	int ret;

	if (!capable(CAP_DAC_READ_SEARCH))
		return -EPERM;
	if (copy_from_user(&args, (void __user *)arg, sizeof(args)))
		return -EFAULT;

	ent = kmalloc(dirent_bytes(SCOUTFS_NAME_LEN), GFP_KERNEL);
	cur = kmalloc(sizeof(*cur), GFP_KERNEL);
	nxt = kmalloc(sizeof(*nxt), GFP_KERNEL);
	if (!ent || !cur || !nxt) {
		ret = -ENOMEM;
		goto out;
	}
	uents = u64_to_user_ptr(args.entries_ptr);

	ret = next_backref(sb, args.ino, args.dir_ino, args.dir_pos, cur);
	while (ret == 0) {
		bytes = dirent_bytes(cur->name_len);
		if (bytes > args.entries_bytes - off) {
			if (count == 0)
				ret = -EINVAL;
			break;
		}

		dir_ino = cur->dir_ino;
		dir_pos = cur->dir_pos;
		if (backref_pos_inc(&dir_ino, &dir_pos))
			ret = next_backref(sb, args.ino, dir_ino, dir_pos, nxt);
		else
			ret = -ENOENT;
		if (ret < 0 && ret != -ENOENT)
			break;
		last = ret == -ENOENT;

		memset(ent, 0, bytes);
		ent->dir_ino = cur->dir_ino;
		ent->dir_pos = cur->dir_pos;
		ent->ino = args.ino;
		ent->entry_bytes = bytes;
		ent->flags = last ? SCOUTFS_DIRENT_FLAG_LAST : 0;
		ent->d_type = cur->val.dent.type;
		ent->name_len = cur->name_len;
		memcpy(ent->name, cur->val.dent.name, cur->name_len);
		if (copy_to_user(uents + off, ent, bytes)) {
			ret = -EFAULT;
			break;
		}
		off += bytes;
		count++;
		swap(cur, nxt);
	}
	if (ret == -ENOENT)
		ret = 0;
out:
	kfree(nxt);
	kfree(cur);
	kfree(ent);
	return ret ? ret : count;
}

/* ------------------------------------------------------------ dispatch */

/*
 * The table is generated from format/ioctl.ts (gen/glue.c): an entry
 * matches only the exact command (number, direction and argument size).
 */
long scoutfs_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	const struct scoutfs_ioctl_op *op;
	unsigned int nr = _IOC_NR(cmd);

	if (_IOC_TYPE(cmd) != SCOUTFS_IOCTL_MAGIC || nr >= SCOUTFS_IOCTL_NR)
		return -ENOTTY;
	op = &scoutfs_ioctl_ops[array_index_nospec(nr, SCOUTFS_IOCTL_NR)];
	if (op->cmd != cmd)
		return -ENOTTY;
	if (!op->handler)
		return -EOPNOTSUPP;
	return op->handler(file, arg);
}
