/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SCOUTFS_BTREE_H_
#define _SCOUTFS_BTREE_H_

#include "format.h"

/* one change of a commit: insert/replace, or delete */
struct scoutfs_btree_change {
	struct scoutfs_key key;
	u64 seq;
	bool deletion;
	u16 val_len;
	const void *val;
};

/* reads: value length (copying at most len bytes), -ENOENT, -EIO */
int scoutfs_btree_lookup(struct super_block *sb, struct scoutfs_btree_root *root,
			 const struct scoutfs_key *key, void *val, int len);
int scoutfs_btree_next(struct super_block *sb, struct scoutfs_btree_root *root,
		       const struct scoutfs_key *key, const struct scoutfs_key *last,
		       struct scoutfs_key *found, void *val, int len);
int scoutfs_btree_prev(struct super_block *sb, struct scoutfs_btree_root *root,
		       const struct scoutfs_key *key, const struct scoutfs_key *first,
		       struct scoutfs_key *found, void *val, int len);

/*
 * Apply sorted, unique-keyed changes copy-on-write: every touched block is
 * rewritten to newly allocated blocks stamped with seq, the old ones freed.
 */
int scoutfs_btree_apply(struct super_block *sb, struct scoutfs_btree_root *root,
			u64 seq, struct scoutfs_btree_change *chg, int nr);

#endif
