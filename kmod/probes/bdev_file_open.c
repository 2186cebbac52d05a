// SPDX-License-Identifier: GPL-2.0
/* 6.9: block devices are opened as files, closed with bdev_fput() */
#include <linux/blkdev.h>
#include <linux/fs.h>

void probe(dev_t dev, void *holder);
void probe(dev_t dev, void *holder)
{
	struct file *file = bdev_file_open_by_dev(dev, BLK_OPEN_READ, holder, NULL);

	bdev_fput(file);
}
