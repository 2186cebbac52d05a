// SPDX-License-Identifier: GPL-2.0
/* 6.8: ->error_remove_page became ->error_remove_folio */
#include <linux/fs.h>
#include <linux/mm.h>

const struct address_space_operations probe_aops;
const struct address_space_operations probe_aops = {
	.error_remove_folio = generic_error_remove_folio,
};
