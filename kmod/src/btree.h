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

/* what a read found besides the value: the item's seq and flags */
struct scoutfs_btree_meta {
	u64 seq;
	u8 flags;	/* SCOUTFS_ITEM_FLAG_DELETION: a log btree's marker */
};

/*
 * reads: value length (copying at most len bytes), -ENOENT, -EIO; meta
 * (may be NULL) gets the item's seq and flags.  Deletion markers are
 * items like any other here.
 */
int scoutfs_btree_lookup(struct super_block *sb, struct scoutfs_btree_root *root,
			 const struct scoutfs_key *key, void *val, int len,
			 struct scoutfs_btree_meta *meta);
/* as lookup, but with older, a copy whose seq is not above *older is as good as absent */
int scoutfs_btree_lookup_newer(struct super_block *sb, struct scoutfs_btree_root *root,
			       const struct scoutfs_key *key, void *val, int len,
			       struct scoutfs_btree_meta *meta, const u64 *older);
int scoutfs_btree_next(struct super_block *sb, struct scoutfs_btree_root *root,
		       const struct scoutfs_key *key, const struct scoutfs_key *last,
		       struct scoutfs_key *found, void *val, int len,
		       struct scoutfs_btree_meta *meta);
int scoutfs_btree_prev(struct super_block *sb, struct scoutfs_btree_root *root,
		       const struct scoutfs_key *key, const struct scoutfs_key *first,
		       struct scoutfs_key *found, void *val, int len,
		       struct scoutfs_btree_meta *meta);

/*
 * Call cb(arg, key, val, val_len) for each item from key to last in key
 * order, with the blocks held: cb must not sleep for long, nor touch
 * items.  cb returns 1 to go on, 0 to stop, or an error, which is
 * returned; otherwise 0.
 */
typedef int (*scoutfs_btree_item_cb)(void *arg, const struct scoutfs_key *key, u64 seq,
				     u8 flags, const void *val, int val_len);
int scoutfs_btree_read_items(struct super_block *sb, struct scoutfs_btree_root *root,
			     const struct scoutfs_key *key, const struct scoutfs_key *last,
			     scoutfs_btree_item_cb cb, void *arg);

/*
 * Apply sorted, unique-keyed changes copy-on-write: every touched block is
 * rewritten to newly allocated blocks stamped with seq, the old ones freed.
 * A deletion removes the item, or with SCOUTFS_BTREE_APPLY_MARKERS (log
 * btrees) leaves a deletion marker in its place.
 */
#define SCOUTFS_BTREE_APPLY_MARKERS	0x1
int scoutfs_btree_apply(struct super_block *sb, struct scoutfs_btree_root *root,
			u64 seq, struct scoutfs_btree_change *chg, int nr, unsigned int flags);

#endif
