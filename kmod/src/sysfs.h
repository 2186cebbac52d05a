/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SCOUTFS_SYSFS_H_
#define _SCOUTFS_SYSFS_H_

#include <linux/fs.h>

/*
 * /sys/fs/scoutfs/<fsid>.<rid>/ for each mount (both 16 hex digits): its
 * fsid, rid, data_dev, quorum_slot_nr (-1: none), quorum_term, is_leader,
 * log_btrees_pending (finalized log btrees not merged yet) and counters/.
 */
int scoutfs_sysfs_setup(struct super_block *sb);
/* first in teardown: no show reads what teardown frees */
void scoutfs_sysfs_destroy(struct super_block *sb);
/* last: the counters count until then */
void scoutfs_sysfs_free_counters(struct super_block *sb);

int scoutfs_sysfs_init(void);
void scoutfs_sysfs_exit(void);

#endif
