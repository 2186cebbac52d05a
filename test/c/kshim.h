/*
 * The few kernel definitions the generated kmod/src/gen/rules.c and the
 * quorum state machine (kmod/src/quorum_sm.c) use, for building them in
 * userspace (test/unit/rules-c-ts.test.ts compares the rules with the
 * TypeScript invalid() on the same cases, test/unit/quorum-sm.test.ts
 * simulates clusters of the state machine).  Little-endian hosts only,
 * as the utilities.
 */
#ifndef SCOUTFS_TEST_KSHIM_H
#define SCOUTFS_TEST_KSHIM_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <endian.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define le16_to_cpu(x) le16toh(x)
#define le32_to_cpu(x) le32toh(x)
#define le64_to_cpu(x) le64toh(x)

static inline void *memchr_inv(const void *p, int c, size_t n)
{
	const u8 *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != (u8)c)
			return (void *)(b + i);
	return NULL;
}

#endif
