/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SCOUTFS_SYMLINK_H_
#define _SCOUTFS_SYMLINK_H_

#include <linux/fs.h>

extern const struct inode_operations scoutfs_symlink_iops;

struct scoutfs_lock;

int scoutfs_symlink_create(struct inode *inode, const char *target,
			   unsigned int len, struct scoutfs_lock *lock);

#endif
