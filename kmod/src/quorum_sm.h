/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SCOUTFS_QUORUM_SM_H_
#define _SCOUTFS_QUORUM_SM_H_

/*
 * The quorum election as a pure state machine: no clock, no socket, no
 * allocation and no kernel API beyond the integer types, so it builds
 * in userspace (test/unit/quorum-sm.test.ts simulates clusters of it).
 * quorum.c feeds it the time, the messages received and the timer, and
 * carries out what it asks: persist the term, send a message, record
 * an election.
 *
 * Raft's leader election alone: every member starts as a follower; one
 * that hears no leader for its timeout stands as a candidate in the next
 * term and asks every slot for its vote; a member votes once per term;
 * the candidate with the votes needed leads and sends heartbeats; any
 * message of a higher term makes its receiver adopt that term and
 * follow.  Votes needed: a majority of the configured slots, one with
 * fewer than three slots (two members of a 2-slot volume can then both
 * lead, in different terms or even in the same term; fencing is what
 * resolves that, as upstream).
 *
 * Terms are durable: a member asks for its term to be persisted before
 * it sends anything in it, and a restarted member starts at the greatest
 * term persisted by any slot, as if it had voted in it, so it never
 * votes twice in a term nor goes back to an older one.
 */
#ifdef __KERNEL__
#include <linux/types.h>
#endif

#define SCOUTFS_QSM_NO_SLOT		0xff
/* a candidate that has not won stands again after this plus jitter */
#define SCOUTFS_QSM_ELECTION_MS		250
#define SCOUTFS_QSM_ELECTION_JITTER_MS	100
/* a leader's heartbeat period */
#define SCOUTFS_QSM_HEARTBEAT_MS	100

enum scoutfs_qsm_role {
	SCOUTFS_QSM_FOLLOWER = 0,
	SCOUTFS_QSM_CANDIDATE,
	SCOUTFS_QSM_LEADER,
	SCOUTFS_QSM_STOPPED,
};

/* message types: the values of format/quorum.ts QuorumMsgType */
enum scoutfs_qsm_msg {
	SCOUTFS_QSM_REQUEST_VOTE = 0,
	SCOUTFS_QSM_VOTE = 1,
	SCOUTFS_QSM_HEARTBEAT = 2,
	SCOUTFS_QSM_RESIGNATION = 3,
};

struct scoutfs_qsm {
	u16 slots;		/* bit per configured slot */
	u8 me;			/* this member's slot */
	u8 votes_needed;
	u8 role;		/* enum scoutfs_qsm_role */
	u8 voted_for;		/* in term, or SCOUTFS_QSM_NO_SLOT */
	u8 leader;		/* of term as far as known, or SCOUTFS_QSM_NO_SLOT */
	u16 votes;		/* candidate: bit per slot that voted for it */
	u32 hb_timeout_ms;	/* follower: stand after this without a heartbeat */
	u64 term;
	u64 timeout;		/* follower/candidate: stand at this time (ms) */
	u64 next_hb;		/* leader: send the next heartbeat at this time */
	u64 rng;		/* xorshift state: the jitter of election timeouts */
};

/*
 * What a step asks of its caller, in this order: persist term (before
 * anything is sent in it), then record an election or its end, then
 * send msg (type, in term) to every slot of send_to.
 */
struct scoutfs_qsm_out {
	bool persist;		/* the term changed: make it durable first */
	bool elected;		/* became leader of term */
	bool demoted;		/* was leader of elected_term, is no more */
	u8 msg;			/* enum scoutfs_qsm_msg */
	u16 send_to;		/* slot bits; 0: nothing to send */
	u64 term;		/* the term to persist and to send in */
	u64 elected_term;	/* demoted: the term it led */
};

u8 scoutfs_qsm_votes_needed(u16 slots);

/*
 * Start a member of the slots in slots (a bit each) in slot me, at
 * greatest_term (the greatest any slot's quorum block records), now in
 * ms.  It listens for a running leader for two election timeouts before
 * it stands (a member alone in its slots stands at once).
 */
void scoutfs_qsm_init(struct scoutfs_qsm *q, u16 slots, u8 me, u64 greatest_term,
		      u32 hb_timeout_ms, u64 seed, u64 now);

/* the time the caller must call scoutfs_qsm_timer() at, at the latest */
u64 scoutfs_qsm_deadline(const struct scoutfs_qsm *q);

/* the time has come (early calls are harmless) */
void scoutfs_qsm_timer(struct scoutfs_qsm *q, u64 now, struct scoutfs_qsm_out *out);

/* a valid message (type, term >= 1, from a configured slot) arrived */
void scoutfs_qsm_recv(struct scoutfs_qsm *q, u64 now, u8 msg, u64 term, u8 from,
		      struct scoutfs_qsm_out *out);

/* leave: a leader resigns; nothing happens after */
void scoutfs_qsm_stop(struct scoutfs_qsm *q, struct scoutfs_qsm_out *out);

#endif
