// SPDX-License-Identifier: GPL-2.0
/* 6.5: generic_file_splice_read() was replaced by filemap_splice_read() */
#include <linux/fs.h>

const struct file_operations probe_fops;
const struct file_operations probe_fops = {
	.splice_read = filemap_splice_read,
};
