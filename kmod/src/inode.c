// SPDX-License-Identifier: GPL-2.0
#include <linux/fs.h>
#include <linux/slab.h>
#include "format.h"
#include "glue.h"
#include "super.h"
#include "item.h"
#include "inode.h"
#include "msg.h"

static struct kmem_cache *cachep;

struct inode *scoutfs_alloc_inode(struct super_block *sb)
{
	struct scoutfs_inode_info *si = alloc_inode_sb(sb, cachep, GFP_NOFS);

	return si ? &si->inode : NULL;
}

void scoutfs_free_inode(struct inode *inode)
{
	kmem_cache_free(cachep, SCOUTFS_I(inode));
}

void scoutfs_evict_inode(struct inode *inode)
{
	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
}

int scoutfs_drop_inode(struct inode *inode)
{
	return generic_drop_inode(inode);
}

struct inode *scoutfs_iget(struct super_block *sb, u64 ino)
{
	struct scoutfs_inode_item item;
	struct scoutfs_inode_item_cpu c;
	struct scoutfs_key key;
	struct inode *inode;
	int ret;

	inode = iget_locked(sb, ino);
	if (!inode)
		return ERR_PTR(-ENOMEM);
	if (!(inode->i_state & I_NEW))
		return inode;
	scoutfs_key_init(&key, SCOUTFS_KEY_ZONE_FS, ino, SCOUTFS_FS_ITEM_TYPE_INODE, 0, 0, 0);
	ret = scoutfs_item_lookup_exact(sb, &key, &item, sizeof(item));
	if (ret < 0) {
		iget_failed(inode);
		return ERR_PTR(ret);
	}
	scoutfs_inode_item_to_cpu(&c, &item);
	inode->i_mode = c.mode;
	set_nlink(inode, c.nlink);
	inode->i_op = &simple_dir_inode_operations;
	inode->i_fop = &simple_dir_operations;
	unlock_new_inode(inode);
	return inode;
}

int scoutfs_orphan_recover(struct super_block *sb)
{
	return 0;
}

static void init_once(void *p)
{
	inode_init_once(&((struct scoutfs_inode_info *)p)->inode);
}

int scoutfs_inode_cache_init(void)
{
	cachep = kmem_cache_create("scoutfs_inode_t", sizeof(struct scoutfs_inode_info), 0,
				   SLAB_RECLAIM_ACCOUNT | SLAB_ACCOUNT, init_once);
	return cachep ? 0 : -ENOMEM;
}

void scoutfs_inode_cache_exit(void)
{
	rcu_barrier();
	kmem_cache_destroy(cachep);
}
