/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SCOUTFS_DATA_H_
#define _SCOUTFS_DATA_H_

#include <linux/fs.h>
#include <linux/buffer_head.h>
#include "format.h"

extern const struct address_space_operations scoutfs_aops;
extern const struct vm_operations_struct scoutfs_file_vm_ops;

int scoutfs_get_block(struct inode *inode, sector_t iblock,
		      struct buffer_head *bh, int create);
int scoutfs_data_zero_tail(struct inode *inode, loff_t size);
int scoutfs_data_truncate_extents(struct inode *inode, u64 size);
int scoutfs_data_trim_prealloc(struct inode *inode);
bool scoutfs_data_has_prealloc(struct inode *inode);
u64 scoutfs_data_blocks_past_eof(struct inode *inode);
int scoutfs_data_free_extent_item(struct super_block *sb, u64 ino,
				  struct scoutfs_key *key,
				  struct scoutfs_data_extent *val, int val_len);
long scoutfs_fallocate(struct file *file, int mode, loff_t offset, loff_t len);

#endif
