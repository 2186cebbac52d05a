/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SCOUTFS_XATTR_H_
#define _SCOUTFS_XATTR_H_

#include <linux/fs.h>
#include <linux/xattr.h>

/* the mount sets sb->s_xattr to these */
extern const struct xattr_handler *scoutfs_xattr_handlers[];

ssize_t scoutfs_listxattr(struct dentry *dentry, char *buffer, size_t size);

#endif
