// SPDX-License-Identifier: GPL-2.0
/*
 * super.c: module init/exit, mount options, mounting (opening and
 * verifying both devices), unmount, statfs and sync.
 *
 * Mount writes nothing until every check has passed, and a volume that
 * fails one is left exactly as it was: the first write is the quorum
 * election's (quorum.c), which decides whether this mount may write.
 *
 * A read-only mount (-o ro, or remount,ro) writes nothing at all: the
 * metadata device is opened without write access (the VFS does so for
 * the data device), so read-only block devices mount; transactions
 * can't be held (EROFS) and nothing commits; orphaned inodes are left
 * for remount,rw or the next read-write mount to delete.
 */
#include <linux/module.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/blkdev.h>
#include <linux/slab.h>
#include <linux/statfs.h>
#include <linux/seq_file.h>
#include <linux/random.h>

#include "format.h"
#include "ioctl.h"
#include "messages.h"
#include "ondisk_check.h"
#include "format_hash.h"
#include "glue.h"
#include "super.h"
#include "block.h"
#include "item.h"
#include "forest.h"
#include "sysfs.h"
#include "lock.h"
#include "alloc.h"
#include "trans.h"
#include "inode.h"
#include "xattr.h"
#include "export.h"
#include "quorum.h"
#include "sysfs.h"
#include "msg.h"
#include "server.h"
#include "client.h"
#include "dir.h"
#include "client.h"
#include "dir.h"

#define SCOUTFS_STATFS_MAGIC	0x554f4353	/* "SCOU" */

/* the option code itself is generated from format/mount.ts (gen/glue.c) */
static int scoutfs_parse_param(struct fs_context *fc, struct fs_parameter *param)
{
	return scoutfs_mount_options_parse(fc, param, fc->fs_private);
}

static int scoutfs_show_options(struct seq_file *seq, struct dentry *root)
{
	scoutfs_mount_options_show(seq, &SCOUTFS_SB(root->d_sb)->opts);
	return 0;
}

/*
 * The seq below which every transaction of every mount is committed: the
 * server's, asked over the wire by its clients.
 */
int scoutfs_cluster_stable_seq(struct super_block *sb, u64 *seq)
{
	if (SCOUTFS_SB(sb)->follower)
		return scoutfs_client_get_last_seq(sb, seq);
	*seq = scoutfs_server_stable_seq(sb);
	return 0;
}

u64 scoutfs_next_seq(struct super_block *sb)
{
	return atomic64_inc_return(&SCOUTFS_SB(sb)->next_seq) - 1;
}

/* a client's inode numbers come in runs from the server */
static int client_alloc_ino(struct super_block *sb, u64 *ino)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	u64 start, nr;
	int ret;

	for (;;) {
		spin_lock(&sbi->ino_lock);
		if (sbi->next_ino < sbi->ino_end) {
			*ino = sbi->next_ino++;
			spin_unlock(&sbi->ino_lock);
			return 0;
		}
		spin_unlock(&sbi->ino_lock);
		mutex_lock(&sbi->ino_mutex);
		ret = 0;
		if (READ_ONCE(sbi->next_ino) >= READ_ONCE(sbi->ino_end)) {
			ret = scoutfs_client_alloc_inodes(sb, &start, &nr);
			if (ret == 0) {
				spin_lock(&sbi->ino_lock);
				sbi->next_ino = start;
				sbi->ino_end = start + nr;
				spin_unlock(&sbi->ino_lock);
			}
		}
		mutex_unlock(&sbi->ino_mutex);
		if (ret)
			return ret;
	}
}

int scoutfs_alloc_ino(struct super_block *sb, u64 *ino)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	int ret = 0;

	if (sbi->follower)
		return client_alloc_ino(sb, ino);

	spin_lock(&sbi->ino_lock);
	if (sbi->next_ino == U64_MAX)
		ret = -ENOSPC;
	else
		*ino = sbi->next_ino++;
	spin_unlock(&sbi->ino_lock);
	return ret;
}

/*
 * Read one device's super block and check everything that can be checked
 * from it alone.  what names the device in messages.
 */
static int read_check_super(struct super_block *sb, struct block_device *bdev,
			    const char *what, const char *path, bool meta,
			    struct scoutfs_super_block *super)
{
	u64 flags;
	int ret;

	ret = scoutfs_block_read_super(sb, bdev, super);
	if (ret == -EBADMSG && le32_to_cpu(super->hdr.magic) != SCOUTFS_BLOCK_MAGIC_SUPER) {
		scoutfs_err(sb, "%s device %s has no scoutfs super block (magic %08x); was it made with scoutfs mkfs?",
			    what, path, le32_to_cpu(super->hdr.magic));
		return -EINVAL;
	}
	if (ret == -EBADMSG) {
		scoutfs_err(sb, "%s device %s: super block checksum mismatch (stored %08x, computed over the block differs); the super block is corrupt",
			    what, path, le32_to_cpu(super->hdr.crc));
		return -EINVAL;
	}
	if (ret) {
		scoutfs_err(sb, "%s device %s: error %d reading the super block", what, path, ret);
		return ret;
	}
	if (le32_to_cpu(super->hdr.magic) != SCOUTFS_BLOCK_MAGIC_SUPER) {
		scoutfs_err(sb, "%s device %s: wrong super block magic %08x", what, path,
			    le32_to_cpu(super->hdr.magic));
		return -EINVAL;
	}
	if (le64_to_cpu(super->hdr.blkno) != SCOUTFS_SUPER_BLKNO) {
		scoutfs_err(sb, "%s device %s: super block claims blkno %llu", what, path,
			    le64_to_cpu(super->hdr.blkno));
		return -EINVAL;
	}
	if (le64_to_cpu(super->format_hash) != SCOUTFS_FORMAT_HASH) {
		scoutfs_err(sb, "%s device %s: format hash mismatch: the volume has %016llx, this module was built for %016llx; use a module built from the volume's format",
			    what, path, le64_to_cpu(super->format_hash), SCOUTFS_FORMAT_HASH);
		return -EINVAL;
	}
	if (le64_to_cpu(super->version) < SCOUTFS_FORMAT_VERSION_MIN ||
	    le64_to_cpu(super->version) > SCOUTFS_FORMAT_VERSION_MAX) {
		scoutfs_err(sb, "%s device %s: format version %llu outside the supported %u..%u",
			    what, path, le64_to_cpu(super->version),
			    SCOUTFS_FORMAT_VERSION_MIN, SCOUTFS_FORMAT_VERSION_MAX);
		return -EINVAL;
	}
	flags = le64_to_cpu(super->flags);
	if (meta && !(flags & SCOUTFS_SUPER_FLAG_META_DEV)) {
		scoutfs_err(sb, "metadata device %s is a scoutfs data device: are metadev_path and the mount source swapped?",
			    path);
		return -EINVAL;
	}
	if (!meta && (flags & SCOUTFS_SUPER_FLAG_META_DEV)) {
		scoutfs_err(sb, "data device %s is a scoutfs metadata device: are metadev_path and the mount source swapped?",
			    path);
		return -EINVAL;
	}
	if (flags & ~(u64)SCOUTFS_SUPER_FLAG_META_DEV) {
		scoutfs_err(sb, "%s device %s: unknown super block flags %llx", what, path, flags);
		return -EINVAL;
	}
	if (!scoutfs_super_block_pads_zero(super)) {
		scoutfs_err(sb, "%s device %s: super block padding is not zero", what, path);
		return -EINVAL;
	}
	return 0;
}

/* the metadata super's contents must make sense before anything uses them */
static int check_meta_super(struct super_block *sb, struct scoutfs_super_block *super,
			    struct block_device *meta_bdev)
{
	u64 tm = le64_to_cpu(super->total_meta_blocks);
	u64 td = le64_to_cpu(super->total_data_blocks);
	int slot = SCOUTFS_SB(sb)->opts.quorum_slot_nr;

	if (tm > (bdev_nr_bytes(meta_bdev) >> SCOUTFS_BLOCK_LG_SHIFT) ||
	    tm <= SCOUTFS_META_DEV_START_BLKNO) {
		scoutfs_err(sb, "super block records %llu metadata blocks, the metadata device holds %llu",
			    tm, (u64)(bdev_nr_bytes(meta_bdev) >> SCOUTFS_BLOCK_LG_SHIFT));
		return -EINVAL;
	}
	if (td > (bdev_nr_bytes(sb->s_bdev) >> SCOUTFS_BLOCK_SM_SHIFT) ||
	    td <= SCOUTFS_DATA_DEV_START_BLKNO) {
		scoutfs_err(sb, "super block records %llu data blocks, the data device holds %llu",
			    td, (u64)(bdev_nr_bytes(sb->s_bdev) >> SCOUTFS_BLOCK_SM_SHIFT));
		return -EINVAL;
	}
	if (super->fs_root.height > SCOUTFS_BTREE_MAX_HEIGHT ||
	    (super->fs_root.height == 0) != (super->fs_root.ref.blkno == 0)) {
		scoutfs_err(sb, "super block: bad fs root (height %u blkno %llu)",
			    super->fs_root.height, le64_to_cpu(super->fs_root.ref.blkno));
		return -EINVAL;
	}
	if (super->logs_root.height > SCOUTFS_BTREE_MAX_HEIGHT ||
	    (super->logs_root.height == 0) != (super->logs_root.ref.blkno == 0)) {
		scoutfs_err(sb, "super block: bad logs root (height %u blkno %llu)",
			    super->logs_root.height, le64_to_cpu(super->logs_root.ref.blkno));
		return -EINVAL;
	}
	if (le64_to_cpu(super->next_ino) < SCOUTFS_FIRST_USER_INO || le64_to_cpu(super->seq) < 2) {
		scoutfs_err(sb, "super block: bad next_ino %llu or seq %llu",
			    le64_to_cpu(super->next_ino), le64_to_cpu(super->seq));
		return -EINVAL;
	}
	if (slot >= 0 &&
	    (slot >= SCOUTFS_QUORUM_MAX_SLOTS ||
	     super->quorum.slots[slot].family != SCOUTFS_QUORUM_ADDR_FAMILY_IPV4)) {
		scoutfs_err(sb, "quorum_slot_nr=%d is not a quorum slot of this volume (see scoutfs print)",
			    slot);
		return -EINVAL;
	}
	return 0;
}

static int scoutfs_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct scoutfs_mount_options *opts = fc->fs_private;
	struct scoutfs_super_block *dsuper = NULL;
	struct scoutfs_sb_info *sbi;
	struct inode *inode;
	int ret;

	sbi = kzalloc(sizeof(*sbi), GFP_KERNEL);
	if (!sbi)
		return -ENOMEM;
	sb->s_fs_info = sbi;
	sbi->sb = sb;
	sbi->opts = *opts;
	opts->metadev_path = NULL;	/* sbi owns it now */
	spin_lock_init(&sbi->ino_lock);
	mutex_init(&sbi->ino_mutex);
	scoutfs_orphan_scan_init(sb);

	sb->s_magic = SCOUTFS_STATFS_MAGIC;
	sb->s_time_gran = 1;
	sb->s_maxbytes = SCOUTFS_MAX_FILE_SIZE;
	sb->s_xattr = scoutfs_xattr_handlers;
	sb->s_max_links = SCOUTFS_LINK_MAX;
	sb->s_op = NULL;

	if (!sb_set_blocksize(sb, SCOUTFS_BLOCK_SM_SIZE)) {
		scoutfs_err(sb, "data device does not support %u byte blocks", SCOUTFS_BLOCK_SM_SIZE);
		return -EINVAL;
	}

	sbi->read_only = sb_rdonly(sb);
	sbi->meta_write = !sbi->read_only;
	sbi->meta_bdev = scoutfs_bdev_open_path(sbi->opts.metadev_path, sbi->meta_write, sbi,
						 &sbi->meta_claim);
	if (IS_ERR(sbi->meta_bdev)) {
		ret = PTR_ERR(sbi->meta_bdev);
		sbi->meta_bdev = NULL;
		scoutfs_err(sb, "cannot open metadata device %s: error %d%s", sbi->opts.metadev_path,
			    ret, ret == -EBUSY ? " (in use: mounted, or the same device as the data device?)" :
			    ret == -EACCES ? " (a read-only device: mount with -o ro)" : "");
		return ret;
	}

	dsuper = kmalloc(sizeof(*dsuper), GFP_KERNEL);
	if (!dsuper)
		return -ENOMEM;
	ret = read_check_super(sb, sbi->meta_bdev, "metadata", sbi->opts.metadev_path, true, &sbi->super) ?:
	      read_check_super(sb, sb->s_bdev, "data", fc->source, false, dsuper);
	if (ret)
		goto out;
	if (sbi->super.hdr.fsid != dsuper->hdr.fsid ||
	    memcmp(sbi->super.uuid, dsuper->uuid, sizeof(dsuper->uuid))) {
		scoutfs_err(sb, "data device %s belongs to another filesystem (fsid %016llx, the metadata device's is %016llx)",
			    fc->source, le64_to_cpu(dsuper->hdr.fsid), le64_to_cpu(sbi->super.hdr.fsid));
		ret = -EINVAL;
		goto out;
	}
	ret = check_meta_super(sb, &sbi->super, sbi->meta_bdev);
	if (ret)
		goto out;

	sbi->fsid = le64_to_cpu(sbi->super.hdr.fsid);
	sbi->rid = get_random_u64();
	sbi->next_ino = le64_to_cpu(sbi->super.next_ino);
	/* super.seq is the open transaction's (trans.c), the counter goes on from it */
	atomic64_set(&sbi->next_seq, le64_to_cpu(sbi->super.seq) + 1);
	atomic64_set(&sbi->inode_count, le64_to_cpu(sbi->super.inode_count));

	ret = scoutfs_sysfs_setup(sb) ?:
	      scoutfs_block_setup(sb) ?:
	      scoutfs_alloc_setup(sb) ?:
	      scoutfs_item_setup(sb) ?:
	      scoutfs_forest_setup(sb) ?:
	      scoutfs_lock_setup(sb) ?:
	      scoutfs_trans_setup(sb);
	if (ret)
		goto out;

	/*
	 * The first write: after every check, once this mount may write.
	 * The server in every mount of a slot for now; its own client
	 * greets it.  Every item read takes a lock, which the server grants:
	 * the root inode is read once the client is connected.
	 */
	ret = scoutfs_quorum_setup(sb);
	if (ret)
		goto out;
	/*
	 * The server's mount reads the volume's free space and log btrees
	 * from the super block; any other mount is a client of the server's
	 * and gets what it writes with and reads from the server.
	 */
	if (scoutfs_quorum_serves(sb)) {
		ret = scoutfs_alloc_load_super(sb) ?:
		      scoutfs_forest_load_super(sb);
		if (ret)
			goto out;
	}
	ret = scoutfs_server_setup(sb) ?:
	      scoutfs_client_setup(sb);
	if (ret)
		goto out;
	if (!sbi->server) {
		ret = scoutfs_client_follow(sb);
		if (ret)
			goto out;
	}

	sb->s_op = &scoutfs_super_ops;
	sb->s_d_op = &scoutfs_dentry_ops;
	sb->s_export_op = &scoutfs_export_ops;
	inode = scoutfs_iget(sb, SCOUTFS_ROOT_INO);
	if (IS_ERR(inode)) {
		ret = PTR_ERR(inode);
		scoutfs_err(sb, "cannot read the root directory: error %d", ret);
		goto out;
	}
	if (!S_ISDIR(inode->i_mode)) {
		scoutfs_err(sb, "the root inode is not a directory (mode %o)", inode->i_mode);
		iput(inode);
		ret = -EIO;
		goto out;
	}
	sb->s_root = d_make_root(inode);
	if (!sb->s_root) {
		ret = -ENOMEM;
		goto out;
	}

	/*
	 * A client leaves merging to the server, and orphans too for now:
	 * deleting an inode another mount still has open needs deletion
	 * across mounts, which isn't built yet.
	 */
	if (sbi->follower) {
		scoutfs_info(sb, "mounted fsid %016llx, metadata device %s, transaction seq %llu, %sa client of the server in quorum slot %d (term %llu)",
			     sbi->fsid, sbi->opts.metadev_path, scoutfs_trans_seq(sb),
			     sbi->read_only ? "read-only, " : "", scoutfs_quorum_leader_slot(sb),
			     scoutfs_quorum_term(sb));
		goto out;
	}
	/* merging first: deleting orphans may need the space log btrees hold */
	scoutfs_forest_start(sb);
	if (!sbi->read_only) {
		ret = scoutfs_orphan_recover(sb);
		if (ret) {
			scoutfs_err(sb, "error %d deleting orphaned inodes", ret);
			goto out;
		}
		scoutfs_orphan_scan_start(sb);
	}
	if (sbi->read_only)
		scoutfs_info(sb, "mounted fsid %016llx, metadata device %s, transaction seq %llu, read-only, quorum slot %d (no election before remount,rw)",
			     sbi->fsid, sbi->opts.metadev_path, scoutfs_trans_seq(sb),
			     sbi->opts.quorum_slot_nr);
	else
		scoutfs_info(sb, "mounted fsid %016llx, metadata device %s, transaction seq %llu, quorum slot %d, leader of term %llu",
			     sbi->fsid, sbi->opts.metadev_path, scoutfs_trans_seq(sb),
			     sbi->opts.quorum_slot_nr, scoutfs_quorum_term(sb));
out:
	kfree(dsuper);
	/* on error the VFS calls kill_sb, which tears down what was set up */
	return ret;
}

/* tear down everything fill_super set up; safe on partial setups */
static void teardown(struct super_block *sb)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);

	if (!sbi)
		return;
	scoutfs_sysfs_destroy(sb);
	/* no message reaches a handler once the connections are gone */
	scoutfs_client_destroy(sb);
	scoutfs_server_destroy(sb);
	scoutfs_forest_destroy(sb);
	scoutfs_lock_destroy(sb);
	scoutfs_trans_destroy(sb);
	scoutfs_item_destroy(sb);
	scoutfs_alloc_destroy(sb);
	scoutfs_block_destroy(sb);
	/* after the last commit: a leader's STOP follows everything it wrote */
	scoutfs_quorum_destroy(sb);
	if (sbi->meta_bdev)
		scoutfs_bdev_close(&sbi->meta_claim);
	scoutfs_sysfs_free_counters(sb);
	scoutfs_mount_options_free(&sbi->opts);
	kfree(sbi);
	sb->s_fs_info = NULL;
}

static void scoutfs_put_super(struct super_block *sb)
{
	int ret;

	/* evicting the last inodes may have deleted items */
	scoutfs_forest_stop(sb);
	/* clients' commits would go into the server's mount's transactions */
	scoutfs_server_stop_commits(sb);
	ret = scoutfs_read_only(sb) ? 0 : scoutfs_trans_sync(sb, 1);
	if (ret)
		scoutfs_err(sb, "final commit at unmount failed: error %d", ret);
	scoutfs_trans_drop_tracked(sb);
	scoutfs_info(sb, "unmounted");
}

static void scoutfs_kill_sb(struct super_block *sb)
{
	/*
	 * Its igets must not race the VFS evicting every inode, nor must
	 * invalidations hold inode references or commit once it has.
	 */
	if (SCOUTFS_SB(sb)) {
		scoutfs_orphan_scan_stop(sb);
		scoutfs_lock_shutdown(sb);
	}
	kill_block_super(sb);
	teardown(sb);
}

static int scoutfs_sync_fs(struct super_block *sb, int wait)
{
	if (!SCOUTFS_SB(sb)->trans || scoutfs_read_only(sb))
		return 0;
	/*
	 * A client with nothing to commit still moves its open transaction
	 * to a fresh seq: after a sync of every mount, walk-inodes lists
	 * everything they committed.
	 */
	if (wait)
		scoutfs_trans_want_advance(sb);
	return scoutfs_trans_sync(sb, wait);
}

/* the counts come from the server, as every mount of the volume sees them */
static int scoutfs_statfs(struct dentry *dentry, struct kstatfs *kst)
{
	struct super_block *sb = dentry->d_sb;
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	u64 per = 1ULL << (SCOUTFS_BLOCK_LG_SHIFT - SCOUTFS_BLOCK_SM_SHIFT);
	struct scoutfs_net_statfs st;
	u64 files;
	int ret;

	ret = scoutfs_client_statfs(sb, &st);
	if (ret)
		return ret;
	kst->f_type = SCOUTFS_STATFS_MAGIC;
	kst->f_bsize = SCOUTFS_BLOCK_SM_SIZE;
	kst->f_frsize = SCOUTFS_BLOCK_SM_SIZE;
	kst->f_blocks = le64_to_cpu(st.total_meta_blocks) * per +
			le64_to_cpu(st.total_data_blocks);
	kst->f_bfree = le64_to_cpu(st.free_meta_blocks) * per +
		       le64_to_cpu(st.free_data_blocks);
	kst->f_bavail = kst->f_bfree;
	/* inodes are items: estimate 2 KiB of metadata space per inode */
	files = (le64_to_cpu(st.total_meta_blocks) << SCOUTFS_BLOCK_LG_SHIFT) / 2048;
	kst->f_files = files;
	kst->f_ffree = files - min_t(u64, files, le64_to_cpu(st.inode_count));
	kst->f_namelen = SCOUTFS_NAME_LEN;
	kst->f_fsid.val[0] = (u32)sbi->fsid;
	kst->f_fsid.val[1] = (u32)(sbi->fsid >> 32);
	return 0;
}

const struct super_operations scoutfs_super_ops = {
	.alloc_inode	= scoutfs_alloc_inode,
	.free_inode	= scoutfs_free_inode,
	.evict_inode	= scoutfs_evict_inode,
	.drop_inode	= scoutfs_drop_inode,
	.put_super	= scoutfs_put_super,
	.sync_fs	= scoutfs_sync_fs,
	.statfs		= scoutfs_statfs,
	.show_options	= scoutfs_show_options,
};

static int scoutfs_get_tree(struct fs_context *fc)
{
	return scoutfs_mount_options_check(fc, fc->fs_private) ?:
	       get_tree_bdev(fc, scoutfs_fill_super);
}

static void scoutfs_free_fc(struct fs_context *fc)
{
	struct scoutfs_mount_options *opts = fc->fs_private;

	if (opts) {
		scoutfs_mount_options_free(opts);
		kfree(opts);
	}
}

/*
 * remount,ro: everything is committed first.  The VFS lets no writer in
 * meanwhile, and refuses while unlinked inodes are open (s_remove_count),
 * so nothing is left to delete at evict.
 */
static int remount_ro(struct super_block *sb)
{
	int ret;

	/* the scan's deletions must not be cut short by the switch to read-only */
	scoutfs_orphan_scan_stop(sb);
	scoutfs_forest_stop(sb);
	ret = scoutfs_trans_sync(sb, 1);
	if (ret) {
		scoutfs_err(sb, "commit before remounting read-only failed: error %d", ret);
		scoutfs_forest_start(sb);
		scoutfs_orphan_scan_start(sb);
		return ret;
	}
	WRITE_ONCE(SCOUTFS_SB(sb)->read_only, true);
	/* its last write: a leader records STOP and resigns */
	scoutfs_quorum_stop(sb);
	scoutfs_info(sb, "remounted read-only");
	return 0;
}

/*
 * remount,rw: the metadata device is opened for writing (the VFS has
 * refused a read-only data device already) and the orphaned inodes the
 * read-only mount left are deleted.
 */
static int remount_rw(struct super_block *sb)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	struct scoutfs_bdev_claim claim;
	struct block_device *bdev;
	int ret;

	if (bdev_read_only(sbi->meta_bdev)) {
		scoutfs_err(sb, "metadata device %s is read-only: cannot remount read-write",
			    sbi->opts.metadev_path);
		return -EACCES;
	}
	if (!sbi->meta_write) {
		/* the same device and holder: a second claim of it */
		bdev = scoutfs_bdev_open_dev(sbi->meta_bdev->bd_dev, true, sbi, &claim);
		if (IS_ERR(bdev)) {
			ret = PTR_ERR(bdev);
			scoutfs_err(sb, "cannot open metadata device %s for writing: error %d",
				    sbi->opts.metadev_path, ret);
			return ret;
		}
		scoutfs_bdev_close(&sbi->meta_claim);
		sbi->meta_bdev = bdev;
		sbi->meta_claim = claim;
		sbi->meta_write = true;
	}
	/* a member mounted read-only took no part in the election yet */
	ret = scoutfs_quorum_start(sb);
	if (ret)
		return ret;

	WRITE_ONCE(sbi->read_only, false);
	ret = scoutfs_orphan_recover(sb);
	if (ret) {
		scoutfs_err(sb, "error %d deleting orphaned inodes; staying read-only", ret);
		/* each deletion step was a whole transaction: keep those done */
		scoutfs_trans_sync(sb, 1);
		WRITE_ONCE(sbi->read_only, true);
		return ret;
	}
	scoutfs_forest_start(sb);
	scoutfs_orphan_scan_start(sb);
	scoutfs_info(sb, "remounted read-write, transaction seq %llu", scoutfs_trans_seq(sb));
	return 0;
}

/*
 * remount: the options given are checked against the mounted ones first
 * (one that cannot change must keep its value), so a refused remount
 * changes nothing; then ro/rw, then the options that can change take
 * effect (gen/glue.c, from format/mount.ts).
 */
static int scoutfs_reconfigure(struct fs_context *fc)
{
	struct super_block *sb = fc->root->d_sb;
	struct scoutfs_mount_options *opts = &SCOUTFS_SB(sb)->opts;
	u32 interval_ms = opts->commit_interval_ms;
	u32 scan_ms = opts->orphan_scan_delay_ms;
	bool ro = fc->sb_flags & SB_RDONLY;
	int ret;

	ret = scoutfs_mount_options_remount_check(fc, opts, fc->fs_private);
	if (ret)
		return ret;
	sync_filesystem(sb);
	if ((fc->sb_flags_mask & SB_RDONLY) && ro != scoutfs_read_only(sb)) {
		ret = ro ? remount_ro(sb) : remount_rw(sb);
		if (ret)
			return ret;
	}
	scoutfs_mount_options_remount_apply(opts, fc->fs_private);
	if (opts->commit_interval_ms != interval_ms)
		scoutfs_trans_interval_changed(sb);
	if (opts->orphan_scan_delay_ms != scan_ms && !scoutfs_read_only(sb))
		scoutfs_orphan_scan_start(sb);
	return 0;
}

static const struct fs_context_operations scoutfs_context_ops = {
	.parse_param	= scoutfs_parse_param,
	.get_tree	= scoutfs_get_tree,
	.reconfigure	= scoutfs_reconfigure,
	.free		= scoutfs_free_fc,
};

static int scoutfs_init_fs_context(struct fs_context *fc)
{
	struct scoutfs_mount_options *opts;

	opts = kzalloc(sizeof(*opts), GFP_KERNEL);
	if (!opts)
		return -ENOMEM;
	scoutfs_mount_options_init(opts);
	fc->fs_private = opts;
	fc->ops = &scoutfs_context_ops;
	return 0;
}

static struct file_system_type scoutfs_fs_type = {
	.owner			= THIS_MODULE,
	.name			= "scoutfs",
	.init_fs_context	= scoutfs_init_fs_context,
	.parameters		= scoutfs_param_specs,
	.kill_sb		= scoutfs_kill_sb,
	.fs_flags		= FS_REQUIRES_DEV,
};
MODULE_ALIAS_FS("scoutfs");

static int __init scoutfs_init(void)
{
	int ret;

	ret = scoutfs_inode_cache_init();
	if (ret)
		return ret;
	ret = scoutfs_sysfs_init();
	if (ret)
		goto out_cache;
	ret = register_filesystem(&scoutfs_fs_type);
	if (ret)
		goto out_sysfs;
	return 0;
out_sysfs:
	scoutfs_sysfs_exit();
out_cache:
	scoutfs_inode_cache_exit();
	return ret;
}

static void __exit scoutfs_exit(void)
{
	unregister_filesystem(&scoutfs_fs_type);
	scoutfs_sysfs_exit();
	scoutfs_inode_cache_exit();
}

module_init(scoutfs_init);
module_exit(scoutfs_exit);

MODULE_AUTHOR("scoutfs developers");
MODULE_DESCRIPTION("scoutfs clustered archival filesystem");
MODULE_LICENSE("GPL");
