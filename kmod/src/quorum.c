// SPDX-License-Identifier: GPL-2.0
/*
 * quorum.c: the election of the mount that leads the cluster, in the
 * kernel.  The election itself is quorum_sm.c; this file gives it a
 * clock, a UDP socket on the mount's slot address, and the slot's
 * quorum block, where terms and election events are made durable.
 *
 * A member mount (quorum_slot_nr=N) binds its slot's address (so two
 * mounts can never use one slot) and reads every configured slot's
 * quorum block: its first term is above the greatest found.  Read-
 * write, a thread then runs the election: it waits for datagrams and
 * timers, validates every datagram (size, fsid, format hash, the
 * schema's rules, the sender's address; a bad one is dropped, counted
 * and reported, rate limited), writes the term to the slot's block
 * before sending anything in it, and records BEGIN, TERM, ELECT, STOP
 * and END events.  The mount waits for a leader: it proceeds if it is
 * the leader and is refused if another member leads, since joining a
 * running cluster needs the client protocol, which is not built yet.
 *
 * A read-only member claims its slot but takes part in no election (it
 * writes nothing, not even its term) until remount,rw; remount,ro ends a
 * leader's term as unmount does, so nothing is written after it.  A mount without
 * a slot is refused, naming the running leader if the quorum blocks
 * show one (an ELECT newer than its STOP).
 *
 * Unmount stops the thread: a leader sends RESIGNATION and records
 * STOP; sends never block and receives wait at most a heartbeat period,
 * so unmount never waits on other members.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/kthread.h>
#include <linux/net.h>
#include <linux/in.h>
#include <linux/inet.h>
#include <linux/wait.h>
#include <linux/random.h>
#include <linux/timekeeping.h>
#include <linux/jiffies.h>
#include <linux/delay.h>
#include <net/sock.h>

#include "format.h"
#include "format_hash.h"
#include "rules.h"
#include "super.h"
#include "block.h"
#include "quorum.h"
#include "counters.h"
#include "quorum_sm.h"
#include "msg.h"

struct scoutfs_quorum_info {
	struct super_block *sb;
	struct socket *sock;
	struct task_struct *thread;
	wait_queue_head_t waitq;
	int slot;
	u16 slots;
	struct sockaddr_in addrs[SCOUTFS_QUORUM_MAX_SLOTS];
	/* the greatest term any slot's block recorded when the election began */
	u64 greatest_term;
	/* this slot's quorum block, as last written */
	struct scoutfs_quorum_block *blk;

	/* the thread's alone */
	struct scoutfs_qsm qsm;
	u64 dropped;

	/* published by the thread under lock for the mount and others */
	spinlock_t lock;
	bool stopping;
	int error;
	bool leader;		/* ELECT is durable and it still leads */
	u8 leader_slot;		/* of term, or SCOUTFS_QSM_NO_SLOT */
	u64 term;
};

static struct scoutfs_quorum_info *QI(struct super_block *sb)
{
	return SCOUTFS_SB(sb)->quorum;
}

static u64 now_ms(void)
{
	return div_u64(ktime_get_ns(), NSEC_PER_MSEC);
}

static const char * const event_names[SCOUTFS_QUORUM_EVENT_NR] = {
	[SCOUTFS_QUORUM_EVENT_BEGIN] = "BEGIN",
	[SCOUTFS_QUORUM_EVENT_TERM] = "TERM",
	[SCOUTFS_QUORUM_EVENT_ELECT] = "ELECT",
	[SCOUTFS_QUORUM_EVENT_FENCE] = "FENCE",
	[SCOUTFS_QUORUM_EVENT_STOP] = "STOP",
	[SCOUTFS_QUORUM_EVENT_END] = "END",
};

/*
 * Read slot's quorum block into blk and verify its header.  Another
 * member may be writing its block as it is read: a block that fails is
 * read again a few times before it is called corrupt.
 */
static int read_block(struct super_block *sb, int slot, struct scoutfs_quorum_block *blk)
{
	u64 blkno = SCOUTFS_QUORUM_BLKNO + slot;
	int tries = 5;
	u32 crc;
	int ret;

	for (;;) {
		ret = scoutfs_block_sm_io(sb, REQ_OP_READ, blkno, blk);
		if (ret) {
			scoutfs_err(sb, "error %d reading the quorum block of slot %d", ret, slot);
			return ret;
		}
		crc = scoutfs_block_crc(blk, SCOUTFS_BLOCK_SM_SIZE);
		if (le32_to_cpu(blk->hdr.crc) == crc &&
		    le32_to_cpu(blk->hdr.magic) == SCOUTFS_BLOCK_MAGIC_QUORUM &&
		    le64_to_cpu(blk->hdr.blkno) == blkno &&
		    le64_to_cpu(blk->hdr.fsid) == SCOUTFS_SB(sb)->fsid)
			return 0;
		if (--tries == 0)
			break;
		msleep(20);
	}
	scoutfs_err(sb, "the quorum block of slot %d is corrupt (crc %08x, computed %08x, magic %08x, blkno %llu, fsid %016llx); scoutfs check reports it",
		    slot, le32_to_cpu(blk->hdr.crc), crc, le32_to_cpu(blk->hdr.magic),
		    le64_to_cpu(blk->hdr.blkno), le64_to_cpu(blk->hdr.fsid));
	return -EFSCORRUPTED;
}

/* record event in term in this slot's block, durably */
static int write_event(struct scoutfs_quorum_info *qi, int event, u64 term)
{
	struct super_block *sb = qi->sb;
	struct scoutfs_quorum_event_record *ev = &qi->blk->events[event];
	struct timespec64 ts;
	int ret;

	ktime_get_real_ts64(&ts);
	ev->rid = cpu_to_le64(SCOUTFS_SB(sb)->rid);
	ev->term = cpu_to_le64(term);
	ev->ts.sec = cpu_to_le64(ts.tv_sec);
	ev->ts.nsec = cpu_to_le32(ts.tv_nsec);
	le64_add_cpu(&qi->blk->write_nr, 1);
	qi->blk->hdr.crc = cpu_to_le32(scoutfs_block_crc(qi->blk, SCOUTFS_BLOCK_SM_SIZE));
	ret = scoutfs_block_sm_io(sb, REQ_OP_WRITE | REQ_SYNC | REQ_FUA,
				  SCOUTFS_QUORUM_BLKNO + qi->slot, qi->blk);
	if (ret)
		scoutfs_err(sb, "quorum slot %d: error %d writing %s of term %llu to its quorum block",
			    qi->slot, ret, event_names[event], term);
	return ret;
}

static void send_msg(struct scoutfs_quorum_info *qi, u8 type, u64 term, u16 to)
{
	struct scoutfs_quorum_message qm = {
		.fsid = cpu_to_le64(SCOUTFS_SB(qi->sb)->fsid),
		.format_hash = cpu_to_le64(SCOUTFS_FORMAT_HASH),
		.term = cpu_to_le64(term),
		.type = type,
		.from = qi->slot,
	};
	struct kvec kv;
	struct msghdr mh;
	int i;

	for (i = 0; i < SCOUTFS_QUORUM_MAX_SLOTS; i++) {
		if (!(to & (1U << i)))
			continue;
		kv = (struct kvec){ .iov_base = &qm, .iov_len = sizeof(qm) };
		mh = (struct msghdr){
			.msg_name = &qi->addrs[i],
			.msg_namelen = sizeof(qi->addrs[i]),
			.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL,
		};
		/* a member that is down or slow misses it, as with any loss */
		kernel_sendmsg(qi->sock, &mh, &kv, 1, sizeof(qm));
	}
}

/* what the state machine asked, in its order; the error of a write */
static int carry_out(struct scoutfs_quorum_info *qi, struct scoutfs_qsm_out *out)
{
	int ret;

	if (out->persist) {
		ret = write_event(qi, SCOUTFS_QUORUM_EVENT_TERM, out->term);
		if (ret)
			return ret;
	}
	if (out->demoted) {
		spin_lock(&qi->lock);
		qi->leader = false;
		spin_unlock(&qi->lock);
		if (!READ_ONCE(qi->stopping))
			scoutfs_err(qi->sb, "quorum slot %d: no longer leads term %llu: a member stood in term %llu",
				    qi->slot, out->elected_term, qi->qsm.term);
		ret = write_event(qi, SCOUTFS_QUORUM_EVENT_STOP, out->elected_term);
		if (ret)
			return ret;
	}
	if (out->elected) {
		ret = write_event(qi, SCOUTFS_QUORUM_EVENT_ELECT, out->term);
		if (ret)
			return ret;
	}
	if (out->send_to)
		send_msg(qi, out->msg, out->term, out->send_to);

	spin_lock(&qi->lock);
	if (out->elected)
		qi->leader = true;
	qi->leader_slot = qi->qsm.leader;
	qi->term = qi->qsm.term;
	spin_unlock(&qi->lock);
	wake_up(&qi->waitq);
	return 0;
}

/* the reason a datagram is dropped, or NULL to use it */
static const char *check_msg(struct scoutfs_quorum_info *qi, struct scoutfs_quorum_message *qm,
			     int len, struct sockaddr_in *from, u64 *bad)
{
	const char *why;

	*bad = len;
	if (len != sizeof(*qm))
		return "wrong size";
	*bad = le64_to_cpu(qm->fsid);
	if (*bad != SCOUTFS_SB(qi->sb)->fsid)
		return "another fsid";
	*bad = le64_to_cpu(qm->format_hash);
	if (*bad != SCOUTFS_FORMAT_HASH)
		return "another format hash";
	why = scoutfs_quorum_message_invalid(qm, bad);
	if (why)
		return why;
	*bad = qm->from;
	if (!(qi->slots & (1U << qm->from)) || qm->from == qi->slot)
		return "from a slot that is not another member's";
	if (from->sin_addr.s_addr != qi->addrs[qm->from].sin_addr.s_addr ||
	    from->sin_port != qi->addrs[qm->from].sin_port)
		return "not from its slot's address";
	return NULL;
}

/* receive one datagram for at most timeout_ms and feed it to the machine */
static int recv_one(struct scoutfs_quorum_info *qi, u64 timeout_ms)
{
	struct scoutfs_quorum_message qm;
	/* one byte more: a longer datagram is seen as one */
	u8 buf[sizeof(qm) + 1];
	struct sockaddr_in from;
	struct scoutfs_qsm_out out;
	struct msghdr mh = {
		.msg_name = &from,
		.msg_namelen = sizeof(from),
	};
	struct kvec kv = { .iov_base = buf, .iov_len = sizeof(buf) };
	const char *why;
	u64 bad;
	int len;

	qi->sock->sk->sk_rcvtimeo = max_t(long, 1, msecs_to_jiffies(timeout_ms));
	len = kernel_recvmsg(qi->sock, &mh, &kv, 1, sizeof(buf), 0);
	if (len < 0)
		return 0;	/* timed out, or an error of an earlier send */

	memcpy(&qm, buf, min_t(size_t, sizeof(qm), len));
	why = check_msg(qi, &qm, len, &from, &bad);
	if (why) {
		qi->dropped++;
		scoutfs_inc_counter(qi->sb, quorum_dropped);
		scoutfs_warn(qi->sb, "quorum slot %d: dropped a datagram from %pI4:%u: %s (%llu), %llu dropped so far",
			     qi->slot, &from.sin_addr, ntohs(from.sin_port), why, bad, qi->dropped);
		return 0;
	}
	scoutfs_qsm_recv(&qi->qsm, now_ms(), qm.type, le64_to_cpu(qm.term), qm.from, &out);
	return carry_out(qi, &out);
}

static int quorum_thread(void *arg)
{
	struct scoutfs_quorum_info *qi = arg;
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(qi->sb);
	struct scoutfs_qsm_out out;
	u64 now, deadline;
	int ret;

	ret = write_event(qi, SCOUTFS_QUORUM_EVENT_BEGIN, qi->greatest_term);
	/* its listening for a running leader starts now, however long that took */
	scoutfs_qsm_init(&qi->qsm, qi->slots, qi->slot, qi->greatest_term,
			 READ_ONCE(sbi->opts.quorum_heartbeat_timeout_ms), get_random_u64(),
			 now_ms());
	while (!ret && !READ_ONCE(qi->stopping)) {
		/* remount may change it */
		qi->qsm.hb_timeout_ms = READ_ONCE(sbi->opts.quorum_heartbeat_timeout_ms);
		now = now_ms();
		deadline = scoutfs_qsm_deadline(&qi->qsm);
		if (now < deadline) {
			/* wake at least every period to notice stopping */
			ret = recv_one(qi, min_t(u64, deadline - now, SCOUTFS_QSM_HEARTBEAT_MS));
			continue;
		}
		scoutfs_qsm_timer(&qi->qsm, now, &out);
		ret = carry_out(qi, &out);
	}

	if (ret) {
		/* nothing more can be made durable: take no further part */
		spin_lock(&qi->lock);
		qi->error = ret;
		qi->leader = false;
		spin_unlock(&qi->lock);
		wake_up(&qi->waitq);
	} else {
		scoutfs_qsm_stop(&qi->qsm, &out);
		if (!carry_out(qi, &out))
			write_event(qi, SCOUTFS_QUORUM_EVENT_END, qi->qsm.term);
	}

	/* kthread_stop() is the only way out */
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static void stop_thread(struct scoutfs_quorum_info *qi)
{
	if (!qi->thread)
		return;
	spin_lock(&qi->lock);
	qi->stopping = true;
	spin_unlock(&qi->lock);
	kthread_stop(qi->thread);
	put_task_struct(qi->thread);
	qi->thread = NULL;
	spin_lock(&qi->lock);
	qi->stopping = false;
	qi->leader = false;
	qi->leader_slot = SCOUTFS_QSM_NO_SLOT;
	spin_unlock(&qi->lock);
}

static bool decided(struct scoutfs_quorum_info *qi)
{
	bool ret;

	spin_lock(&qi->lock);
	ret = qi->error || qi->leader || qi->leader_slot != SCOUTFS_QSM_NO_SLOT;
	spin_unlock(&qi->lock);
	return ret;
}

/*
 * Read every configured slot's block: the greatest term any recorded,
 * into *greatest, and the running leader they show (the greatest ELECT
 * newer than its slot's STOP) into *leader and *leader_term, -1 if none.
 * This slot's block is kept as the one its events are written to.
 */
static int read_blocks(struct super_block *sb, struct scoutfs_quorum_info *qi, u64 *greatest,
		       int *leader, u64 *leader_term)
{
	struct scoutfs_quorum_block *blk;
	struct scoutfs_quorum_block *tmp;
	u64 elect, stop;
	int ret = 0;
	int i, e;

	tmp = kmalloc(SCOUTFS_BLOCK_SM_SIZE, GFP_KERNEL);
	if (!tmp)
		return -ENOMEM;
	*greatest = 0;
	*leader = -1;
	*leader_term = 0;
	for (i = 0; i < SCOUTFS_QUORUM_MAX_SLOTS; i++) {
		if (!(qi->slots & (1U << i)))
			continue;
		blk = i == qi->slot ? qi->blk : tmp;
		ret = read_block(sb, i, blk);
		if (ret)
			break;
		for (e = 0; e < SCOUTFS_QUORUM_EVENT_NR; e++)
			*greatest = max(*greatest, le64_to_cpu(blk->events[e].term));
		elect = le64_to_cpu(blk->events[SCOUTFS_QUORUM_EVENT_ELECT].term);
		stop = le64_to_cpu(blk->events[SCOUTFS_QUORUM_EVENT_STOP].term);
		if (elect > stop && elect > *leader_term) {
			*leader = i;
			*leader_term = elect;
		}
	}
	kfree(tmp);
	return ret;
}

int scoutfs_quorum_start(struct super_block *sb)
{
	struct scoutfs_quorum_info *qi = QI(sb);
	struct task_struct *task;
	u8 leader_slot;
	int recorded;
	u64 term;
	long ret;

	if (!qi || qi->slot < 0)
		return -EINVAL;
	if (scoutfs_quorum_is_leader(sb))
		return 0;
	stop_thread(qi);

	/* a term above every one any slot recorded */
	ret = read_blocks(sb, qi, &qi->greatest_term, &recorded, &term);
	if (ret)
		return ret;
	spin_lock(&qi->lock);
	qi->error = 0;
	qi->term = qi->greatest_term;
	spin_unlock(&qi->lock);
	task = kthread_create(quorum_thread, qi, "scoutfs-quorum%d", qi->slot);
	if (IS_ERR(task))
		return PTR_ERR(task);
	get_task_struct(task);
	qi->thread = task;
	wake_up_process(task);

	ret = wait_event_interruptible_timeout(qi->waitq, decided(qi), HZ);
	if (ret == 0) {
		scoutfs_info(sb, "quorum slot %d: waiting for a leader to be elected (%u votes of %u slots needed)",
			     qi->slot, scoutfs_qsm_votes_needed(qi->slots), hweight16(qi->slots));
		ret = wait_event_interruptible(qi->waitq, decided(qi));
	}
	if (ret < 0) {
		scoutfs_err(sb, "quorum slot %d: interrupted while waiting for a leader", qi->slot);
		ret = -EINTR;
		goto out;
	}

	spin_lock(&qi->lock);
	ret = qi->error;
	leader_slot = qi->leader ? qi->slot : qi->leader_slot;
	term = qi->term;
	spin_unlock(&qi->lock);
	if (ret)
		goto out;
	/*
	 * The thread goes on following whoever leads (heartbeats); this
	 * mount becomes a client of the leader's server.
	 */
	if (leader_slot != qi->slot)
		scoutfs_info(sb, "quorum slot %d: slot %u leads the cluster in term %llu; joining as its client",
			     qi->slot, leader_slot, term);
	ret = 0;
out:
	if (ret)
		stop_thread(qi);
	return ret;
}

/* claim the slot's address: bind fails when another mount holds it */
static int bind_slot(struct super_block *sb, struct scoutfs_quorum_info *qi)
{
	struct sockaddr_in *sin = &qi->addrs[qi->slot];
	int ret;

	ret = sock_create_kern(&init_net, AF_INET, SOCK_DGRAM, IPPROTO_UDP, &qi->sock);
	if (ret) {
		scoutfs_err(sb, "quorum slot %d: error %d creating its UDP socket", qi->slot, ret);
		qi->sock = NULL;
		return ret;
	}
	ret = kernel_bind(qi->sock, (struct sockaddr *)sin, sizeof(*sin));
	if (ret == -EADDRINUSE)
		scoutfs_err(sb, "quorum slot %d (%pI4:%u) is already in use: another mount uses the slot, or another program the address",
			    qi->slot, &sin->sin_addr, ntohs(sin->sin_port));
	else if (ret == -EADDRNOTAVAIL)
		scoutfs_err(sb, "quorum slot %d (%pI4:%u): the address is not one of this host's",
			    qi->slot, &sin->sin_addr, ntohs(sin->sin_port));
	else if (ret)
		scoutfs_err(sb, "quorum slot %d (%pI4:%u): error %d binding its UDP socket",
			    qi->slot, &sin->sin_addr, ntohs(sin->sin_port), ret);
	return ret;
}

int scoutfs_quorum_setup(struct super_block *sb)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	struct scoutfs_quorum_slot *qs;
	struct scoutfs_quorum_info *qi;
	u64 term, leader_term;
	int leader;
	int ret;
	int i;

	/* the state machine's message types are the schema's */
	BUILD_BUG_ON(SCOUTFS_QSM_REQUEST_VOTE != SCOUTFS_QUORUM_MSG_TYPE_REQUEST_VOTE);
	BUILD_BUG_ON(SCOUTFS_QSM_VOTE != SCOUTFS_QUORUM_MSG_TYPE_VOTE);
	BUILD_BUG_ON(SCOUTFS_QSM_HEARTBEAT != SCOUTFS_QUORUM_MSG_TYPE_HEARTBEAT);
	BUILD_BUG_ON(SCOUTFS_QSM_RESIGNATION != SCOUTFS_QUORUM_MSG_TYPE_RESIGNATION);
	BUILD_BUG_ON(SCOUTFS_QUORUM_MAX_SLOTS > 16);

	qi = kzalloc(sizeof(*qi), GFP_KERNEL);
	if (!qi)
		return -ENOMEM;
	qi->sb = sb;
	qi->slot = sbi->opts.quorum_slot_nr;
	qi->leader_slot = SCOUTFS_QSM_NO_SLOT;
	spin_lock_init(&qi->lock);
	init_waitqueue_head(&qi->waitq);
	sbi->quorum = qi;

	for (i = 0; i < SCOUTFS_QUORUM_MAX_SLOTS; i++) {
		qs = &sbi->super.quorum.slots[i];
		if (qs->family != SCOUTFS_QUORUM_ADDR_FAMILY_IPV4)
			continue;
		qi->slots |= 1U << i;
		qi->addrs[i].sin_family = AF_INET;
		qi->addrs[i].sin_addr.s_addr = htonl(le32_to_cpu(qs->addr));
		qi->addrs[i].sin_port = htons(le16_to_cpu(qs->port));
	}

	qi->blk = kmalloc(SCOUTFS_BLOCK_SM_SIZE, GFP_KERNEL);
	if (!qi->blk)
		return -ENOMEM;

	if (qi->slot < 0) {
		ret = read_blocks(sb, qi, &term, &leader, &leader_term);
		if (ret)
			return ret;
		if (leader >= 0) {
			/* a client of the leader's server, which it finds at the slot's address */
			spin_lock(&qi->lock);
			qi->leader_slot = leader;
			qi->term = leader_term;
			spin_unlock(&qi->lock);
			return 0;
		}
		scoutfs_err(sb, "no quorum member is mounted: mount with quorum_slot_nr= one of the volume's slots first (scoutfs print lists them)");
		return -EINVAL;
	}

	ret = bind_slot(sb, qi);
	if (ret)
		return ret;
	return sbi->read_only ? 0 : scoutfs_quorum_start(sb);
}

void scoutfs_quorum_stop(struct super_block *sb)
{
	struct scoutfs_quorum_info *qi = QI(sb);

	if (qi)
		stop_thread(qi);
}

void scoutfs_quorum_destroy(struct super_block *sb)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	struct scoutfs_quorum_info *qi = sbi->quorum;

	if (!qi)
		return;
	stop_thread(qi);
	if (qi->sock)
		sock_release(qi->sock);
	kfree(qi->blk);
	kfree(qi);
	sbi->quorum = NULL;
}

/* the slot whose server this mount's client connects to, -1 if none known */
int scoutfs_quorum_leader_slot(struct super_block *sb)
{
	struct scoutfs_quorum_info *qi = QI(sb);
	int ret = -1;

	if (qi) {
		spin_lock(&qi->lock);
		if (qi->leader)
			ret = qi->slot;
		else if (qi->leader_slot != SCOUTFS_QSM_NO_SLOT)
			ret = qi->leader_slot;
		spin_unlock(&qi->lock);
	}
	return ret;
}

/*
 * Does this mount run the server (and so write the super block): the
 * elected leader, or a read-only mount of a slot (which writes nothing
 * and serves its own client's locks)?
 */
bool scoutfs_quorum_serves(struct super_block *sb)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);

	return sbi->opts.quorum_slot_nr >= 0 &&
	       (sbi->read_only || scoutfs_quorum_is_leader(sb));
}

bool scoutfs_quorum_is_leader(struct super_block *sb)
{
	struct scoutfs_quorum_info *qi = QI(sb);
	bool ret = false;

	if (qi) {
		spin_lock(&qi->lock);
		ret = qi->leader;
		spin_unlock(&qi->lock);
	}
	return ret;
}

u64 scoutfs_quorum_term(struct super_block *sb)
{
	struct scoutfs_quorum_info *qi = QI(sb);
	u64 ret = 0;

	if (qi) {
		spin_lock(&qi->lock);
		ret = qi->term;
		spin_unlock(&qi->lock);
	}
	return ret;
}
