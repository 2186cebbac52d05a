/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SCOUTFS_COUNTERS_H_
#define _SCOUTFS_COUNTERS_H_

#include <linux/atomic.h>
#include "super.h"

/*
 * Per-mount event counters, shown one file each in
 * /sys/fs/scoutfs/<fsid>.<rid>/counters/ and by `scoutfs counters`.
 * Add one by adding a line here.
 */
#define SCOUTFS_EACH_COUNTER(X)						\
	X(commits, "transactions committed")				\
	X(commit_items, "dirty items written by commits")		\
	X(lock_requests, "lock requests (modes the mount did not hold)")	\
	X(lock_grants, "lock requests granted")			\
	X(lock_invalidations, "locks given up for another mount")	\
	X(lock_shrink_frees, "idle locks given back under memory pressure")	\
	X(lock_uses, "lock acquisitions by tasks")			\
	X(quorum_dropped, "quorum datagrams dropped as malformed or foreign")

#define SCOUTFS_COUNTER_ENUM(n, desc) SCOUTFS_CTR_##n,
enum {
	SCOUTFS_EACH_COUNTER(SCOUTFS_COUNTER_ENUM)
	SCOUTFS_CTR_NR,
};
#undef SCOUTFS_COUNTER_ENUM

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

#endif
