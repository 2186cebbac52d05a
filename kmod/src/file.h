/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SCOUTFS_FILE_H_
#define _SCOUTFS_FILE_H_

#include <linux/fs.h>

extern const struct file_operations scoutfs_file_fops;
extern const struct inode_operations scoutfs_file_iops;

int scoutfs_fsync(struct file *file, loff_t start, loff_t end, int datasync);

#endif
