// SPDX-License-Identifier: GPL-2.0
/*
 * lock_server_sm.c: the lock server's state machine of one lock (see
 * lock_server_sm.h).  Pure: it knows only what its calls tell it and
 * does everything through the caller's ops.
 */
#include "lock_server_sm.h"
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/build_bug.h>
#include "messages.h"

static_assert(SCOUTFS_LSM_NULL == SCOUTFS_LOCK_MODE_NULL);
static_assert(SCOUTFS_LSM_READ == SCOUTFS_LOCK_MODE_READ);
static_assert(SCOUTFS_LSM_WRITE == SCOUTFS_LOCK_MODE_WRITE);
static_assert(SCOUTFS_LSM_WRITE_ONLY == SCOUTFS_LOCK_MODE_WRITE_ONLY);
#endif

/* may two different clients hold a and b at once? */
static bool compatible(u8 a, u8 b)
{
	if (a == SCOUTFS_LSM_NULL || b == SCOUTFS_LSM_NULL)
		return true;
	return a == b && a != SCOUTFS_LSM_WRITE;
}

/*
 * does holding a allow all that holding b does?  A grant of a to a
 * holder of b is safe before the holder hears of it: other clients are
 * kept from what conflicts with a, so from what conflicts with b.
 */
static bool covers(u8 a, u8 b)
{
	return a == b || b == SCOUTFS_LSM_NULL || a == SCOUTFS_LSM_WRITE;
}

/* the mode a holder of held must go down to for a request of want */
static u8 invalidate_to(u8 held, u8 want)
{
	if (held == SCOUTFS_LSM_WRITE && want == SCOUTFS_LSM_READ)
		return SCOUTFS_LSM_READ;
	return SCOUTFS_LSM_NULL;
}

static struct scoutfs_lsm_entry *find(const struct list_head *list, u64 rid)
{
	struct scoutfs_lsm_entry *ent;

	list_for_each_entry(ent, list, head)
		if (ent->rid == rid)
			return ent;
	return NULL;
}

static void drop(struct scoutfs_lsm_lock *lock, struct scoutfs_lsm_entry *ent)
{
	list_del(&ent->head);
	lock->ops->release(lock, ent);
}

void scoutfs_lsm_init(struct scoutfs_lsm_lock *lock, const struct scoutfs_lsm_ops *ops)
{
	lock->ops = ops;
	INIT_LIST_HEAD(&lock->holders);
	INIT_LIST_HEAD(&lock->requests);
}

bool scoutfs_lsm_idle(const struct scoutfs_lsm_lock *lock)
{
	return list_empty(&lock->holders) && list_empty(&lock->requests);
}

u8 scoutfs_lsm_held(const struct scoutfs_lsm_lock *lock, u64 rid)
{
	struct scoutfs_lsm_entry *hold = find(&lock->holders, rid);

	return hold ? hold->mode : SCOUTFS_LSM_NULL;
}

/* grant the first request: its entry becomes the holding or is done with */
static void grant(struct scoutfs_lsm_lock *lock, struct scoutfs_lsm_entry *req)
{
	struct scoutfs_lsm_entry *hold = find(&lock->holders, req->rid);
	u8 old_mode = hold ? hold->mode : SCOUTFS_LSM_NULL;
	u8 new_mode = req->mode;
	u64 rid = req->rid;
	u64 seq = 0;

	if (new_mode == SCOUTFS_LSM_WRITE || new_mode == SCOUTFS_LSM_WRITE_ONLY)
		seq = lock->ops->next_write_seq(lock, rid);

	if (hold) {
		hold->mode = new_mode;
		drop(lock, req);
	} else {
		list_move_tail(&req->head, &lock->holders);
		req->inv_sent = false;
	}
	lock->ops->send_grant(lock, rid, old_mode, new_mode, seq);
}

/*
 * Grant requests from the head of the queue for as long as nothing
 * conflicts.  The first one that must wait has every conflicting holder
 * invalidated, each once: a holder with an invalidation outstanding is
 * not asked again until it answers.  A requester with an invalidation
 * outstanding waits for its own answer: granted first, it could not
 * tell that the answer predates the grant.
 */
static void process(struct scoutfs_lsm_lock *lock)
{
	struct scoutfs_lsm_entry *req;
	struct scoutfs_lsm_entry *hold;
	bool wait;

	while (!list_empty(&lock->requests)) {
		req = list_first_entry(&lock->requests, struct scoutfs_lsm_entry, head);
		wait = false;

		list_for_each_entry(hold, &lock->holders, head) {
			if (hold->rid == req->rid) {
				wait |= hold->inv_sent;
				continue;
			}
			if (compatible(hold->mode, req->mode))
				continue;
			wait = true;
			if (hold->inv_sent)
				continue;
			hold->inv_sent = true;
			hold->inv_mode = invalidate_to(hold->mode, req->mode);
			lock->ops->send_invalidate(lock, hold->rid, hold->mode, hold->inv_mode);
		}
		if (wait)
			return;
		grant(lock, req);
	}
}

static int refuse(int err, const char *reason, const char **why)
{
	if (why)
		*why = reason;
	return err;
}

static int check_modes(u8 old_mode, u8 new_mode, const char **why)
{
	if (old_mode > SCOUTFS_LSM_WRITE_ONLY || new_mode > SCOUTFS_LSM_WRITE_ONLY)
		return refuse(-EINVAL, "mode out of range", why);
	return 0;
}

int scoutfs_lsm_request(struct scoutfs_lsm_lock *lock, struct scoutfs_lsm_entry *ent,
			u64 rid, u8 old_mode, u8 new_mode, const char **why)
{
	int ret;

	ret = check_modes(old_mode, new_mode, why);
	if (ret == 0 && old_mode == new_mode)
		ret = refuse(-EINVAL, "request for the mode already held", why);
	if (ret == 0 && new_mode != SCOUTFS_LSM_NULL && !covers(new_mode, old_mode))
		ret = refuse(-EINVAL, "request neither for more nor for NULL", why);
	if (ret == 0 && find(&lock->requests, rid))
		ret = refuse(-EPROTO, "request while another is queued", why);
	if (ret == 0 && scoutfs_lsm_held(lock, rid) != old_mode)
		ret = refuse(-EPROTO, "request from a mode not held", why);
	if (ret < 0) {
		lock->ops->release(lock, ent);
		return ret;
	}

	/*
	 * Giving the lock back (old_mode is held, so there is a holder):
	 * at once, and it answers any invalidation sent to the holder.
	 */
	if (new_mode == SCOUTFS_LSM_NULL) {
		lock->ops->release(lock, ent);
		drop(lock, find(&lock->holders, rid));
		lock->ops->send_grant(lock, rid, old_mode, new_mode, 0);
		process(lock);
		return 0;
	}

	*ent = (struct scoutfs_lsm_entry){ .rid = rid, .mode = new_mode };
	list_add_tail(&ent->head, &lock->requests);
	process(lock);
	return 0;
}

int scoutfs_lsm_invalidated(struct scoutfs_lsm_lock *lock, u64 rid, u8 old_mode,
			    u8 new_mode, const char **why)
{
	struct scoutfs_lsm_entry *hold;
	int ret;

	ret = check_modes(old_mode, new_mode, why);
	if (ret < 0)
		return ret;
	hold = find(&lock->holders, rid);
	if (!hold)
		return refuse(-EPROTO, "invalidation answer from a client holding nothing", why);
	if (!hold->inv_sent)
		return refuse(-EPROTO, "invalidation answer that was not asked for", why);
	if (old_mode != hold->mode)
		return refuse(-EPROTO, "invalidation answer from a mode not held", why);
	if (new_mode != hold->inv_mode && new_mode != SCOUTFS_LSM_NULL)
		return refuse(-EPROTO, "invalidation answer to a mode not asked for", why);

	hold->inv_sent = false;
	if (new_mode == SCOUTFS_LSM_NULL)
		drop(lock, hold);
	else
		hold->mode = new_mode;
	process(lock);
	return 0;
}

void scoutfs_lsm_client_gone(struct scoutfs_lsm_lock *lock, u64 rid)
{
	struct scoutfs_lsm_entry *ent;

	ent = find(&lock->requests, rid);
	if (ent)
		drop(lock, ent);
	ent = find(&lock->holders, rid);
	if (ent)
		drop(lock, ent);
	process(lock);
}
