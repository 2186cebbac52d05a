// SPDX-License-Identifier: GPL-2.0
/* 6.3: inode operations take a struct mnt_idmap, not a struct user_namespace */
#include <linux/fs.h>

int probe(struct mnt_idmap *idmap, struct dentry *dentry, struct iattr *attr);
int probe(struct mnt_idmap *idmap, struct dentry *dentry, struct iattr *attr)
{
	static const struct inode_operations iops = { .setattr = probe };

	return iops.setattr(idmap, dentry, attr) ?: setattr_prepare(&nop_mnt_idmap, dentry, attr);
}
