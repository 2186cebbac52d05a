/*
 * The few kernel definitions the generated kmod/src/gen/rules.c and the
 * state machines (kmod/src/quorum_sm.c, kmod/src/lock_server_sm.c) use,
 * for building them in userspace (test/unit/rules-c-ts.test.ts compares
 * the rules with the TypeScript invalid() on the same cases,
 * test/unit/quorum-sm.test.ts and test/unit/lock-server-sm.test.ts
 * simulate them).  Little-endian hosts only, as the utilities.
 */
#ifndef SCOUTFS_TEST_KSHIM_H
#define SCOUTFS_TEST_KSHIM_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <endian.h>
#include <errno.h>

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

/* a circular doubly linked list with the kernel's names, the part used */
struct list_head {
	struct list_head *next, *prev;
};

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(head, type, member) list_entry((head)->next, type, member)
#define list_for_each_entry(pos, head, member)				\
	for (pos = list_entry((head)->next, __typeof__(*pos), member);	\
	     &pos->member != (head);					\
	     pos = list_entry(pos->member.next, __typeof__(*pos), member))

static inline void INIT_LIST_HEAD(struct list_head *h)
{
	h->next = h;
	h->prev = h;
}

static inline bool list_empty(const struct list_head *h)
{
	return h->next == h;
}

static inline void list_add_tail(struct list_head *n, struct list_head *h)
{
	n->prev = h->prev;
	n->next = h;
	h->prev->next = n;
	h->prev = n;
}

static inline void list_del(struct list_head *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
	e->next = NULL;
	e->prev = NULL;
}

static inline void list_move_tail(struct list_head *e, struct list_head *h)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
	list_add_tail(e, h);
}

#endif
