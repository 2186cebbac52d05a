// SPDX-License-Identifier: GPL-2.0
/* 6.8: block_page_mkwrite_return() became vmf_fs_error() */
#include <linux/mm.h>

vm_fault_t probe(int err);
vm_fault_t probe(int err)
{
	return vmf_fs_error(err);
}
