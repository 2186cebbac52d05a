/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SCOUTFS_FOREST_H_
#define _SCOUTFS_FOREST_H_

#include "format.h"
#include "btree.h"

/*
 * The forest: the fs btree plus the log btrees that commits write into
 * (this mount's current one, and finalized ones waiting to be merged
 * into the fs btree, this mount's or earlier mounts').  Reads merge them
 * by item seq: the greatest wins, a deletion marker hides the key.
 *
 * Reads see the committed forest only; the item layer puts the open
 * transaction's dirty items over it and orders reads against commits.
 */
int scoutfs_forest_lookup(struct super_block *sb, const struct scoutfs_key *key,
			  void *val, int len);
int scoutfs_forest_next(struct super_block *sb, const struct scoutfs_key *key,
			const struct scoutfs_key *last, struct scoutfs_key *found,
			void *val, int len);
int scoutfs_forest_prev(struct super_block *sb, const struct scoutfs_key *key,
			const struct scoutfs_key *first, struct scoutfs_key *found,
			void *val, int len);
/* the merged items from key to last, as scoutfs_btree_read_items (no markers) */
int scoutfs_forest_read_items(struct super_block *sb, const struct scoutfs_key *key,
			      const struct scoutfs_key *last, scoutfs_btree_item_cb cb,
			      void *arg);

/*
 * The commit: write the transaction's sorted changes (deletions as
 * markers) into this mount's log btree, and put the roots to commit in
 * super.  Called with the transaction write-locked.
 */
int scoutfs_forest_commit(struct super_block *sb, u64 seq, struct scoutfs_btree_change *chg,
			  int nr, struct scoutfs_super_block *super);
/* after the super block from forest_commit is durable */
void scoutfs_forest_committed(struct super_block *sb);
/*
 * The free blocks merging every log btree into the fs btree may need
 * (what their items add to it, and a batch's copies): holds leave them.
 */
u64 scoutfs_forest_merge_reserve(struct super_block *sb);
/* the blocks a commit may rewrite (for the commit's estimate) */
u64 scoutfs_forest_commit_blocks(struct super_block *sb);
/* the greatest height of the trees, for estimates */
int scoutfs_forest_height(struct super_block *sb);

/*
 * A hold short of metadata space: finalize the current log btree and merge
 * every finalized one now, committing between batches, so the blocks the
 * log btrees hold (and those their deletions free) come back.  Called
 * without the transaction held.
 */
int scoutfs_forest_reclaim(struct super_block *sb);

/* finalized log btrees not merged yet (testing and sysfs) */
unsigned int scoutfs_forest_nr_finalized(struct super_block *sb);

/* the server's mount */
int scoutfs_forest_load_super(struct super_block *sb);
u64 scoutfs_forest_next_nr(struct super_block *sb, u64 rid);
int scoutfs_forest_client_lt(struct super_block *sb, u64 rid, u64 nr,
			     struct scoutfs_log_trees *lt);
int scoutfs_forest_client_record(struct super_block *sb, const struct scoutfs_log_trees *lt);
bool scoutfs_forest_left_allocators(struct super_block *sb);
int scoutfs_forest_reclaim_left(struct super_block *sb);

/* a client of another mount's server */
void scoutfs_forest_want_finalize(struct super_block *sb);
void scoutfs_forest_cur_lt(struct super_block *sb, struct scoutfs_log_trees *lt);
void scoutfs_forest_follow(struct super_block *sb, const struct scoutfs_log_trees *lt);
int scoutfs_forest_refresh(struct super_block *sb, u64 gen);

int scoutfs_forest_setup(struct super_block *sb);
/* start merging (after mount is done with its own reads) */
void scoutfs_forest_start(struct super_block *sb);
/* stop merging: before the final commit at unmount or remount,ro */
void scoutfs_forest_stop(struct super_block *sb);
void scoutfs_forest_destroy(struct super_block *sb);

#endif
