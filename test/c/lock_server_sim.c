/*
 * A deterministic simulator of clients of the lock server's state
 * machine (kmod/src/lock_server_sm.c), driven by
 * test/unit/lock-server-sm.test.ts.  Two modes:
 *
 *   lock_server_sim random SEED CLIENTS STEPS
 *
 * CLIENTS clients and NR_LOCKS locks; each client has an ordered link to
 * the server and one back.  Every step does one random thing: deliver
 * the next message of a random link, have a client answer an
 * invalidation it received (obeying it, sometimes going down to NULL
 * when READ was asked), send a request for a random mode, disconnect a
 * client (the server forgets it; it comes back later with a new rid),
 * or feed the server a bad input, which must be refused with its errno
 * without any change or output.  After STEPS steps nobody requests any
 * more and the messages drain; then every client leaves and every lock
 * must be idle with every entry released.  Checked after every step:
 * no two clients hold incompatible modes as each client sees itself
 * (from receiving a grant until sending the answer to an invalidation or
 * a request for NULL), nor as the server sees them; a request waits at
 * most BOUND steps; WRITE and WRITE_ONLY grants carry strictly growing
 * write_seqs, other grants 0.  Any breach prints a "VIOLATION" line.
 * The last line sums the run up ("seed ... violations N"); the exit
 * status is 1 after a violation.
 *
 *   lock_server_sim script
 *
 * reads calls on stdin, one a line, modes as N R W WO or a number:
 *
 *   req RID LOCK OLD NEW       a request arrives
 *   done RID LOCK OLD NEW      an invalidation answer arrives
 *   gone RID                   the client is gone (every lock)
 *
 * and prints what the server does: "grant RID LOCK OLD NEW SEQ",
 * "invalidate RID LOCK OLD NEW", "refused EINVAL|EPROTO reason",
 * "idle LOCK" when a lock has nothing left, and at the end "entries N",
 * the entries not released.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lock_server_sm.h"

#define MAX_CLIENTS 5
#define NR_LOCKS 3
#define QLEN 64
#define BOUND 2000
#define NR_MODES 4

enum { REQUEST, INVALIDATED, GRANT, INVALIDATE };

struct msg {
	u8 type, lock, old_mode, new_mode;
	u64 seq;
};

/* in order, as TCP */
struct link {
	struct msg m[QLEN];
	unsigned int head, nr;
};

/* what a client knows of one lock */
struct client_lock {
	u8 mode;		/* held, as far as the client is concerned */
	bool req_out;		/* a request is outstanding */
	u8 req_mode;
	u64 req_step;
	bool inv;		/* an invalidation received and not answered yet */
	u8 inv_mode;
};

struct client {
	bool up;
	u64 rid;
	unsigned int gen;
	u64 back_at;
	struct client_lock l[NR_LOCKS];
	struct link to_srv, from_srv;
};

struct slock {
	struct scoutfs_lsm_lock sm;
	bool live;
	int idx;
};

enum { BAD_RANGE, BAD_SAME, BAD_DOWN, BAD_DUP, BAD_OLD, BAD_NOTHING, BAD_UNASKED, BAD_ANSWER_OLD,
	BAD_ANSWER_MODE, NR_BAD };
static const char * const bad_names[NR_BAD] = {
	"range", "same", "down", "dup", "old", "nothing", "unasked", "answer_old", "answer_mode",
};

static struct client cl[MAX_CLIENTS];
static struct slock locks[NR_LOCKS];
static int nr_clients;
static bool script;
static u64 rng = 88172645463325252ULL;
static u64 step;
static u64 write_seq;
static u64 last_grant_seq;
static long live_entries;
static int violations;
/* a bad input is being fed: the server must send nothing */
static bool injecting;
static int inject_releases;

static struct {
	unsigned long requests, grants, grants_write, invalidations, inv_read, answered_null,
		ignored, null_requests, gone, refused, bad[NR_BAD];
	u64 max_wait;
} st;

static const char * const mode_names[NR_MODES] = { "N", "R", "W", "WO" };

static u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void __attribute__((format(printf, 1, 2))) violation(const char *fmt, ...)
{
	va_list ap;

	printf("VIOLATION step %llu: ", (unsigned long long)step);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	violations++;
}

/* the rule, written again here rather than taken from the state machine */
static bool compatible(u8 a, u8 b)
{
	if (!a || !b)
		return true;
	return a == b && a != SCOUTFS_LSM_WRITE;
}

/* a mode a holder of held may ask for: more, or NULL */
static u8 want_from(u8 held)
{
	static const u8 wants[NR_MODES][3] = {
		[SCOUTFS_LSM_NULL] = { SCOUTFS_LSM_READ, SCOUTFS_LSM_WRITE, SCOUTFS_LSM_WRITE_ONLY },
		[SCOUTFS_LSM_READ] = { SCOUTFS_LSM_WRITE, SCOUTFS_LSM_NULL, SCOUTFS_LSM_WRITE },
		[SCOUTFS_LSM_WRITE] = { SCOUTFS_LSM_NULL, SCOUTFS_LSM_NULL, SCOUTFS_LSM_NULL },
		[SCOUTFS_LSM_WRITE_ONLY] = { SCOUTFS_LSM_WRITE, SCOUTFS_LSM_NULL, SCOUTFS_LSM_WRITE },
	};

	return wants[held][rnd() % 3];
}

static const char *mname(u8 mode)
{
	return mode < NR_MODES ? mode_names[mode] : "?";
}

static int client_of(u64 rid)
{
	int i;

	for (i = 0; i < nr_clients; i++)
		if (cl[i].up && cl[i].rid == rid)
			return i;
	return -1;
}

static void push(struct link *l, u8 type, u8 lock, u8 old_mode, u8 new_mode, u64 seq)
{
	if (l->nr == QLEN) {
		violation("a link overflowed");
		exit(1);
	}
	l->m[(l->head + l->nr++) % QLEN] = (struct msg){ type, lock, old_mode, new_mode, seq };
}

static struct msg pop(struct link *l)
{
	struct msg m = l->m[l->head];

	l->head = (l->head + 1) % QLEN;
	l->nr--;
	return m;
}

static int lock_idx(struct scoutfs_lsm_lock *lock)
{
	return container_of(lock, struct slock, sm)->idx;
}

static void send_grant(struct scoutfs_lsm_lock *lock, u64 rid, u8 old_mode, u8 new_mode,
		       u64 seq)
{
	int c = client_of(rid);

	if (injecting)
		violation("grant while refusing a bad input");
	if (new_mode == SCOUTFS_LSM_WRITE || new_mode == SCOUTFS_LSM_WRITE_ONLY) {
		if (seq <= last_grant_seq)
			violation("%s grant seq %llu after %llu", mname(new_mode),
				  (unsigned long long)seq, (unsigned long long)last_grant_seq);
		last_grant_seq = seq;
		st.grants_write++;
	} else if (seq) {
		violation("%s grant with seq %llu", mname(new_mode), (unsigned long long)seq);
	}
	st.grants++;
	if (script) {
		printf("grant %llu %d %s %s %llu\n", (unsigned long long)rid, lock_idx(lock),
		       mname(old_mode), mname(new_mode), (unsigned long long)seq);
		return;
	}
	if (c < 0)
		violation("grant to rid %llx, not connected", (unsigned long long)rid);
	else
		push(&cl[c].from_srv, GRANT, lock_idx(lock), old_mode, new_mode, seq);
}

static void send_invalidate(struct scoutfs_lsm_lock *lock, u64 rid, u8 old_mode, u8 new_mode)
{
	int c = client_of(rid);

	if (injecting)
		violation("invalidation while refusing a bad input");
	st.invalidations++;
	if (new_mode == SCOUTFS_LSM_READ)
		st.inv_read++;
	if (script) {
		printf("invalidate %llu %d %s %s\n", (unsigned long long)rid, lock_idx(lock),
		       mname(old_mode), mname(new_mode));
		return;
	}
	if (c < 0)
		violation("invalidation to rid %llx, not connected", (unsigned long long)rid);
	else
		push(&cl[c].from_srv, INVALIDATE, lock_idx(lock), old_mode, new_mode, 0);
}

static u64 next_write_seq(struct scoutfs_lsm_lock *lock, u64 rid)
{
	(void)lock;
	(void)rid;
	return ++write_seq;
}

static void release(struct scoutfs_lsm_lock *lock, struct scoutfs_lsm_entry *ent)
{
	(void)lock;
	if (injecting)
		inject_releases++;
	memset(ent, 0x6b, sizeof(*ent));
	free(ent);
	live_entries--;
}

static const struct scoutfs_lsm_ops ops = {
	.send_grant = send_grant,
	.send_invalidate = send_invalidate,
	.next_write_seq = next_write_seq,
	.release = release,
};

static struct scoutfs_lsm_lock *get_lock(int i)
{
	if (!locks[i].live) {
		scoutfs_lsm_init(&locks[i].sm, &ops);
		locks[i].live = true;
		locks[i].idx = i;
	}
	return &locks[i].sm;
}

/* the caller frees a lock the state machine calls idle */
static void put_lock(int i)
{
	if (locks[i].live && scoutfs_lsm_idle(&locks[i].sm)) {
		locks[i].live = false;
		if (script)
			printf("idle %d\n", i);
	}
}

static struct scoutfs_lsm_entry *new_entry(void)
{
	struct scoutfs_lsm_entry *ent = malloc(sizeof(*ent));

	if (!ent)
		exit(2);
	memset(ent, 0xa5, sizeof(*ent));
	live_entries++;
	return ent;
}

static int request(int i, u64 rid, u8 old_mode, u8 new_mode, const char **why)
{
	return scoutfs_lsm_request(get_lock(i), new_entry(), rid, old_mode, new_mode, why);
}

static int invalidated(int i, u64 rid, u8 old_mode, u8 new_mode, const char **why)
{
	return scoutfs_lsm_invalidated(get_lock(i), rid, old_mode, new_mode, why);
}

static void gone(u64 rid)
{
	int i;

	for (i = 0; i < NR_LOCKS; i++) {
		if (!locks[i].live)
			continue;
		scoutfs_lsm_client_gone(&locks[i].sm, rid);
		put_lock(i);
	}
}

/* ---- random mode ---- */

static void server_recv(int c)
{
	struct msg m = pop(&cl[c].to_srv);
	const char *why = "";
	int ret;

	if (m.type == REQUEST)
		ret = request(m.lock, cl[c].rid, m.old_mode, m.new_mode, &why);
	else
		ret = invalidated(m.lock, cl[c].rid, m.old_mode, m.new_mode, &why);
	if (ret)
		violation("client %d: a good message refused: %s (%d)", c, why, ret);
	put_lock(m.lock);
}

static void client_recv(int c)
{
	struct msg m = pop(&cl[c].from_srv);
	struct client_lock *l = &cl[c].l[m.lock];

	if (m.type == GRANT) {
		if (!l->req_out || l->req_mode != m.new_mode)
			violation("client %d got a grant of %s it did not ask for", c,
				  mname(m.new_mode));
		l->mode = m.new_mode;
		l->req_out = false;
		if (step - l->req_step > st.max_wait)
			st.max_wait = step - l->req_step;
		return;
	}
	/* a request for NULL answers it: the grant is on the way */
	if (l->req_out && l->req_mode == SCOUTFS_LSM_NULL) {
		st.ignored++;
		return;
	}
	if (l->inv)
		violation("client %d asked again before it answered (lock %d)", c, m.lock);
	if (m.old_mode != l->mode || m.new_mode >= l->mode)
		violation("client %d asked to go from %s to %s, holding %s", c,
			  mname(m.old_mode), mname(m.new_mode), mname(l->mode));
	l->inv = true;
	l->inv_mode = m.new_mode;
}

static void client_answer(int c, int i)
{
	struct client_lock *l = &cl[c].l[i];
	u8 to = l->inv_mode;

	if (to == SCOUTFS_LSM_READ && rnd() % 4 == 0) {
		to = SCOUTFS_LSM_NULL;
		st.answered_null++;
	}
	push(&cl[c].to_srv, INVALIDATED, i, l->mode, to, 0);
	l->mode = to;
	l->inv = false;
}

static void client_request(int c, int i)
{
	struct client_lock *l = &cl[c].l[i];
	u8 want = want_from(l->mode);

	push(&cl[c].to_srv, REQUEST, i, l->mode, want, 0);
	l->req_out = true;
	l->req_mode = want;
	l->req_step = step;
	st.requests++;
	if (want == SCOUTFS_LSM_NULL) {
		st.null_requests++;
		l->mode = SCOUTFS_LSM_NULL;
		l->inv = false;
	}
}

/* its links break: what was on them is lost */
static void disconnect(int c)
{
	cl[c].up = false;
	memset(&cl[c].to_srv, 0, sizeof(cl[c].to_srv));
	memset(&cl[c].from_srv, 0, sizeof(cl[c].from_srv));
	st.gone++;
	gone(cl[c].rid);
	cl[c].back_at = step + 1 + rnd() % 300;
}

static void connect(int c)
{
	u64 gen = cl[c].gen++;

	memset(cl[c].l, 0, sizeof(cl[c].l));
	cl[c].rid = (gen << 8 | c) * 0x9e3779b97f4a7c15ULL;
	cl[c].up = true;
}

/* the lock's lists, to see that a refused call changed nothing */
static size_t snapshot(int i, u64 *buf)
{
	struct scoutfs_lsm_entry *ent;
	size_t n = 0;

	if (!locks[i].live)
		return 0;
	list_for_each_entry(ent, &locks[i].sm.holders, head)
		buf[n++] = ent->rid ^ ent->mode ^ (u64)ent->inv_mode << 8 ^
			   (u64)ent->inv_sent << 16;
	buf[n++] = ~0ULL;
	list_for_each_entry(ent, &locks[i].sm.requests, head)
		buf[n++] = ent->rid ^ ent->mode;
	return n;
}

static struct scoutfs_lsm_entry *nth(struct list_head *list, bool inv_sent_only)
{
	struct scoutfs_lsm_entry *ent, *pick = NULL;
	unsigned int n = 0;

	list_for_each_entry(ent, list, head)
		if ((!inv_sent_only || ent->inv_sent) && rnd() % ++n == 0)
			pick = ent;
	return pick;
}

/* feed lock i a bad input of a random kind, if the state allows one */
static void inject(int i)
{
	u64 before[2 * MAX_CLIENTS + 2], after[2 * MAX_CLIENTS + 2];
	struct scoutfs_lsm_lock *lock = get_lock(i);
	struct scoutfs_lsm_entry *ent;
	int kind = rnd() % NR_BAD;
	int c = rnd() % nr_clients;
	u64 rid = cl[c].rid;
	u8 held = scoutfs_lsm_held(lock, rid);
	u8 old_mode, new_mode;
	const char *why = NULL;
	int expect, ret, releases = 0;
	size_t nb, na;
	bool req = true;

	switch (kind) {
	case BAD_RANGE:
		old_mode = held;
		new_mode = NR_MODES + rnd() % (256 - NR_MODES);
		req = rnd() % 2;
		expect = -EINVAL;
		break;
	case BAD_SAME:
		old_mode = new_mode = held;
		expect = -EINVAL;
		break;
	case BAD_DOWN:
		/* W to R or WO, R to WO, WO to R */
		old_mode = SCOUTFS_LSM_READ + rnd() % 3;
		new_mode = old_mode == SCOUTFS_LSM_WRITE ? SCOUTFS_LSM_READ + 2 * (rnd() % 2) :
			   old_mode ^ (SCOUTFS_LSM_READ ^ SCOUTFS_LSM_WRITE_ONLY);
		expect = -EINVAL;
		break;
	case BAD_DUP:
		ent = nth(&lock->requests, false);
		if (!ent)
			goto out;
		rid = ent->rid;
		old_mode = scoutfs_lsm_held(lock, rid);
		new_mode = want_from(old_mode);
		expect = -EPROTO;
		break;
	case BAD_OLD:
		list_for_each_entry(ent, &lock->requests, head)
			if (ent->rid == rid)
				goto out;
		old_mode = (held + 1 + rnd() % 3) % NR_MODES;
		new_mode = want_from(old_mode);
		expect = -EPROTO;
		break;
	case BAD_NOTHING:
		if (held)
			rid = ~rid;
		old_mode = rnd() % NR_MODES;
		new_mode = SCOUTFS_LSM_NULL;
		req = false;
		expect = -EPROTO;
		break;
	case BAD_UNASKED:
		list_for_each_entry(ent, &lock->holders, head)
			if (!ent->inv_sent)
				break;
		if (&ent->head == &lock->holders)
			goto out;
		rid = ent->rid;
		old_mode = ent->mode;
		new_mode = SCOUTFS_LSM_NULL;
		req = false;
		expect = -EPROTO;
		break;
	case BAD_ANSWER_OLD:
	case BAD_ANSWER_MODE:
		ent = nth(&lock->holders, true);
		if (!ent)
			goto out;
		rid = ent->rid;
		old_mode = ent->mode;
		new_mode = ent->inv_mode;
		if (kind == BAD_ANSWER_OLD)
			old_mode = (old_mode + 1 + rnd() % 3) % NR_MODES;
		else
			while (new_mode == ent->inv_mode || new_mode == SCOUTFS_LSM_NULL)
				new_mode = rnd() % NR_MODES;
		req = false;
		expect = -EPROTO;
		break;
	default:
		goto out;
	}

	nb = snapshot(i, before);
	injecting = true;
	inject_releases = 0;
	if (req) {
		ret = scoutfs_lsm_request(lock, new_entry(), rid, old_mode, new_mode, &why);
		releases = 1;
	} else {
		ret = scoutfs_lsm_invalidated(lock, rid, old_mode, new_mode, &why);
	}
	injecting = false;
	na = snapshot(i, after);
	if (ret != expect || !why)
		violation("bad input %s: returned %d, not %d", bad_names[kind], ret, expect);
	if (inject_releases != releases)
		violation("bad input %s: %d entries released, not %d", bad_names[kind],
			  inject_releases, releases);
	if (na != nb || memcmp(before, after, nb * sizeof(before[0])))
		violation("bad input %s changed the lock", bad_names[kind]);
	st.refused++;
	st.bad[kind]++;
out:
	put_lock(i);
}

static void check(void)
{
	struct scoutfs_lsm_entry *a, *b;
	int i, c, d;

	for (i = 0; i < NR_LOCKS; i++) {
		for (c = 0; c < nr_clients; c++) {
			if (!cl[c].up)
				continue;
			for (d = c + 1; d < nr_clients; d++)
				if (cl[d].up && !compatible(cl[c].l[i].mode, cl[d].l[i].mode))
					violation("clients %d and %d hold %s and %s of lock %d",
						  c, d, mname(cl[c].l[i].mode),
						  mname(cl[d].l[i].mode), i);
			if (cl[c].l[i].req_out && step - cl[c].l[i].req_step > BOUND) {
				violation("client %d waited more than %d steps for lock %d",
					  c, BOUND, i);
				exit(1);
			}
		}
		if (!locks[i].live)
			continue;
		list_for_each_entry(a, &locks[i].sm.holders, head)
			list_for_each_entry(b, &locks[i].sm.holders, head)
				if (a != b && !compatible(a->mode, b->mode))
					violation("the server has incompatible holders on %d", i);
	}
}

/* deliver the next message of a random link that has one */
static bool deliver(void)
{
	int n = 0, k;

	for (k = 0; k < nr_clients; k++)
		n += !!cl[k].to_srv.nr + !!cl[k].from_srv.nr;
	if (!n)
		return false;
	n = rnd() % n;
	for (k = 0; k < nr_clients; k++) {
		if (cl[k].to_srv.nr && n-- == 0) {
			server_recv(k);
			break;
		}
		if (cl[k].from_srv.nr && n-- == 0) {
			client_recv(k);
			break;
		}
	}
	return true;
}

/* one random step; draining: no new requests, disconnects or bad inputs */
static void random_step(bool draining)
{
	unsigned int r = rnd() % (draining ? 70 : 100);
	int c = rnd() % nr_clients;
	int i = rnd() % NR_LOCKS;
	int k;

	for (k = 0; k < nr_clients; k++)
		if (!cl[k].up && step >= cl[k].back_at)
			connect(k);

	if (r < 50 && deliver())
		return;
	if (!cl[c].up)
		return;
	if (r < 70) {
		/* answer an invalidation, after the random delay so far */
		for (k = 0; k < NR_LOCKS; k++)
			if (cl[c].l[(i + k) % NR_LOCKS].inv) {
				client_answer(c, (i + k) % NR_LOCKS);
				return;
			}
	} else if (r < 95) {
		if (!cl[c].l[i].req_out)
			client_request(c, i);
	} else if (r < 96) {
		if (rnd() % 2)
			disconnect(c);
	} else {
		inject(i);
	}
}

static bool quiet(void)
{
	int c, i;

	for (c = 0; c < nr_clients; c++) {
		if (!cl[c].up)
			return false;
		if (cl[c].to_srv.nr || cl[c].from_srv.nr)
			return false;
		for (i = 0; i < NR_LOCKS; i++)
			if (cl[c].l[i].req_out || cl[c].l[i].inv)
				return false;
	}
	return true;
}

static int run_random(u64 seed, u64 steps)
{
	u64 end;
	int c, i;

	rng ^= seed * 0x9e3779b97f4a7c15ULL;
	for (c = 0; c < nr_clients; c++)
		connect(c);
	for (step = 1; step <= steps && !violations; step++) {
		random_step(false);
		check();
	}
	for (end = step + BOUND; !quiet() && !violations; step++) {
		if (step > end) {
			violation("still busy %d steps after the last request", BOUND);
			break;
		}
		random_step(true);
		check();
	}
	for (c = 0; c < nr_clients; c++)
		if (cl[c].up)
			gone(cl[c].rid);
	for (i = 0; i < NR_LOCKS; i++)
		if (locks[i].live)
			violation("lock %d not idle after every client left", i);
	if (live_entries)
		violation("%ld entries not released", live_entries);

	printf("seed %llu clients %d steps %llu requests %lu grants %lu grants_write %lu "
	       "invalidations %lu inv_read %lu answered_null %lu ignored %lu null_requests %lu "
	       "gone %lu refused %lu",
	       (unsigned long long)seed, nr_clients, (unsigned long long)step, st.requests,
	       st.grants, st.grants_write, st.invalidations, st.inv_read, st.answered_null,
	       st.ignored, st.null_requests, st.gone, st.refused);
	for (i = 0; i < NR_BAD; i++)
		printf(" bad_%s %lu", bad_names[i], st.bad[i]);
	printf(" max_wait %llu violations %d\n", (unsigned long long)st.max_wait, violations);
	return violations ? 1 : 0;
}

/* ---- script mode ---- */

static int parse_mode(const char *s)
{
	int i;

	for (i = 0; i < NR_MODES; i++)
		if (!strcmp(s, mode_names[i]))
			return i;
	return atoi(s);
}

static int run_script(void)
{
	char line[256], what[16], a[16], b[16];
	unsigned long long rid;
	const char *why;
	int lock = -1, ret;

	script = true;
	while (fgets(line, sizeof(line), stdin)) {
		why = "";
		ret = 0;
		lock = -1;
		if (sscanf(line, "req %llu %d %15s %15s", &rid, &lock, a, b) == 4 &&
		    lock >= 0 && lock < NR_LOCKS) {
			ret = request(lock, rid, parse_mode(a), parse_mode(b), &why);
		} else if (sscanf(line, "done %llu %d %15s %15s", &rid, &lock, a, b) == 4 &&
			   lock >= 0 && lock < NR_LOCKS) {
			ret = invalidated(lock, rid, parse_mode(a), parse_mode(b), &why);
		} else if (sscanf(line, "gone %llu", &rid) == 1) {
			gone(rid);
		} else if (sscanf(line, "%15s", what) == 1) {
			fprintf(stderr, "bad line: %s", line);
			return 2;
		}
		if (ret)
			printf("refused %s %s\n", ret == -EINVAL ? "EINVAL" :
			       ret == -EPROTO ? "EPROTO" : "?", why);
		if (lock >= 0)
			put_lock(lock);
	}
	printf("entries %ld\n", live_entries);
	return violations ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "script"))
		return run_script();
	if (argc == 5 && !strcmp(argv[1], "random")) {
		nr_clients = atoi(argv[3]);
		if (nr_clients < 1 || nr_clients > MAX_CLIENTS)
			return 2;
		return run_random(strtoull(argv[2], NULL, 0), strtoull(argv[4], NULL, 0));
	}
	fprintf(stderr, "usage: lock_server_sim random SEED CLIENTS STEPS | script\n");
	return 2;
}
