// SPDX-License-Identifier: GPL-2.0
/*
 * super.c: module init/exit and the scoutfs file_system_type.
 */
#include <linux/module.h>
#include <linux/fs.h>

#include "format.h"
#include "ioctl.h"
#include "messages.h"
#include "ondisk_check.h"
#include "format_hash.h"
#include "glue.h"

static struct dentry *scoutfs_mount(struct file_system_type *fs_type,
				    int flags, const char *dev_name,
				    void *data)
{
	pr_err_ratelimited("scoutfs: mount is not implemented yet\n");
	return ERR_PTR(-EOPNOTSUPP);
}

static struct file_system_type scoutfs_fs_type = {
	.owner		= THIS_MODULE,
	.name		= "scoutfs",
	.mount		= scoutfs_mount,
	.kill_sb	= kill_block_super,
	.fs_flags	= FS_REQUIRES_DEV,
};
MODULE_ALIAS_FS("scoutfs");

static int __init scoutfs_init(void)
{
	return register_filesystem(&scoutfs_fs_type);
}

static void __exit scoutfs_exit(void)
{
	unregister_filesystem(&scoutfs_fs_type);
}

module_init(scoutfs_init);
module_exit(scoutfs_exit);

MODULE_AUTHOR("scoutfs developers");
MODULE_DESCRIPTION("scoutfs clustered archival filesystem");
MODULE_LICENSE("GPL");
