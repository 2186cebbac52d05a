/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SCOUTFS_EXPORT_H_
#define _SCOUTFS_EXPORT_H_

#include <linux/exportfs.h>

/* set as sb->s_export_op: file handles for open_by_handle_at and NFS */
extern const struct export_operations scoutfs_export_ops;

#endif
