/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SCOUTFS_QUORUM_H_
#define _SCOUTFS_QUORUM_H_

#include <linux/fs.h>

/*
 * Mount: a member (quorum_slot_nr=N) claims its slot's address and, read-
 * write, takes part in the election until a leader is known; it mounts
 * if it leads and is refused if another member does.  A mount without a
 * slot is refused (joining a running cluster needs the client protocol).
 */
int scoutfs_quorum_setup(struct super_block *sb);
/* remount,rw of a member mounted read-only: the election of setup */
int scoutfs_quorum_start(struct super_block *sb);
/* remount,ro: leave the election as unmount does; remount,rw starts it again */
void scoutfs_quorum_stop(struct super_block *sb);
/* unmount: a leader records STOP and resigns; never waits on others */
void scoutfs_quorum_destroy(struct super_block *sb);

/* whether this mount leads the cluster (it will run the server) */
bool scoutfs_quorum_is_leader(struct super_block *sb);
int scoutfs_quorum_leader_slot(struct super_block *sb);
bool scoutfs_quorum_serves(struct super_block *sb);
/* the term this mount leads, or the latest it knows of */
u64 scoutfs_quorum_term(struct super_block *sb);

#endif
