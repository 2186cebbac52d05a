// SPDX-License-Identifier: GPL-2.0
/*
 * file.c: regular file operations: buffered reads and writes through the
 * page cache (data.c maps the blocks), mmap, fsync and fallocate.
 *
 * A write records its time and data_version change in the inode item
 * before copying; write_end then moves data_seq to the transaction that
 * each page's change lands in and records a grown size.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/uio.h>

#include "format.h"
#include "super.h"
#include "trans.h"
#include "inode.h"
#include "data.h"
#include "xattr.h"
#include "lock.h"
#include "file.h"
#include "ioctl.h"
#include "msg.h"

/*
 * Reads map blocks under the inode's READ lock, refreshed first: the size
 * another mount wrote is the one read against.
 */
static ssize_t scoutfs_file_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	struct scoutfs_lock_task lt;
	struct scoutfs_lock *lock;
	ssize_t ret;

	ret = scoutfs_lock_inode_task(inode, SCOUTFS_LOCK_READ, &lt, &lock);
	if (ret < 0)
		return ret;
	ret = generic_file_read_iter(iocb, to);
	scoutfs_unlock_inode_task(inode, SCOUTFS_LOCK_READ, &lt, lock);
	return ret;
}

static ssize_t scoutfs_file_splice_read(struct file *in, loff_t *ppos,
					struct pipe_inode_info *pipe, size_t len,
					unsigned int flags)
{
	struct inode *inode = file_inode(in);
	struct scoutfs_lock_task lt;
	struct scoutfs_lock *lock;
	ssize_t ret;

	ret = scoutfs_lock_inode_task(inode, SCOUTFS_LOCK_READ, &lt, &lock);
	if (ret < 0)
		return ret;
	ret = filemap_splice_read(in, ppos, pipe, len, flags);
	scoutfs_unlock_inode_task(inode, SCOUTFS_LOCK_READ, &lt, lock);
	return ret;
}

static ssize_t scoutfs_file_write_iter(struct kiocb *iocb,
				       struct iov_iter *from)
{
	struct file *file = iocb->ki_filp;
	struct inode *inode = file_inode(file);
	struct super_block *sb = inode->i_sb;
	struct scoutfs_lock_task lt;
	struct scoutfs_lock *lock;
	bool grow;
	ssize_t ret;
	int err;

	inode_lock(inode);
	ret = scoutfs_lock_inode_task(inode, SCOUTFS_LOCK_WRITE, &lt, &lock);
	if (ret < 0) {
		inode_unlock(inode);
		return ret;
	}
	ret = generic_write_checks(iocb, from);
	if (ret <= 0)
		goto out;
	if (iocb->ki_pos >= SCOUTFS_MAX_FILE_SIZE) {
		ret = -EFBIG;
		goto out;
	}
	iov_iter_truncate(from, SCOUTFS_MAX_FILE_SIZE - iocb->ki_pos);
	ret = file_remove_privs(file);
	if (ret)
		goto out;
	/* a write past EOF grows the size over the blocks between */
	grow = iocb->ki_pos > i_size_read(inode);
	if (grow) {
		ret = scoutfs_data_trim_prealloc(inode);
		if (ret == 0)
			ret = scoutfs_data_zero_tail(inode, i_size_read(inode));
		if (ret)
			goto out;
	}
	file_update_time(file);

	ret = scoutfs_hold_trans(sb);
	if (ret < 0)
		goto out;
	/* the zeroed tail is written before the size that covers it commits */
	if (grow)
		scoutfs_trans_track_inode(sb, inode);
	/* only the times changed in memory yet: a failure can keep them */
	ret = scoutfs_update_inode_item(inode, SCOUTFS_UPD_DATA |
					SCOUTFS_UPD_DATA_VERSION |
					SCOUTFS_UPD_FIRST, lock);
	scoutfs_release_trans(sb);
	if (ret < 0)
		goto out;

	/* advances ki_pos */
	ret = generic_perform_write(iocb, from);
out:
	scoutfs_unlock_inode_task(inode, SCOUTFS_LOCK_WRITE, &lt, lock);
	inode_unlock(inode);
	if (ret > 0) {
		err = generic_write_sync(iocb, ret);
		if (err < 0)
			ret = err;
	}
	return ret;
}

/* a writer's close frees the blocks its writes preallocated past EOF */
static int scoutfs_file_release(struct inode *inode, struct file *file)
{
	struct scoutfs_lock_task lt;
	struct scoutfs_lock *lock;
	int ret;

	if (!(file->f_mode & FMODE_WRITE) || !scoutfs_data_has_prealloc(inode))
		return 0;
	inode_lock(inode);
	ret = scoutfs_lock_inode_task(inode, SCOUTFS_LOCK_WRITE, &lt, &lock);
	if (ret == 0) {
		ret = scoutfs_data_trim_prealloc(inode);
		scoutfs_unlock_inode_task(inode, SCOUTFS_LOCK_WRITE, &lt, lock);
	}
	inode_unlock(inode);
	if (ret)
		scoutfs_err(inode->i_sb, "inode %llu: freeing preallocated blocks at close failed: %d",
			    scoutfs_ino(inode), ret);
	return 0;
}

static int scoutfs_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	file_accessed(file);
	vma->vm_ops = &scoutfs_file_vm_ops;
	return 0;
}

/* write the file's dirty pages, then commit the transaction */
int scoutfs_fsync(struct file *file, loff_t start, loff_t end, int datasync)
{
	struct inode *inode = file_inode(file);
	int ret;

	ret = file_write_and_wait_range(file, start, end);
	if (ret)
		return ret;
	return scoutfs_trans_sync(inode->i_sb, 1);
}

const struct file_operations scoutfs_file_fops = {
	.llseek		= generic_file_llseek,
	.read_iter	= scoutfs_file_read_iter,
	.write_iter	= scoutfs_file_write_iter,
	.mmap		= scoutfs_file_mmap,
	.open		= generic_file_open,
	.release	= scoutfs_file_release,
	.fsync		= scoutfs_fsync,
	.unlocked_ioctl	= scoutfs_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.splice_read	= scoutfs_file_splice_read,
	.splice_write	= iter_file_splice_write,
	.fallocate	= scoutfs_fallocate,
};

const struct inode_operations scoutfs_file_iops = {
	.getattr	= scoutfs_getattr,
	.setattr	= scoutfs_setattr,
	.listxattr	= scoutfs_listxattr,
};
