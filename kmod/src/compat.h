/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h: every kernel API difference the module meets, in one place.
 *
 * The .c files call one spelling of each API.  Where a newer kernel added
 * a helper, it is provided here under the kernel's own name for kernels
 * without it; where a signature or a type changed, a scoutfs_ wrapper or
 * type name covers both.  What the target kernel has is decided by the
 * feature probes of kmod/probe.sh (kmod/probes/NAME.c, compiled against
 * the target headers, give SCOUTFS_HAVE_NAME in the generated
 * compat-probes.h), never by version numbers.
 */
#ifndef _SCOUTFS_COMPAT_H_
#define _SCOUTFS_COMPAT_H_

#include <linux/fs.h>
#include <linux/blkdev.h>
#include <linux/buffer_head.h>
#include <linux/mm.h>
#include <linux/shrinker.h>
#include <linux/slab.h>

#include "compat-probes.h"

/*
 * Inode operations are passed the mount's idmap (struct mnt_idmap) since
 * 6.3, its user namespace before.  The .c files write
 * "struct scoutfs_idmap *" and pass it on unchanged; &scoutfs_nop_idmap
 * is the identity mapping.
 */
#ifdef SCOUTFS_HAVE_MNT_IDMAP
#define scoutfs_idmap		mnt_idmap
#define scoutfs_nop_idmap	nop_mnt_idmap
#else
#define scoutfs_idmap		user_namespace
#define scoutfs_nop_idmap	init_user_ns
#endif

static inline void scoutfs_fillattr(struct scoutfs_idmap *idmap, u32 request_mask,
				    struct inode *inode, struct kstat *stat)
{
#ifdef SCOUTFS_HAVE_FILLATTR_REQUEST_MASK
	generic_fillattr(idmap, request_mask, inode, stat);
#else
	generic_fillattr(idmap, inode, stat);
#endif
}

/* inode timestamps only through accessors: ctime since 6.6, [am]time 6.7 */
#ifndef SCOUTFS_HAVE_INODE_GET_CTIME
static inline struct timespec64 inode_get_ctime(const struct inode *inode)
{
	return inode->i_ctime;
}

static inline struct timespec64 inode_set_ctime_to_ts(struct inode *inode,
						      struct timespec64 ts)
{
	inode->i_ctime = ts;
	return ts;
}

static inline struct timespec64 inode_set_ctime_current(struct inode *inode)
{
	return inode_set_ctime_to_ts(inode, current_time(inode));
}
#endif

#ifndef SCOUTFS_HAVE_INODE_GET_MTIME
static inline struct timespec64 inode_get_mtime(const struct inode *inode)
{
	return inode->i_mtime;
}

static inline struct timespec64 inode_set_mtime_to_ts(struct inode *inode,
						      struct timespec64 ts)
{
	inode->i_mtime = ts;
	return ts;
}

static inline struct timespec64 inode_get_atime(const struct inode *inode)
{
	return inode->i_atime;
}

static inline struct timespec64 inode_set_atime_to_ts(struct inode *inode,
						      struct timespec64 ts)
{
	inode->i_atime = ts;
	return ts;
}
#endif

/*
 * An exclusively claimed block device.  Since 6.9 it is an open file
 * (bdev_file_open_by_*(), released by bdev_fput(), which gives up the
 * claim before it returns); before, the bdev itself with the mode it was
 * opened with (blkdev_get_by_*() with FMODE_EXCL, blkdev_put()).  Either
 * way the holder passed in owns the claim: opening the same device again
 * with the same holder succeeds, any other holder gets EBUSY.
 */
struct scoutfs_bdev_claim {
#ifdef SCOUTFS_HAVE_BDEV_FILE_OPEN
	struct file *file;
#else
	struct block_device *bdev;
	fmode_t mode;
#endif
};

#ifdef SCOUTFS_HAVE_BDEV_FILE_OPEN
static inline struct block_device *
scoutfs_bdev_claimed(struct file *file, struct scoutfs_bdev_claim *claim)
{
	if (IS_ERR(file))
		return ERR_CAST(file);
	claim->file = file;
	return file_bdev(file);
}

static inline struct block_device *
scoutfs_bdev_open_path(const char *path, bool write, void *holder,
		       struct scoutfs_bdev_claim *claim)
{
	blk_mode_t mode = BLK_OPEN_READ | (write ? BLK_OPEN_WRITE : 0);

	return scoutfs_bdev_claimed(bdev_file_open_by_path(path, mode, holder, NULL), claim);
}

static inline struct block_device *
scoutfs_bdev_open_dev(dev_t dev, bool write, void *holder, struct scoutfs_bdev_claim *claim)
{
	blk_mode_t mode = BLK_OPEN_READ | (write ? BLK_OPEN_WRITE : 0);

	return scoutfs_bdev_claimed(bdev_file_open_by_dev(dev, mode, holder, NULL), claim);
}

static inline void scoutfs_bdev_close(struct scoutfs_bdev_claim *claim)
{
	bdev_fput(claim->file);
}
#else
static inline struct block_device *
scoutfs_bdev_claimed(struct block_device *bdev, fmode_t mode, struct scoutfs_bdev_claim *claim)
{
	if (!IS_ERR(bdev)) {
		claim->bdev = bdev;
		claim->mode = mode;
	}
	return bdev;
}

static inline struct block_device *
scoutfs_bdev_open_path(const char *path, bool write, void *holder,
		       struct scoutfs_bdev_claim *claim)
{
	fmode_t mode = FMODE_READ | FMODE_EXCL | (write ? FMODE_WRITE : 0);

	return scoutfs_bdev_claimed(blkdev_get_by_path(path, mode, holder), mode, claim);
}

static inline struct block_device *
scoutfs_bdev_open_dev(dev_t dev, bool write, void *holder, struct scoutfs_bdev_claim *claim)
{
	fmode_t mode = FMODE_READ | FMODE_EXCL | (write ? FMODE_WRITE : 0);

	return scoutfs_bdev_claimed(blkdev_get_by_dev(dev, mode, holder), mode, claim);
}

static inline void scoutfs_bdev_close(struct scoutfs_bdev_claim *claim)
{
	blkdev_put(claim->bdev, claim->mode);
}
#endif

/*
 * Shrinkers are allocated by the kernel since 6.7 (shrinker_alloc(), with
 * private_data; shrinker_free() waits for running scans and frees it);
 * before, the caller embedded and registered one.  Either way:
 * scoutfs_shrinker_create() returns a registered shrinker or an ERR_PTR,
 * the callbacks find their object with scoutfs_shrinker_private(), and
 * scoutfs_shrinker_destroy() returns once no callback runs.
 */
#ifdef SCOUTFS_HAVE_SHRINKER_ALLOC
static inline struct shrinker *
scoutfs_shrinker_create(unsigned long (*count)(struct shrinker *, struct shrink_control *),
			unsigned long (*scan)(struct shrinker *, struct shrink_control *),
			void *private, const char *name, const char *id)
{
	struct shrinker *shrinker = shrinker_alloc(0, "%s:%s", name, id);

	if (!shrinker)
		return ERR_PTR(-ENOMEM);
	shrinker->count_objects = count;
	shrinker->scan_objects = scan;
	shrinker->seeks = DEFAULT_SEEKS;
	shrinker->private_data = private;
	shrinker_register(shrinker);
	return shrinker;
}

static inline void *scoutfs_shrinker_private(struct shrinker *shrinker)
{
	return shrinker->private_data;
}

static inline void scoutfs_shrinker_destroy(struct shrinker *shrinker)
{
	shrinker_free(shrinker);
}
#else
struct scoutfs_compat_shrinker {
	struct shrinker shrinker;
	void *private;
};

static inline struct shrinker *
scoutfs_shrinker_create(unsigned long (*count)(struct shrinker *, struct shrink_control *),
			unsigned long (*scan)(struct shrinker *, struct shrink_control *),
			void *private, const char *name, const char *id)
{
	struct scoutfs_compat_shrinker *cs;
	int ret;

	cs = kzalloc(sizeof(*cs), GFP_KERNEL);
	if (!cs)
		return ERR_PTR(-ENOMEM);
	cs->shrinker.count_objects = count;
	cs->shrinker.scan_objects = scan;
	cs->shrinker.seeks = DEFAULT_SEEKS;
	cs->private = private;
	ret = register_shrinker(&cs->shrinker, "%s:%s", name, id);
	if (ret) {
		kfree(cs);
		return ERR_PTR(ret);
	}
	return &cs->shrinker;
}

static inline void *scoutfs_shrinker_private(struct shrinker *shrinker)
{
	return container_of(shrinker, struct scoutfs_compat_shrinker, shrinker)->private;
}

static inline void scoutfs_shrinker_destroy(struct shrinker *shrinker)
{
	unregister_shrinker(shrinker);
	kfree(container_of(shrinker, struct scoutfs_compat_shrinker, shrinker));
}
#endif

/*
 * Address space operations.  ->write_begin/->write_end pass a folio since
 * 6.12, a page before; the .c files write "struct scoutfs_wb_folio" and
 * hand it to block_write_begin()/generic_write_end() unchanged (which
 * unlocks and puts it, as it did the page).
 */
#ifdef SCOUTFS_HAVE_WRITE_BEGIN_FOLIO
#define scoutfs_wb_folio	folio
#else
#define scoutfs_wb_folio	page
#endif

/* the aops member that handles memory failure: a designated initializer */
#ifdef SCOUTFS_HAVE_ERROR_REMOVE_FOLIO
#define SCOUTFS_AOPS_ERROR_REMOVE	.error_remove_folio = generic_error_remove_folio
#else
#define SCOUTFS_AOPS_ERROR_REMOVE	.error_remove_page = generic_error_remove_page
#endif

#ifndef SCOUTFS_HAVE_FILEMAP_SPLICE_READ
/* the same signature; reads through ->read_iter (generic_file_read_iter) */
#define filemap_splice_read	generic_file_splice_read
#endif

#ifndef SCOUTFS_HAVE_VMF_FS_ERROR
static inline vm_fault_t vmf_fs_error(int err)
{
	return block_page_mkwrite_return(err);
}
#endif

#endif
