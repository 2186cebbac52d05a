/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SCOUTFS_LOCK_SERVER_SM_H_
#define _SCOUTFS_LOCK_SERVER_SM_H_

/*
 * The server side of one cluster lock (one key range) as a pure state
 * machine: no socket, no allocation, no sleeping and no kernel locking,
 * so it builds in userspace too (test/unit/lock-server-sm.test.ts runs a
 * simulator of clients against it).  The caller keeps one struct
 * scoutfs_lsm_lock per range (found by the range's start key), feeds it
 * what arrives from the clients and carries out what it asks through the
 * ops.  The caller serialises every call on a lock; the ops are called
 * from inside those calls and must not call back into the lock.
 *
 * Clients, named by their rid, each hold the lock in one mode; modes of
 * different clients must be compatible (READ with READ, WRITE_ONLY with
 * WRITE_ONLY, NULL with anything, WRITE with nothing), a client's own
 * mode never conflicts with itself.  A client asks to go from the mode
 * it holds (old) to one that allows more (new: from NULL to any mode,
 * READ or WRITE_ONLY to WRITE) or to NULL.  Nothing in between: the
 * server cannot know when a grant arrives, so a client going down to a
 * mode that allows less would still be using its old mode after the
 * server let others in; going down is done by answering invalidations
 * and by giving the lock back.  Requests wait in one FIFO per lock;
 * the first is granted once no other client holds a mode incompatible
 * with it and the requester itself has no invalidation outstanding.
 * Until then each conflicting holder is sent one invalidation, to READ
 * when it holds WRITE and the request wants READ, to NULL otherwise, and
 * its answer (scoutfs_lsm_invalidated) lets the queue move on.  A request
 * for NULL (a client giving the lock back) is granted at once, ahead of
 * the queue.  Grants of WRITE and WRITE_ONLY carry a write_seq from
 * ops->next_write_seq; other grants carry 0.
 *
 * What clients must do for this to be safe and live: stop using a mode
 * before they answer an invalidation or send a request for NULL (both
 * tell the server the mode is no longer held); answer every invalidation,
 * also while a request of theirs is queued; have at most one request per
 * lock outstanding.  A client that asked for NULL treats an invalidation
 * it has not answered yet as answered by that request: the server sent it
 * before the request arrived, and the grant of NULL follows it.  The
 * links must deliver in order.
 *
 * Everything a client sends is checked before it changes anything: a
 * refused call returns -EINVAL (a mode that does not exist, a request
 * for the mode held or for one neither above it nor NULL) or -EPROTO
 * (what the client says does not match what the server knows), sets
 * *why to a short reason for the log when why isn't NULL, sends nothing
 * and leaves the lock as it was.
 *
 * Memory: the caller passes an entry (struct scoutfs_lsm_entry, its
 * contents are the state machine's) with each request; the lock always
 * takes it, keeps it while the request waits and the client holds a
 * mode, and hands each entry it no longer needs to ops->release, from
 * within the call that dropped it.  A lock with neither holders nor
 * requests (scoutfs_lsm_idle) holds no entry and may be freed.
 */
#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/list.h>
#endif

/* lock modes: the values of format/net.ts LockMode (SCOUTFS_LOCK_MODE_*) */
enum {
	SCOUTFS_LSM_NULL = 0,
	SCOUTFS_LSM_READ = 1,
	SCOUTFS_LSM_WRITE = 2,
	SCOUTFS_LSM_WRITE_ONLY = 3,
};

struct scoutfs_lsm_lock;

/* one client's holding or waiting request: the state machine's */
struct scoutfs_lsm_entry {
	struct list_head head;	/* on the lock's holders or requests */
	u64 rid;
	u8 mode;		/* held, or wanted by a request */
	u8 inv_mode;		/* holder: the mode an invalidation asked for */
	bool inv_sent;		/* holder: that invalidation is unanswered */
};

struct scoutfs_lsm_ops {
	/* tell rid it now holds new (it held old), with write_seq */
	void (*send_grant)(struct scoutfs_lsm_lock *lock, u64 rid, u8 old_mode, u8 new_mode,
			   u64 write_seq);
	/* ask rid to go from old down to new and answer */
	void (*send_invalidate)(struct scoutfs_lsm_lock *lock, u64 rid, u8 old_mode,
				u8 new_mode);
	/*
	 * The write_seq of a grant of WRITE or WRITE_ONLY to rid: greater
	 * than every seq handed out before, or 0 when rid's own transaction
	 * seqs already order its items after every earlier copy (it was the
	 * lock's last writer).
	 */
	u64 (*next_write_seq)(struct scoutfs_lsm_lock *lock, u64 rid);
	/* the lock is done with ent */
	void (*release)(struct scoutfs_lsm_lock *lock, struct scoutfs_lsm_entry *ent);
};

struct scoutfs_lsm_lock {
	const struct scoutfs_lsm_ops *ops;
	struct list_head holders;	/* entries of clients holding a mode above NULL */
	struct list_head requests;	/* entries of waiting requests, oldest first */
};

void scoutfs_lsm_init(struct scoutfs_lsm_lock *lock, const struct scoutfs_lsm_ops *ops);

/* no holder and no request: the lock holds no entry and may be freed */
bool scoutfs_lsm_idle(const struct scoutfs_lsm_lock *lock);

/* the mode the server knows rid holds */
u8 scoutfs_lsm_held(const struct scoutfs_lsm_lock *lock, u64 rid);

/* rid asks to go from old_mode to new_mode; ent is taken in every case */
int scoutfs_lsm_request(struct scoutfs_lsm_lock *lock, struct scoutfs_lsm_entry *ent,
			u64 rid, u8 old_mode, u8 new_mode, const char **why);

/* rid answers an invalidation: it went from old_mode down to new_mode */
int scoutfs_lsm_invalidated(struct scoutfs_lsm_lock *lock, u64 rid, u8 old_mode,
			    u8 new_mode, const char **why);

/*
 * rid is gone (it disconnected or was fenced): its holding and its
 * request are dropped, an invalidation it did not answer counts as done.
 */
void scoutfs_lsm_client_gone(struct scoutfs_lsm_lock *lock, u64 rid);

#endif
