/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SCOUTFS_NAME_HASH_H_
#define _SCOUTFS_NAME_HASH_H_

/*
 * The hash of directory entry and xattr names in their item keys: FNV-1a,
 * 64 bit.  A header of its own with nothing but u8/u64, so that a
 * userspace test builds it and compares it with `scoutfs check`'s
 * nameHash() (utils/src/lib/check.ts) on the same names
 * (test/unit/rules-c-ts.test.ts).
 */
#ifdef __KERNEL__
#include <linux/types.h>
#endif

static inline u64 scoutfs_name_hash(const char *name, unsigned int len)
{
	u64 hash = 0xcbf29ce484222325ULL;

	while (len--) {
		hash ^= (u8)*name++;
		hash *= 0x100000001b3ULL;
	}
	return hash;
}

#endif
