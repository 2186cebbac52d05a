// SPDX-License-Identifier: GPL-2.0
/* 6.12: ->write_begin and ->write_end pass a folio, not a page */
#include <linux/fs.h>
#include <linux/buffer_head.h>

int probe(struct file *file, struct address_space *mapping, loff_t pos, unsigned int len,
	  struct folio **foliop, void **fsdata);
int probe(struct file *file, struct address_space *mapping, loff_t pos, unsigned int len,
	  struct folio **foliop, void **fsdata)
{
	static const struct address_space_operations aops = { .write_begin = probe };

	return aops.write_begin(file, mapping, pos, len, foliop, fsdata) ?:
	       block_write_begin(mapping, pos, len, foliop, NULL);
}
