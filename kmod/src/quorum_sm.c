// SPDX-License-Identifier: GPL-2.0
/*
 * quorum_sm.c: the election state machine (see quorum_sm.h).  Pure:
 * everything it knows arrives as arguments and everything it wants done
 * leaves in a struct scoutfs_qsm_out.
 */
#include "quorum_sm.h"

static unsigned int bits16(u16 v)
{
	unsigned int n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

u8 scoutfs_qsm_votes_needed(u16 slots)
{
	unsigned int nr = bits16(slots);

	return nr < 3 ? 1 : nr / 2 + 1;
}

/* xorshift64: the seed decides every jitter, so a simulation replays */
static u64 next_rand(struct scoutfs_qsm *q)
{
	u64 x = q->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	q->rng = x;
	return x;
}

static u64 election_timeout(struct scoutfs_qsm *q, u64 now)
{
	return now + SCOUTFS_QSM_ELECTION_MS +
	       next_rand(q) % (SCOUTFS_QSM_ELECTION_JITTER_MS + 1);
}

static void clear_out(struct scoutfs_qsm_out *out)
{
	*out = (struct scoutfs_qsm_out){ 0 };
}

static void send(struct scoutfs_qsm *q, struct scoutfs_qsm_out *out, u8 msg, u16 to)
{
	out->msg = msg;
	out->send_to = to & q->slots & ~(1U << q->me);
	out->term = q->term;
}

void scoutfs_qsm_init(struct scoutfs_qsm *q, u16 slots, u8 me, u64 greatest_term,
		      u32 hb_timeout_ms, u64 seed, u64 now)
{
	*q = (struct scoutfs_qsm){
		.slots = slots,
		.me = me,
		.votes_needed = scoutfs_qsm_votes_needed(slots),
		.role = SCOUTFS_QSM_FOLLOWER,
		/* it may have voted in that term before it restarted */
		.voted_for = me,
		.leader = SCOUTFS_QSM_NO_SLOT,
		.hb_timeout_ms = hb_timeout_ms,
		.term = greatest_term,
		/* xorshift never leaves 0 */
		.rng = seed ? seed : 0x9e3779b97f4a7c15ULL,
	};
	/*
	 * Listen for a running leader for two election timeouts (several
	 * heartbeats) before standing, rather than disturb it with a
	 * higher term.  Alone in its slots nobody can lead but it.
	 */
	if (bits16(slots) > 1)
		q->timeout = election_timeout(q, now) + SCOUTFS_QSM_ELECTION_MS;
	else
		q->timeout = now;
}

u64 scoutfs_qsm_deadline(const struct scoutfs_qsm *q)
{
	switch (q->role) {
	case SCOUTFS_QSM_LEADER:
		return q->next_hb;
	case SCOUTFS_QSM_STOPPED:
		return ~0ULL;
	default:
		return q->timeout;
	}
}

static void lose_leadership(struct scoutfs_qsm *q, struct scoutfs_qsm_out *out)
{
	if (q->role == SCOUTFS_QSM_LEADER) {
		out->demoted = true;
		out->elected_term = q->term;
	}
}

/* a higher term: adopt it and follow, without a vote or a leader yet */
static void adopt_term(struct scoutfs_qsm *q, u64 term, u64 now, struct scoutfs_qsm_out *out)
{
	lose_leadership(q, out);
	q->term = term;
	q->role = SCOUTFS_QSM_FOLLOWER;
	q->voted_for = SCOUTFS_QSM_NO_SLOT;
	q->leader = SCOUTFS_QSM_NO_SLOT;
	q->votes = 0;
	q->timeout = election_timeout(q, now);
	out->persist = true;
	out->term = term;
}

static void become_leader(struct scoutfs_qsm *q, u64 now, struct scoutfs_qsm_out *out)
{
	q->role = SCOUTFS_QSM_LEADER;
	q->leader = q->me;
	q->next_hb = now + SCOUTFS_QSM_HEARTBEAT_MS;
	out->elected = true;
	/* tell the others at once rather than at the first period */
	send(q, out, SCOUTFS_QSM_HEARTBEAT, q->slots);
}

static void stand(struct scoutfs_qsm *q, u64 now, struct scoutfs_qsm_out *out)
{
	q->term++;
	q->role = SCOUTFS_QSM_CANDIDATE;
	q->voted_for = q->me;
	q->leader = SCOUTFS_QSM_NO_SLOT;
	q->votes = 1U << q->me;
	q->timeout = election_timeout(q, now);
	out->persist = true;
	out->term = q->term;
	if (bits16(q->votes) >= q->votes_needed)
		become_leader(q, now, out);
	else
		send(q, out, SCOUTFS_QSM_REQUEST_VOTE, q->slots);
}

void scoutfs_qsm_timer(struct scoutfs_qsm *q, u64 now, struct scoutfs_qsm_out *out)
{
	clear_out(out);

	switch (q->role) {
	case SCOUTFS_QSM_LEADER:
		if (now >= q->next_hb) {
			q->next_hb = now + SCOUTFS_QSM_HEARTBEAT_MS;
			send(q, out, SCOUTFS_QSM_HEARTBEAT, q->slots);
		}
		break;
	case SCOUTFS_QSM_FOLLOWER:
	case SCOUTFS_QSM_CANDIDATE:
		if (now >= q->timeout)
			stand(q, now, out);
		break;
	default:
		break;
	}
}

void scoutfs_qsm_recv(struct scoutfs_qsm *q, u64 now, u8 msg, u64 term, u8 from,
		      struct scoutfs_qsm_out *out)
{
	clear_out(out);

	if (q->role == SCOUTFS_QSM_STOPPED || from == q->me || !(q->slots & (1U << from)))
		return;
	/* a stale message: its sender learns the term from our next one */
	if (term < q->term)
		return;
	if (term > q->term)
		adopt_term(q, term, now, out);

	switch (msg) {
	case SCOUTFS_QSM_REQUEST_VOTE:
		if (q->role == SCOUTFS_QSM_FOLLOWER && q->voted_for == SCOUTFS_QSM_NO_SLOT) {
			q->voted_for = from;
			/* give it the time to win before standing ourselves */
			q->timeout = election_timeout(q, now);
			send(q, out, SCOUTFS_QSM_VOTE, 1U << from);
		}
		break;
	case SCOUTFS_QSM_VOTE:
		if (q->role == SCOUTFS_QSM_CANDIDATE) {
			q->votes |= 1U << from;
			if (bits16(q->votes) >= q->votes_needed)
				become_leader(q, now, out);
		}
		break;
	case SCOUTFS_QSM_HEARTBEAT:
		if (q->role == SCOUTFS_QSM_LEADER) {
			/*
			 * Two leaders of one term: only possible when one
			 * vote elects (fewer than three slots).  Both step
			 * down and stand again after random timeouts.
			 */
			lose_leadership(q, out);
			q->role = SCOUTFS_QSM_FOLLOWER;
			q->leader = SCOUTFS_QSM_NO_SLOT;
			q->timeout = election_timeout(q, now);
			break;
		}
		q->role = SCOUTFS_QSM_FOLLOWER;
		q->leader = from;
		q->votes = 0;
		q->timeout = now + q->hb_timeout_ms;
		break;
	case SCOUTFS_QSM_RESIGNATION:
		/* the leader left: stand soon rather than after the heartbeat timeout */
		if (q->role == SCOUTFS_QSM_FOLLOWER && q->leader == from) {
			q->leader = SCOUTFS_QSM_NO_SLOT;
			q->timeout = election_timeout(q, now);
		}
		break;
	default:
		break;
	}
}

void scoutfs_qsm_stop(struct scoutfs_qsm *q, struct scoutfs_qsm_out *out)
{
	clear_out(out);
	if (q->role == SCOUTFS_QSM_LEADER) {
		lose_leadership(q, out);
		send(q, out, SCOUTFS_QSM_RESIGNATION, q->slots);
	}
	q->role = SCOUTFS_QSM_STOPPED;
	q->leader = SCOUTFS_QSM_NO_SLOT;
}
