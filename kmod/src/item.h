/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SCOUTFS_ITEM_H_
#define _SCOUTFS_ITEM_H_

#include "format.h"
#include "btree.h"

struct scoutfs_lock;

/*
 * Items: (key, seq, value) records holding all filesystem metadata.
 *
 * Every call names the cluster lock (lock.h) that covers its key: reads
 * need it in READ or WRITE, changes in WRITE, and the blind changes
 * (set, delete_force) in WRITE or WRITE_ONLY.  A key outside the lock's
 * range or a mode that doesn't allow the access is a bug: a warning and
 * -EINVAL.  For next and prev both ends of the range must be covered.
 *
 * Reads see the latest state: the items dirtied in the open transaction
 * over the committed btree.  Writers must hold a transaction
 * (scoutfs_hold_trans) around every modifying call; a modification made
 * under a hold is committed atomically with all others of the same
 * transaction.  Tasks of one mount serialise changes to the same keys with
 * the VFS's locks (i_rwsem and friends); the item layer only keeps its own
 * structures consistent.
 *
 * Values are at most SCOUTFS_ITEM_MAX_VAL_SIZE bytes.
 *
 * Errors: -ENOENT (no item), -EEXIST, -ENOMEM, -EIO (corrupt metadata,
 * already reported in dmesg), -EINVAL (value too large).
 */

/*
 * Copy up to val_len bytes of the item's value into val.  Returns the
 * item's full value length (which may be larger or smaller than val_len).
 */
int scoutfs_item_lookup(struct super_block *sb, const struct scoutfs_key *key,
			void *val, int val_len, struct scoutfs_lock *lock);

/* lookup that fails with -EIO unless the value is exactly val_len bytes */
int scoutfs_item_lookup_exact(struct super_block *sb,
			      const struct scoutfs_key *key, void *val,
			      int val_len, struct scoutfs_lock *lock);

/*
 * Find the first item with *key <= item key <= *last.  On success *key is
 * set to the item's key and the return value is as for lookup.
 */
int scoutfs_item_next(struct super_block *sb, struct scoutfs_key *key,
		      const struct scoutfs_key *last, void *val, int val_len,
		      struct scoutfs_lock *lock);

/*
 * The committed items only (of the forest: no deletion markers), from key
 * to last, handed to cb a batch at a time (see scoutfs_btree_read_items): what the last commit made durable,
 * without the open transaction's changes (walks of the change indexes,
 * which must show exactly the committed state, and the orphan scan).  No
 * lock: committed roots are an immutable snapshot that every mount may
 * read.
 */
int scoutfs_item_read_committed(struct super_block *sb, const struct scoutfs_key *key,
				const struct scoutfs_key *last, scoutfs_btree_item_cb cb, void *arg);

/*
 * Find the last item with *first <= item key <= *key; *key is set to the
 * item's key.
 */
int scoutfs_item_prev(struct super_block *sb, struct scoutfs_key *key,
		      const struct scoutfs_key *first, void *val, int val_len,
		      struct scoutfs_lock *lock);

/* -EEXIST if the item exists */
int scoutfs_item_create(struct super_block *sb, const struct scoutfs_key *key,
			const void *val, int val_len, struct scoutfs_lock *lock);
/* -ENOENT if the item doesn't exist */
int scoutfs_item_update(struct super_block *sb, const struct scoutfs_key *key,
			const void *val, int val_len, struct scoutfs_lock *lock);
/* create or replace, blind: allowed under WRITE_ONLY */
int scoutfs_item_set(struct super_block *sb, const struct scoutfs_key *key,
		     const void *val, int val_len, struct scoutfs_lock *lock);
/* -ENOENT if the item doesn't exist */
int scoutfs_item_delete(struct super_block *sb, const struct scoutfs_key *key,
			struct scoutfs_lock *lock);
/*
 * Delete if present; 0 either way.  Blind, allowed under WRITE_ONLY: then
 * it leaves a deletion marker without looking whether the item exists.
 */
int scoutfs_item_delete_force(struct super_block *sb,
			      const struct scoutfs_key *key, struct scoutfs_lock *lock);

/* key helpers */
int scoutfs_key_compare(const struct scoutfs_key *a, const struct scoutfs_key *b);
void scoutfs_key_set_zeros(struct scoutfs_key *key);
void scoutfs_key_set_ones(struct scoutfs_key *key);
void scoutfs_key_inc(struct scoutfs_key *key);
void scoutfs_key_dec(struct scoutfs_key *key);
void scoutfs_key_init(struct scoutfs_key *key, u8 zone, u64 first, u8 type,
		      u64 second, u64 third, u8 fourth);

int scoutfs_item_setup(struct super_block *sb);
void scoutfs_item_destroy(struct super_block *sb);

/* used by the commit: apply dirty items to the btree, drop them */
int scoutfs_item_prepare_write(struct super_block *sb);
int scoutfs_item_write_dirty(struct super_block *sb, u64 seq,
			     struct scoutfs_super_block *super);
unsigned long scoutfs_item_dirty_bytes(struct super_block *sb);
unsigned long scoutfs_item_dirty_nr(struct super_block *sb);

#endif
