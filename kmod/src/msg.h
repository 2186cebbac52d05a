/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SCOUTFS_MSG_H_
#define _SCOUTFS_MSG_H_

#include <linux/printk.h>

/*
 * Messages about a mount: rate limited, prefixed with the data device so a
 * reader knows which volume is meant.  Corruption and bad input from disk
 * or userspace must go through these, never through BUG/WARN.
 */
#define scoutfs_err(sb, fmt, ...) \
	pr_err_ratelimited("scoutfs (%s): " fmt "\n", (sb)->s_id, ##__VA_ARGS__)
#define scoutfs_warn(sb, fmt, ...) \
	pr_warn_ratelimited("scoutfs (%s): " fmt "\n", (sb)->s_id, ##__VA_ARGS__)
#define scoutfs_info(sb, fmt, ...) \
	pr_info("scoutfs (%s): " fmt "\n", (sb)->s_id, ##__VA_ARGS__)

/*
 * A value read from disk broke a rule of the format: the errno callers
 * get, as XFS and ext4 spell it.  Never a WARN, a BUG or a deletion.
 */
#define EFSCORRUPTED	EUCLEAN

#endif
