// SPDX-License-Identifier: GPL-2.0
/* 6.7: the inode's mtime and atime only through inode_{get,set}_[am]time*() */
#include <linux/fs.h>

void probe(struct inode *inode);
void probe(struct inode *inode)
{
	inode_set_mtime_to_ts(inode, inode_get_mtime(inode));
	inode_set_atime_to_ts(inode, inode_get_atime(inode));
}
