/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SCOUTFS_DIR_H_
#define _SCOUTFS_DIR_H_

#include <linux/fs.h>
#include "name_hash.h"

extern const struct file_operations scoutfs_dir_fops;
extern const struct inode_operations scoutfs_dir_iops;
extern const struct dentry_operations scoutfs_dentry_ops;


#endif
