/*
 * A deterministic simulator of quorum members (kmod/src/quorum_sm.c) on
 * a lossy network with partitions, crashes and restarts, driven by
 * test/unit/quorum-sm.test.ts.  It reads a script on stdin:
 *
 *   slots N seed S hb MS       first line: N members in slots 0..N-1
 *   T loss PCT                 from T ms on, each message is lost with PCT %
 *   T part 01|23|4             groups of slots (hex digits) that reach each
 *                              other; a slot in no group reaches nobody
 *   T heal                     everybody reaches everybody
 *   T crash I                  member I stops at once, losing its memory
 *   T stop I                   member I leaves cleanly (a leader resigns)
 *   T restart I                member I starts again from the quorum blocks
 *   T end                      the simulation ends
 *
 * and prints what happened, one event a line, "T what slot term ...":
 * persist, elect, demote, start, down, and every 100 ms a "view" of each
 * member that is up (role, term, leader).  The checks are the test's;
 * here only what the test cannot see is checked: a member never sends in
 * a term it has not persisted ("VIOLATION" lines).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "quorum_sm.h"

#define MAX_SLOTS 15
#define MAX_MSGS 100000

struct member {
	bool up;
	struct scoutfs_qsm q;
	u64 persisted;		/* its quorum block's term */
};

struct msg {
	u64 at;
	u8 from, to, type;
	u64 term;
};

static struct member mem[MAX_SLOTS];
static struct msg msgs[MAX_MSGS];
static int nr_msgs;
static int group[MAX_SLOTS];
static int loss_pct;
static int nr_slots;
static u64 rng = 88172645463325252ULL;

static u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void apply(int i, u64 now, struct scoutfs_qsm_out *out)
{
	int to;

	if (out->persist) {
		mem[i].persisted = out->term;
		printf("%llu persist %d %llu\n", (unsigned long long)now, i,
		       (unsigned long long)out->term);
	}
	if (out->demoted)
		printf("%llu demote %d %llu\n", (unsigned long long)now, i,
		       (unsigned long long)out->elected_term);
	if (out->elected)
		printf("%llu elect %d %llu\n", (unsigned long long)now, i,
		       (unsigned long long)out->term);
	for (to = 0; to < nr_slots; to++) {
		if (!(out->send_to & (1U << to)))
			continue;
		if (out->term > mem[i].persisted)
			printf("%llu VIOLATION %d sends in term %llu, persisted %llu\n",
			       (unsigned long long)now, i, (unsigned long long)out->term,
			       (unsigned long long)mem[i].persisted);
		if ((int)(rnd() % 100) < loss_pct || nr_msgs == MAX_MSGS)
			continue;
		msgs[nr_msgs++] = (struct msg){ now + 1 + rnd() % 5, i, to, out->msg, out->term };
	}
}

static u64 greatest_term(void)
{
	u64 g = 0;
	int i;

	for (i = 0; i < nr_slots; i++)
		if (mem[i].persisted > g)
			g = mem[i].persisted;
	return g;
}

static void start(int i, u64 now)
{
	mem[i].up = true;
	scoutfs_qsm_init(&mem[i].q, (1U << nr_slots) - 1, i, greatest_term(), mem[i].q.hb_timeout_ms,
			 rnd(), now);
	printf("%llu start %d %llu\n", (unsigned long long)now, i,
	       (unsigned long long)mem[i].q.term);
}

static void action(u64 now, char *what, char *arg)
{
	struct scoutfs_qsm_out out;
	int i;

	if (!strcmp(what, "loss")) {
		loss_pct = atoi(arg);
	} else if (!strcmp(what, "heal")) {
		for (i = 0; i < nr_slots; i++)
			group[i] = 0;
	} else if (!strcmp(what, "part")) {
		int g = 1;

		for (i = 0; i < nr_slots; i++)
			group[i] = -1 - i;
		for (; *arg; arg++) {
			if (*arg == '|')
				g++;
			else
				group[strtol((char[]){ *arg, 0 }, NULL, 16)] = g;
		}
	} else if (!strcmp(what, "crash") || !strcmp(what, "stop")) {
		i = atoi(arg);
		if (mem[i].up && what[0] == 's') {
			scoutfs_qsm_stop(&mem[i].q, &out);
			apply(i, now, &out);
		}
		mem[i].up = false;
		printf("%llu down %d\n", (unsigned long long)now, i);
	} else if (!strcmp(what, "restart")) {
		i = atoi(arg);
		if (!mem[i].up)
			start(i, now);
	}
}

int main(void)
{
	char line[256], what[32], arg[64];
	unsigned long long t, seed, next_line = ~0ULL, next_view = 0;
	unsigned int hb;
	struct scoutfs_qsm_out out;
	bool more = true;
	u64 now = 0;
	int i, m;

	if (!fgets(line, sizeof(line), stdin) ||
	    sscanf(line, "slots %d seed %llu hb %u", &nr_slots, &seed, &hb) != 3 ||
	    nr_slots < 1 || nr_slots > MAX_SLOTS)
		return 2;
	rng ^= seed * 0x9e3779b97f4a7c15ULL;
	for (i = 0; i < nr_slots; i++) {
		mem[i].q.hb_timeout_ms = hb;
		start(i, 0);
	}

	arg[0] = 0;
	if (fgets(line, sizeof(line), stdin) && sscanf(line, "%llu %31s %63s", &t, what, arg) >= 2)
		next_line = t;
	for (;;) {
		u64 next = next_line < next_view ? next_line : next_view;

		for (i = 0; i < nr_slots; i++)
			if (mem[i].up && scoutfs_qsm_deadline(&mem[i].q) < next)
				next = scoutfs_qsm_deadline(&mem[i].q);
		for (m = 0; m < nr_msgs; m++)
			if (msgs[m].at < next)
				next = msgs[m].at;
		now = next;

		if (now == next_line) {
			if (!strcmp(what, "end"))
				break;
			action(now, what, arg);
			arg[0] = 0;
			next_line = ~0ULL;
			if (more && fgets(line, sizeof(line), stdin) &&
			    sscanf(line, "%llu %31s %63s", &t, what, arg) >= 2)
				next_line = t < now ? now : t;
			else
				more = false;
			continue;
		}
		if (now == next_view) {
			for (i = 0; i < nr_slots; i++)
				if (mem[i].up)
					printf("%llu view %d %d %llu %d\n", (unsigned long long)now, i,
					       mem[i].q.role, (unsigned long long)mem[i].q.term,
					       mem[i].q.leader == SCOUTFS_QSM_NO_SLOT ? -1 :
					       mem[i].q.leader);
			next_view += 100;
			continue;
		}
		/* messages due, in the order they were sent */
		for (m = 0; m < nr_msgs; m++) {
			struct msg g = msgs[m];

			if (g.at != now)
				continue;
			msgs[m--] = msgs[--nr_msgs];
			if (!mem[g.to].up || group[g.from] != group[g.to])
				continue;
			scoutfs_qsm_recv(&mem[g.to].q, now, g.type, g.term, g.from, &out);
			apply(g.to, now, &out);
		}
		for (i = 0; i < nr_slots; i++) {
			if (mem[i].up && scoutfs_qsm_deadline(&mem[i].q) <= now) {
				scoutfs_qsm_timer(&mem[i].q, now, &out);
				apply(i, now, &out);
			}
		}
	}
	return 0;
}
