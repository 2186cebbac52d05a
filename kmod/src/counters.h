/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SCOUTFS_COUNTERS_H_
#define _SCOUTFS_COUNTERS_H_

#include <linux/atomic.h>
#include <linux/ktime.h>
#include "super.h"

/*
 * Per-mount event counters, shown one file each in
 * /sys/fs/scoutfs/<fsid>.<rid>/counters/ and by `scoutfs counters`.  Add
 * one here and its name in sysfs.c's counter_names.
 */
enum {
	SCOUTFS_CTR_commits,		/* transactions committed */
	SCOUTFS_CTR_commit_items,	/* dirty items written by commits */
	SCOUTFS_CTR_lock_requests,	/* lock requests (modes the mount did not hold) */
	SCOUTFS_CTR_lock_grants,	/* lock requests granted */
	SCOUTFS_CTR_lock_invalidations,	/* locks given up for another mount */
	SCOUTFS_CTR_lock_shrink_frees,	/* idle locks given back under memory pressure */
	SCOUTFS_CTR_lock_uses,		/* lock acquisitions by tasks */
	SCOUTFS_CTR_server_lock_requests, /* lock requests the server received */
	SCOUTFS_CTR_server_lock_grants,	/* lock grants the server sent */
	SCOUTFS_CTR_server_lock_invalidations, /* invalidations the server sent */
	SCOUTFS_CTR_quorum_dropped,	/* quorum datagrams dropped as malformed or foreign */
	SCOUTFS_CTR_forest_finalized,	/* log btrees finalized */
	SCOUTFS_CTR_forest_merge_batches, /* batches merged into the fs btree */
	SCOUTFS_CTR_forest_merged_items, /* log btree items merged into the fs btree */
	SCOUTFS_CTR_forest_merged_trees, /* log btrees merged and freed */
	SCOUTFS_CTR_forest_roots_refreshed, /* a client read the server's roots again */
	SCOUTFS_CTR_dentry_revalidate_stale, /* a dentry looked up again: its directory's lock was lost */
	SCOUTFS_CTR_orphan_scans,	/* orphan scans run */
	SCOUTFS_CTR_orphan_scan_deletes, /* unlinked inodes the scans deleted */
	SCOUTFS_CTR_inode_delete_in_use, /* deletions left: another mount uses the inode */
	SCOUTFS_CTR_open_ino_released, /* cached unlinked inodes let go for another mount */
	SCOUTFS_CTR_server_open_ino_queries, /* OPEN_INO questions the server passed on */
	SCOUTFS_CTR_lock_wait_us,	/* microseconds tasks waited for lock modes */
	SCOUTFS_CTR_lock_inv_us,	/* microseconds giving modes up (drain, writeback, commit) */
	SCOUTFS_CTR_commit_us,		/* microseconds in commits that wrote something */
	SCOUTFS_CTR_forest_refresh_us,	/* microseconds reading the server's roots again */
	SCOUTFS_CTR_NR,
};

struct scoutfs_counters {
	atomic64_t vals[SCOUTFS_CTR_NR];
};

static inline void scoutfs_counter_add(struct super_block *sb, int ctr, long long n)
{
	struct scoutfs_counters *c = SCOUTFS_SB(sb)->counters;

	if (c)
		atomic64_add(n, &c->vals[ctr]);
}

#define scoutfs_inc_counter(sb, name) scoutfs_counter_add(sb, SCOUTFS_CTR_##name, 1)
#define scoutfs_add_counter(sb, name, n) scoutfs_counter_add(sb, SCOUTFS_CTR_##name, n)
/* microseconds since start (a ktime_get()) */
#define scoutfs_add_counter_us(sb, name, start) \
	scoutfs_counter_add(sb, SCOUTFS_CTR_##name, ktime_us_delta(ktime_get(), start))

#endif
