// SPDX-License-Identifier: GPL-2.0
/*
 * server.c: the server end of the client/server protocol.
 *
 * A mount given quorum_slot_nr=N listens on slot N's IPv4 address and
 * port from the super block and serves every client that connects,
 * its own mount's client included.  (Once quorum election lands, only
 * the elected leader's mount will start a server.)  Each accepted socket
 * becomes a connection (net.c) whose requests go to the handlers below,
 * listed for the generated dispatch table by @server in format/net.ts.
 *
 * A client must greet first, with this volume's fsid and the format hash
 * the module was built with: any other request before that, or a
 * greeting naming another volume or another format, is refused.
 *
 * The server keeps the cluster's lock table: one struct server_lock per
 * key range some client holds or wants, each driven by the pure state
 * machine of lock_server_sm.c.  A client's LOCK request is answered by
 * its grant, maybe after the server has sent LOCK requests to other
 * clients asking them to give up conflicting modes (invalidations) and
 * they have answered.  One mutex serialises the whole table: every call
 * only queues messages, it never waits for a peer.  A client that leaves
 * (farewell, or its connection ends) lets go of everything it held.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/net.h>
#include <linux/in.h>
#include <linux/delay.h>
#include <linux/workqueue.h>
#include <net/sock.h>

#include "super.h"
#include "msg.h"
#include "alloc.h"
#include "trans.h"
#include "format_hash.h"
#include "net.h"
#include "item.h"
#include "lock.h"
#include "lock_server_sm.h"
#include "counters.h"
#include "server.h"

struct scoutfs_server_info {
	struct super_block *sb;
	struct socket *lsock;
	struct sockaddr_in addr;
	struct workqueue_struct *wq;
	struct work_struct accept_work;
	struct work_struct reap_work;

	spinlock_t lock;
	struct list_head clients;	/* connected */
	struct list_head closed;	/* waiting for reap_work */
	bool stopping;

	/* the lock table: server_locks by start key, under lock_mutex */
	struct mutex lock_mutex;
	struct rb_root locks;
	u64 write_seq;
	bool locks_stopped;
};

/* one key range of the lock table */
struct server_lock {
	struct rb_node node;
	struct scoutfs_key start;
	struct scoutfs_key end;
	struct scoutfs_server_info *server;
	struct scoutfs_lsm_lock lsm;
	/* the LOCK requests waiting for their grant, one per client at most */
	struct list_head pending;
};

struct server_lock_pending {
	struct list_head head;
	u64 rid;
	u64 id;
};

/* a connected client, the info of its connection */
struct server_client {
	struct list_head head;
	struct scoutfs_server_info *server;
	struct scoutfs_net_conn *conn;
	bool greeted;
	/* rid is the client's from its greeting on; it may hold locks */
	bool has_rid;
	u64 rid;
};

static void lock_table_client_gone(struct scoutfs_server_info *server, u64 rid);
static void lock_table_stop(struct scoutfs_server_info *server);
static struct server_client *greeted(struct scoutfs_net_conn *conn);

static void free_client(struct server_client *sc)
{
	scoutfs_net_free(sc->conn);
	kfree(sc);
}

/* from the connection's receive worker: hand the client to reap_work */
static void client_closed(struct scoutfs_net_conn *conn)
{
	struct server_client *sc = scoutfs_net_info(conn);
	struct scoutfs_server_info *server = sc->server;

	spin_lock(&server->lock);
	/* when stopping, scoutfs_server_destroy() frees every client */
	if (!server->stopping) {
		list_move_tail(&sc->head, &server->closed);
		queue_work(server->wq, &server->reap_work);
	}
	spin_unlock(&server->lock);
}

static void reap_worker(struct work_struct *work)
{
	struct scoutfs_server_info *server = container_of(work, struct scoutfs_server_info,
							  reap_work);
	struct server_client *sc;
	struct server_client *tmp;
	LIST_HEAD(list);

	spin_lock(&server->lock);
	list_splice_init(&server->closed, &list);
	spin_unlock(&server->lock);

	list_for_each_entry_safe(sc, tmp, &list, head) {
		list_del(&sc->head);
		if (sc->has_rid)
			lock_table_client_gone(server, sc->rid);
		free_client(sc);
	}
}

static void accept_worker(struct work_struct *work)
{
	struct scoutfs_server_info *server = container_of(work, struct scoutfs_server_info,
							  accept_work);
	struct super_block *sb = server->sb;
	struct server_client *sc;
	struct socket *sock;
	bool stopping;
	int ret;

	for (;;) {
		ret = kernel_accept(server->lsock, &sock, 0);
		spin_lock(&server->lock);
		stopping = server->stopping;
		spin_unlock(&server->lock);
		if (stopping) {
			if (ret == 0)
				sock_release(sock);
			return;
		}
		if (ret < 0) {
			scoutfs_warn(sb, "accepting a client connection failed: error %d", ret);
			msleep(100);
			continue;
		}

		sc = kzalloc(sizeof(*sc), GFP_KERNEL);
		if (!sc) {
			sock_release(sock);
			continue;
		}
		sc->server = server;
		sc->conn = scoutfs_net_alloc(sb, sock, scoutfs_server_handlers, client_closed, sc);
		if (!sc->conn) {
			kfree(sc);
			continue;
		}
		spin_lock(&server->lock);
		stopping = server->stopping;
		if (!stopping)
			list_add_tail(&sc->head, &server->clients);
		spin_unlock(&server->lock);
		if (stopping) {
			free_client(sc);
			return;
		}
		scoutfs_net_start(sc->conn);
	}
}

/* a listening socket on the address of this mount's quorum slot */
static int server_listen(struct scoutfs_server_info *server, int slot)
{
	struct super_block *sb = server->sb;
	int ret;

	ret = scoutfs_net_slot_addr(sb, slot, &server->addr);
	if (ret) {
		scoutfs_err(sb, "quorum slot %d has no IPv4 address for the server", slot);
		return ret;
	}
	ret = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP, &server->lsock);
	if (ret)
		goto out;
	sock_set_reuseaddr(server->lsock->sk);
	ret = kernel_bind(server->lsock, (struct sockaddr *)&server->addr, sizeof(server->addr)) ?:
	      kernel_listen(server->lsock, 64);
out:
	if (ret)
		scoutfs_err(sb, "server cannot listen on %pISpc (quorum slot %d): error %d",
			    &server->addr, slot, ret);
	return ret;
}

/* listen for clients when the mount has a quorum slot; nothing to do without */
int scoutfs_server_setup(struct super_block *sb)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	struct scoutfs_server_info *server;
	int ret;

	if (sbi->opts.quorum_slot_nr < 0)
		return 0;

	server = kzalloc(sizeof(*server), GFP_KERNEL);
	if (!server)
		return -ENOMEM;
	server->sb = sb;
	spin_lock_init(&server->lock);
	mutex_init(&server->lock_mutex);
	server->locks = RB_ROOT;
	server->write_seq = scoutfs_trans_seq(sb);
	INIT_LIST_HEAD(&server->clients);
	INIT_LIST_HEAD(&server->closed);
	INIT_WORK(&server->accept_work, accept_worker);
	INIT_WORK(&server->reap_work, reap_worker);
	sbi->server = server;

	server->wq = alloc_workqueue("scoutfs_server", WQ_UNBOUND | WQ_MEM_RECLAIM, 2);
	if (!server->wq)
		return -ENOMEM;
	ret = server_listen(server, sbi->opts.quorum_slot_nr);
	if (ret)
		return ret;
	queue_work(server->wq, &server->accept_work);
	return 0;
}

/* stop accepting, close every connection and wait for the workers */
void scoutfs_server_destroy(struct super_block *sb)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	struct scoutfs_server_info *server = sbi->server;
	struct server_client *sc;
	struct server_client *tmp;
	LIST_HEAD(list);

	if (!server)
		return;
	spin_lock(&server->lock);
	server->stopping = true;
	spin_unlock(&server->lock);
	if (server->lsock)
		kernel_sock_shutdown(server->lsock, SHUT_RDWR);
	if (server->wq)
		destroy_workqueue(server->wq);

	/*
	 * Nothing adds or moves clients now.  Their connections stop first,
	 * then the lock table: a handler still running finds it stopped and
	 * touches no other client, which may then be freed.
	 */
	spin_lock(&server->lock);
	list_splice_init(&server->clients, &list);
	list_splice_init(&server->closed, &list);
	spin_unlock(&server->lock);
	list_for_each_entry(sc, &list, head)
		scoutfs_net_shutdown(sc->conn);
	lock_table_stop(server);
	list_for_each_entry_safe(sc, tmp, &list, head) {
		list_del(&sc->head);
		free_client(sc);
	}
	if (server->lsock)
		sock_release(server->lsock);
	kfree(server);
	sbi->server = NULL;
}

/* ------------------------------------------------------- the lock table */

/*
 * Give the client rid and mark it greeted, unless another connected
 * client has that rid: one check and claim, under server->lock.
 */
static bool claim_rid(struct server_client *self, u64 rid)
{
	struct scoutfs_server_info *server = self->server;
	struct server_client *sc;
	bool taken = false;

	spin_lock(&server->lock);
	list_for_each_entry(sc, &server->clients, head) {
		if (sc != self && sc->has_rid && sc->rid == rid) {
			taken = true;
			break;
		}
	}
	if (!taken) {
		self->rid = rid;
		self->has_rid = true;
		self->greeted = true;
	}
	spin_unlock(&server->lock);
	return !taken;
}

/*
 * The connection of the client rid, for a message from the lock table:
 * under lock_mutex, which reap_worker takes (to drop the client's locks)
 * before it frees a client, so the connection outlives the caller's use.
 */
static struct scoutfs_net_conn *rid_conn(struct scoutfs_server_info *server, u64 rid)
{
	struct scoutfs_net_conn *conn = NULL;
	struct server_client *sc;

	spin_lock(&server->lock);
	list_for_each_entry(sc, &server->clients, head) {
		if (sc->has_rid && sc->rid == rid) {
			conn = sc->conn;
			break;
		}
	}
	spin_unlock(&server->lock);
	return conn;
}

static struct server_lock *server_lock_find(struct scoutfs_server_info *server,
					    const struct scoutfs_key *start)
{
	struct rb_node *n = server->locks.rb_node;
	struct server_lock *sl;
	int cmp;

	while (n) {
		sl = rb_entry(n, struct server_lock, node);
		cmp = scoutfs_key_compare(start, &sl->start);
		if (cmp < 0)
			n = n->rb_left;
		else if (cmp > 0)
			n = n->rb_right;
		else
			return sl;
	}
	return NULL;
}

static const struct scoutfs_lsm_ops server_lsm_ops;

/* the lock of start..end (a valid range), created if none */
static struct server_lock *server_lock_get(struct scoutfs_server_info *server,
					   const struct scoutfs_key *start,
					   const struct scoutfs_key *end)
{
	struct rb_node **p = &server->locks.rb_node;
	struct rb_node *parent = NULL;
	struct server_lock *sl;
	int cmp;

	while (*p) {
		parent = *p;
		sl = rb_entry(parent, struct server_lock, node);
		cmp = scoutfs_key_compare(start, &sl->start);
		if (cmp < 0)
			p = &(*p)->rb_left;
		else if (cmp > 0)
			p = &(*p)->rb_right;
		else
			return sl;
	}
	sl = kzalloc(sizeof(*sl), GFP_NOFS);
	if (!sl)
		return NULL;
	sl->start = *start;
	sl->end = *end;
	sl->server = server;
	INIT_LIST_HEAD(&sl->pending);
	scoutfs_lsm_init(&sl->lsm, &server_lsm_ops);
	rb_link_node(&sl->node, parent, p);
	rb_insert_color(&sl->node, &server->locks);
	return sl;
}

/* a lock nobody holds or waits for is forgotten */
static void server_lock_put(struct scoutfs_server_info *server, struct server_lock *sl)
{
	if (scoutfs_lsm_idle(&sl->lsm) && list_empty(&sl->pending)) {
		rb_erase(&sl->node, &server->locks);
		kfree(sl);
	}
}

static void lock_msg(struct server_lock *sl, u8 old_mode, u8 new_mode, u64 write_seq,
		     struct scoutfs_net_lock *nl)
{
	memset(nl, 0, sizeof(*nl));
	nl->start = sl->start;
	nl->end = sl->end;
	nl->write_seq = cpu_to_le64(write_seq);
	nl->old_mode = old_mode;
	nl->new_mode = new_mode;
}

/*
 * A message to a client that can't be queued (no memory) would leave
 * the lock table waiting on it for ever: the client is cut off instead,
 * and its connection's end lets go of what it held.
 */
static void cut_off(struct scoutfs_server_info *server, struct scoutfs_net_conn *conn,
		    u64 rid, const char *what, int err)
{
	scoutfs_err(server->sb, "cannot send a lock %s to client rid %016llx: error %d; closing its connection",
		    what, rid, err);
	scoutfs_net_shutdown(conn);
}

static void lsm_send_grant(struct scoutfs_lsm_lock *lsm, u64 rid, u8 old_mode, u8 new_mode,
			   u64 write_seq)
{
	struct server_lock *sl = container_of(lsm, struct server_lock, lsm);
	struct scoutfs_server_info *server = sl->server;
	struct server_lock_pending *pend;
	struct scoutfs_net_conn *conn;
	struct scoutfs_net_lock nl;
	int ret;

	list_for_each_entry(pend, &sl->pending, head) {
		if (pend->rid == rid)
			break;
	}
	if (WARN_ON_ONCE(list_entry_is_head(pend, &sl->pending, head)))
		return;
	list_del(&pend->head);

	scoutfs_inc_counter(server->sb, server_lock_grants);
	conn = rid_conn(server, rid);
	if (conn) {
		lock_msg(sl, old_mode, new_mode, write_seq, &nl);
		ret = scoutfs_net_response(conn, SCOUTFS_NET_CMD_LOCK, pend->id, 0, &nl, sizeof(nl));
		if (ret < 0 && ret != -ENOTCONN)
			cut_off(server, conn, rid, "grant", ret);
	}
	kfree(pend);
}

static void server_lock_answered(struct scoutfs_net_conn *conn, int err, const void *resp,
				 u16 resp_len, void *data);

static void lsm_send_invalidate(struct scoutfs_lsm_lock *lsm, u64 rid, u8 old_mode,
				u8 new_mode)
{
	struct server_lock *sl = container_of(lsm, struct server_lock, lsm);
	struct scoutfs_server_info *server = sl->server;
	struct scoutfs_net_conn *conn;
	struct scoutfs_net_lock nl;
	int ret;

	scoutfs_inc_counter(server->sb, server_lock_invalidations);
	conn = rid_conn(server, rid);
	if (!conn)
		return;
	lock_msg(sl, old_mode, new_mode, 0, &nl);
	ret = scoutfs_net_submit_request(conn, SCOUTFS_NET_CMD_LOCK, &nl, sizeof(nl),
					 server_lock_answered, NULL);
	if (ret < 0 && ret != -ENOTCONN)
		cut_off(server, conn, rid, "invalidation", ret);
}

/* under lock_mutex, always: greater than every earlier one and the seq */
static u64 lsm_next_write_seq(struct scoutfs_lsm_lock *lsm)
{
	struct server_lock *sl = container_of(lsm, struct server_lock, lsm);
	struct scoutfs_server_info *server = sl->server;

	server->write_seq = max(server->write_seq + 1, scoutfs_trans_seq(server->sb));
	return server->write_seq;
}

static void lsm_release(struct scoutfs_lsm_lock *lsm, struct scoutfs_lsm_entry *ent)
{
	kfree(ent);
}

static const struct scoutfs_lsm_ops server_lsm_ops = {
	.send_grant = lsm_send_grant,
	.send_invalidate = lsm_send_invalidate,
	.next_write_seq = lsm_next_write_seq,
	.release = lsm_release,
};

/* a client answered an invalidation (from its connection's receive worker) */
static void server_lock_answered(struct scoutfs_net_conn *conn, int err, const void *resp,
				 u16 resp_len, void *data)
{
	struct server_client *sc = scoutfs_net_info(conn);
	struct scoutfs_server_info *server = sc->server;
	struct super_block *sb = server->sb;
	const struct scoutfs_net_lock *nl = resp;
	struct server_lock *sl;
	const char *why = NULL;
	int ret;

	/*
	 * Gone: its connection's end drops its locks.  ENOENT: it had
	 * already asked to give the lock back, which answers the
	 * invalidation.  ENOLINK: it is unmounting, its farewell lets go.  Any other error leaves the lock waiting: the
	 * client could not give up its changes, and they must not be lost.
	 */
	if (err == -ENOTCONN || err == -ENOENT || err == -ENOLINK)
		return;
	if (err) {
		scoutfs_err(sb, "client rid %016llx could not give up a lock: error %d; the lock waits for it",
			    sc->rid, err);
		return;
	}

	mutex_lock(&server->lock_mutex);
	if (server->locks_stopped) {
		mutex_unlock(&server->lock_mutex);
		return;
	}
	sl = server_lock_find(server, &nl->start);
	if (!sl || memcmp(&sl->end, &nl->end, sizeof(nl->end))) {
		why = "an invalidation answer for a range the server does not know";
		ret = -EPROTO;
	} else {
		ret = scoutfs_lsm_invalidated(&sl->lsm, sc->rid, nl->old_mode, nl->new_mode, &why);
		server_lock_put(server, sl);
	}
	mutex_unlock(&server->lock_mutex);
	if (ret < 0)
		scoutfs_err(sb, "client rid %016llx at %pISpc: %s (modes %u to %u, zone %u first %llu)",
			    sc->rid, scoutfs_net_peer(conn), why, nl->old_mode, nl->new_mode,
			    nl->start.zone, le64_to_cpu(nl->start.first));
}

/* a client's request for a lock mode, answered by its grant */
int scoutfs_server_lock(struct scoutfs_net_conn *conn, u64 id, const void *arg)
{
	struct server_client *sc = greeted(conn);
	const struct scoutfs_net_lock *nl = arg;
	struct scoutfs_server_info *server;
	struct server_lock_pending *pend;
	struct scoutfs_lsm_entry *ent;
	struct server_lock *sl;
	const char *why;
	int ret;

	if (!sc)
		return -EINVAL;
	server = sc->server;
	why = scoutfs_lock_range_invalid(&nl->start, &nl->end);
	if (why) {
		scoutfs_err(server->sb, "client rid %016llx at %pISpc asked for a lock on zone %u first %llu type %u: %s; refused",
			    sc->rid, scoutfs_net_peer(conn), nl->start.zone,
			    le64_to_cpu(nl->start.first), nl->start.type, why);
		return -EINVAL;
	}

	scoutfs_inc_counter(server->sb, server_lock_requests);
	ent = kzalloc(sizeof(*ent), GFP_NOFS);
	pend = kzalloc(sizeof(*pend), GFP_NOFS);
	if (!ent || !pend) {
		kfree(ent);
		kfree(pend);
		return -ENOMEM;
	}
	pend->rid = sc->rid;
	pend->id = id;

	mutex_lock(&server->lock_mutex);
	sl = server->locks_stopped ? NULL : server_lock_get(server, &nl->start, &nl->end);
	if (!sl) {
		mutex_unlock(&server->lock_mutex);
		kfree(ent);
		kfree(pend);
		return server->locks_stopped ? -ENOLINK : -ENOMEM;
	}
	/* the grant may be sent from within the request */
	list_add_tail(&pend->head, &sl->pending);
	ret = scoutfs_lsm_request(&sl->lsm, ent, sc->rid, nl->old_mode, nl->new_mode, &why);
	if (ret < 0) {
		/* refused: nothing was sent, and ent is released */
		list_del(&pend->head);
		kfree(pend);
	}
	server_lock_put(server, sl);
	mutex_unlock(&server->lock_mutex);
	if (ret < 0) {
		scoutfs_err(server->sb, "client rid %016llx at %pISpc: lock request from mode %u to %u on zone %u first %llu refused: %s",
			    sc->rid, scoutfs_net_peer(conn), nl->old_mode, nl->new_mode,
			    nl->start.zone, le64_to_cpu(nl->start.first), why);
		ret = -EINVAL;
	}
	return ret;
}

/* rid left or its connection ended: it holds and wants nothing now */
static void lock_table_client_gone(struct scoutfs_server_info *server, u64 rid)
{
	struct server_lock_pending *pend;
	struct server_lock_pending *ptmp;
	struct server_lock *sl;
	struct rb_node *n;

	mutex_lock(&server->lock_mutex);
	for (n = server->locks_stopped ? NULL : rb_first(&server->locks); n; ) {
		sl = rb_entry(n, struct server_lock, node);
		n = rb_next(n);
		list_for_each_entry_safe(pend, ptmp, &sl->pending, head) {
			if (pend->rid == rid) {
				list_del(&pend->head);
				kfree(pend);
			}
		}
		scoutfs_lsm_client_gone(&sl->lsm, rid);
		server_lock_put(server, sl);
	}
	mutex_unlock(&server->lock_mutex);
}

/* the server is stopping: forget every lock, handlers find the table stopped */
static void lock_table_stop(struct scoutfs_server_info *server)
{
	struct scoutfs_lsm_entry *ent;
	struct scoutfs_lsm_entry *etmp;
	struct server_lock_pending *pend;
	struct server_lock_pending *ptmp;
	struct server_lock *sl;
	struct rb_node *n;

	mutex_lock(&server->lock_mutex);
	server->locks_stopped = true;
	while ((n = rb_first(&server->locks))) {
		sl = rb_entry(n, struct server_lock, node);
		rb_erase(n, &server->locks);
		list_for_each_entry_safe(pend, ptmp, &sl->pending, head)
			kfree(pend);
		list_for_each_entry_safe(ent, etmp, &sl->lsm.holders, head)
			kfree(ent);
		list_for_each_entry_safe(ent, etmp, &sl->lsm.requests, head)
			kfree(ent);
		kfree(sl);
	}
	mutex_unlock(&server->lock_mutex);
}

/*
 * A request before the greeting is refused; the client's dropped
 * connection and its own timeout tell it the rest.
 */
static struct server_client *greeted(struct scoutfs_net_conn *conn)
{
	struct server_client *sc = scoutfs_net_info(conn);

	return sc->greeted ? sc : NULL;
}

int scoutfs_server_greeting(struct scoutfs_net_conn *conn, u64 id, const void *arg)
{
	const struct scoutfs_net_greeting *gr = arg;
	struct super_block *sb = scoutfs_net_sb(conn);
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	struct server_client *sc = scoutfs_net_info(conn);
	struct scoutfs_net_greeting reply;
	u64 fsid = le64_to_cpu(gr->fsid);
	u64 hash = le64_to_cpu(gr->format_hash);

	if (fsid != sbi->fsid) {
		scoutfs_err(sb, "client %pISpc greeted with fsid %016llx, ours is %016llx: refused",
			    scoutfs_net_peer(conn), fsid, sbi->fsid);
		return -EINVAL;
	}
	if (hash != SCOUTFS_FORMAT_HASH) {
		scoutfs_err(sb, "client %pISpc format hash %016llx differs from ours %016llx: refused",
			    scoutfs_net_peer(conn), hash, SCOUTFS_FORMAT_HASH);
		return -EINVAL;
	}

	if (sc->has_rid && sc->rid != le64_to_cpu(gr->rid)) {
		scoutfs_err(sb, "client %pISpc greeted again with another rid %016llx (was %016llx): refused",
			    scoutfs_net_peer(conn), le64_to_cpu(gr->rid), sc->rid);
		return -EINVAL;
	}
	if (!claim_rid(sc, le64_to_cpu(gr->rid))) {
		scoutfs_err(sb, "client %pISpc greeted with rid %016llx, which another connected client has: refused",
			    scoutfs_net_peer(conn), le64_to_cpu(gr->rid));
		return -EINVAL;
	}
	reply = (struct scoutfs_net_greeting) {
		.fsid = cpu_to_le64(sbi->fsid),
		.format_hash = cpu_to_le64(SCOUTFS_FORMAT_HASH),
		.server_term = 0,
		.rid = gr->rid,
		.flags = 0,
	};
	return scoutfs_net_response(conn, SCOUTFS_NET_CMD_GREETING, id, 0, &reply, sizeof(reply));
}

int scoutfs_server_statfs(struct scoutfs_net_conn *conn, u64 id, const void *arg)
{
	struct super_block *sb = scoutfs_net_sb(conn);
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	struct scoutfs_net_statfs st;

	if (!greeted(conn))
		return -EINVAL;
	memset(&st, 0, sizeof(st));
	memcpy(&st.uuid_lo, sbi->super.uuid, sizeof(st.uuid_lo));
	memcpy(&st.uuid_hi, sbi->super.uuid + sizeof(st.uuid_lo), sizeof(st.uuid_hi));
	st.free_meta_blocks = cpu_to_le64(scoutfs_alloc_free_meta_blocks(sb));
	st.total_meta_blocks = sbi->super.total_meta_blocks;
	st.free_data_blocks = cpu_to_le64(scoutfs_alloc_free_data_blocks(sb));
	st.total_data_blocks = sbi->super.total_data_blocks;
	st.inode_count = cpu_to_le64(atomic64_read(&sbi->inode_count));
	return scoutfs_net_response(conn, SCOUTFS_NET_CMD_STATFS, id, 0, &st, sizeof(st));
}

int scoutfs_server_get_last_seq(struct scoutfs_net_conn *conn, u64 id, const void *arg)
{
	struct scoutfs_net_seq seq;

	if (!greeted(conn))
		return -EINVAL;
	seq.seq = cpu_to_le64(scoutfs_trans_stable_seq(scoutfs_net_sb(conn)));
	return scoutfs_net_response(conn, SCOUTFS_NET_CMD_GET_LAST_SEQ, id, 0, &seq, sizeof(seq));
}

/* a clean unmount: the client closes its connection after the reply */
int scoutfs_server_farewell(struct scoutfs_net_conn *conn, u64 id, const void *arg)
{
	struct server_client *sc = greeted(conn);

	if (!sc)
		return -EINVAL;
	spin_lock(&sc->server->lock);
	sc->greeted = false;
	spin_unlock(&sc->server->lock);
	lock_table_client_gone(sc->server, sc->rid);
	/* its rid may greet again, on another connection */
	spin_lock(&sc->server->lock);
	sc->has_rid = false;
	spin_unlock(&sc->server->lock);
	return scoutfs_net_response(conn, SCOUTFS_NET_CMD_FAREWELL, id, 0, NULL, 0);
}
