/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SCOUTFS_IOCTL_H_
#define _SCOUTFS_IOCTL_H_

/*
 * The ioctl entry point of regular files and directories.  The ABI
 * itself (struct scoutfs_ioctl_*, SCOUTFS_IOC_*) is generated from
 * format/ioctl.ts into gen/ioctl.h; this header shares that name, so it
 * pulls the generated one in for the files that include "ioctl.h".
 */
#include <linux/fs.h>
#include "gen/ioctl.h"

long scoutfs_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

#endif
