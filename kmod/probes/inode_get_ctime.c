// SPDX-License-Identifier: GPL-2.0
/* 6.6: the inode's ctime only through inode_{get,set}_ctime*() */
#include <linux/fs.h>

void probe(struct inode *inode);
void probe(struct inode *inode)
{
	inode_set_ctime_to_ts(inode, inode_get_ctime(inode));
	inode_set_ctime_current(inode);
}
