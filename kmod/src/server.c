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
#include <linux/tcp.h>
#include <linux/delay.h>
#include <linux/workqueue.h>
#include <net/sock.h>

#include "super.h"
#include "rules.h"
#include "btree.h"
#include "msg.h"
#include "alloc.h"
#include "trans.h"
#include "format_hash.h"
#include "net.h"
#include "item.h"
#include "lock.h"
#include "quorum.h"
#include "forest.h"
#include "lock_server_sm.h"
#include "counters.h"
#include "server.h"

struct scoutfs_server_info {
	struct super_block *sb;
	struct socket *lsock;
	struct sockaddr_in addr;
	struct workqueue_struct *wq;
	/* clients' requests that commit (one at a time, in order) */
	struct workqueue_struct *commit_wq;
	/* OPEN_INO answers, once every other client answered */
	struct workqueue_struct *omap_wq;
	struct work_struct accept_work;
	struct work_struct reap_work;

	spinlock_t lock;
	struct list_head clients;	/* connected */
	struct list_head closed;	/* waiting for reap_work */
	bool stopping;
	bool commits_stopped;

	/* the lock table: server_locks by start key, under lock_mutex */
	struct mutex lock_mutex;
	struct rb_root locks;
	bool locks_stopped;
	/* the one rid granted write modes so far, 0 before any, U64_MAX after a second */
	u64 sole_writer;
};

/* one key range of the lock table */
struct server_lock {
	struct rb_node node;
	struct scoutfs_key start;
	struct scoutfs_key end;
	struct scoutfs_server_info *server;
	struct scoutfs_lsm_lock lsm;
	/* the rid last granted WRITE or WRITE_ONLY, 0 for none known */
	u64 last_writer;
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
	/*
	 * A client that writes its own log btree (not the server's own
	 * mount): the nr of its current record, and the seq of its open
	 * transaction (0 for none), under server->lock.
	 */
	bool has_record;
	u64 nr;
	u64 open_seq;
	/* asked to finalize its log btree, not answered by a commit yet */
	bool asked_finalize;
	/* asked to move its open seq on (NUDGE_SEQ), not moved yet */
	bool asked_advance;
};

static void lock_table_client_gone(struct scoutfs_server_info *server, u64 rid);
static void client_records_gone(struct scoutfs_server_info *server, struct server_client *sc);
static int reclaim_left_records(struct scoutfs_server_info *server);
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

	/* requests of theirs still being carried out finish first */
	flush_workqueue(server->commit_wq);
	list_for_each_entry_safe(sc, tmp, &list, head) {
		list_del(&sc->head);
		if (sc->has_rid)
			lock_table_client_gone(server, sc->rid);
		if (sc->has_record)
			client_records_gone(server, sc);
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

		/*
		 * Each message is one send: Nagle would hold a grant or an
		 * invalidation back until the peer's delayed ACK (~40 ms).
		 */
		tcp_sock_set_nodelay(sock->sk);
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

	if (!scoutfs_quorum_serves(sb))
		return 0;

	server = kzalloc(sizeof(*server), GFP_KERNEL);
	if (!server)
		return -ENOMEM;
	server->sb = sb;
	spin_lock_init(&server->lock);
	mutex_init(&server->lock_mutex);
	server->locks = RB_ROOT;
	INIT_LIST_HEAD(&server->clients);
	INIT_LIST_HEAD(&server->closed);
	INIT_WORK(&server->accept_work, accept_worker);
	INIT_WORK(&server->reap_work, reap_worker);
	sbi->server = server;

	server->wq = alloc_workqueue("scoutfs_server", WQ_UNBOUND | WQ_MEM_RECLAIM, 2);
	server->commit_wq = alloc_ordered_workqueue("scoutfs_server_commit", WQ_MEM_RECLAIM);
	server->omap_wq = alloc_workqueue("scoutfs_server_omap", WQ_UNBOUND | WQ_MEM_RECLAIM, 1);
	if (!server->wq || !server->commit_wq || !server->omap_wq)
		return -ENOMEM;
	ret = reclaim_left_records(server);
	if (ret)
		return ret;
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
	/* no handler queues more: the connections' receive workers are done */

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
	if (server->commit_wq)
		destroy_workqueue(server->commit_wq);
	lock_table_stop(server);
	list_for_each_entry_safe(sc, tmp, &list, head) {
		list_del(&sc->head);
		free_client(sc);
	}
	/* every connection is gone: the last OPEN_INO answers were queued */
	if (server->omap_wq)
		destroy_workqueue(server->omap_wq);
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

/*
 * Under lock_mutex.  Items written under a write grant must carry seqs
 * above every copy other mounts wrote before (readers keep the greatest
 * seq): the grant carries a fresh seq of the counter, which the client's
 * items are stamped with at least.  A client that was the lock's last
 * writer needs none: its own transaction seqs only grow.  A lock the
 * table forgot (idle) has no last writer: a fresh seq, unless only one
 * client ever wrote since the server started (every item on disk is
 * older than the counter's start).  One mount alone never uses any.
 */
static u64 lsm_next_write_seq(struct scoutfs_lsm_lock *lsm, u64 rid)
{
	struct server_lock *sl = container_of(lsm, struct server_lock, lsm);
	struct scoutfs_server_info *server = sl->server;
	bool mine;

	if (!server->sole_writer)
		server->sole_writer = rid;
	else if (server->sole_writer != rid)
		server->sole_writer = U64_MAX;
	mine = sl->last_writer == rid || (!sl->last_writer && server->sole_writer == rid);
	sl->last_writer = rid;
	return mine ? 0 : scoutfs_next_seq(server->sb);
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
	seq.seq = cpu_to_le64(scoutfs_server_stable_seq(scoutfs_net_sb(conn)));
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

/* ------------------------------------------------ inodes in use elsewhere */

/*
 * OPEN_INO: a mount about to delete an unlinked inode asks whether any
 * other mount still uses it.  The server asks every other greeted client
 * (the server's own mount through its client connection like any other)
 * and answers in_use if one of them does.  The answers arrive on the
 * clients' receive workers (or as -ENOTCONN from whoever closes their
 * connections, maybe under lock_mutex): the last one queues the answer
 * to the asker on omap_wq, which looks the asker up again under
 * lock_mutex (its connection may have gone meanwhile).
 */
struct open_ino_query {
	struct work_struct work;
	struct scoutfs_server_info *server;
	u64 rid;	/* the asker's */
	u64 id;
	u64 ino;
	atomic_t pending;
	bool in_use;
};

static void open_ino_answer_worker(struct work_struct *work)
{
	struct open_ino_query *q = container_of(work, struct open_ino_query, work);
	struct scoutfs_server_info *server = q->server;
	struct scoutfs_net_open_ino noi = {
		.ino = cpu_to_le64(q->ino),
		.in_use = q->in_use,
	};
	struct scoutfs_net_conn *conn;

	mutex_lock(&server->lock_mutex);
	conn = server->locks_stopped ? NULL : rid_conn(server, q->rid);
	if (conn)
		scoutfs_net_response(conn, SCOUTFS_NET_CMD_OPEN_INO, q->id, 0, &noi, sizeof(noi));
	mutex_unlock(&server->lock_mutex);
	kfree(q);
}

static void open_ino_put(struct open_ino_query *q)
{
	if (atomic_dec_and_test(&q->pending))
		queue_work(q->server->omap_wq, &q->work);
}

static void open_ino_answered(struct scoutfs_net_conn *conn, int err, const void *resp,
			      u16 resp_len, void *data)
{
	struct open_ino_query *q = data;
	const struct scoutfs_net_open_ino *noi = resp;

	/* a client that is gone holds nothing; one that can't say, might */
	if (err == 0 && (le64_to_cpu(noi->ino) != q->ino || noi->in_use))
		WRITE_ONCE(q->in_use, true);
	else if (err && err != -ENOTCONN)
		WRITE_ONCE(q->in_use, true);
	open_ino_put(q);
}

int scoutfs_server_open_ino(struct scoutfs_net_conn *conn, u64 id, const void *arg)
{
	const struct scoutfs_net_open_ino *req = arg;
	struct server_client *sc = greeted(conn);
	struct scoutfs_server_info *server;
	struct scoutfs_net_conn *other;
	struct open_ino_query *q;
	struct server_client *c;
	u64 *rids = NULL;
	int nr = 0;
	int i;

	if (!sc || !sc->has_rid || !req->ino)
		return -EINVAL;
	server = sc->server;
	q = kzalloc(sizeof(*q), GFP_NOFS);
	if (!q)
		return -ENOMEM;
	INIT_WORK(&q->work, open_ino_answer_worker);
	q->server = server;
	q->rid = sc->rid;
	q->id = id;
	q->ino = le64_to_cpu(req->ino);
	atomic_set(&q->pending, 1);

	/* the other clients now (one that greets later can't have it yet) */
	spin_lock(&server->lock);
	list_for_each_entry(c, &server->clients, head)
		nr += c != sc && c->greeted && c->has_rid;
	spin_unlock(&server->lock);
	if (nr) {
		rids = kcalloc(nr, sizeof(*rids), GFP_NOFS);
		if (!rids) {
			kfree(q);
			return -ENOMEM;
		}
		i = 0;
		spin_lock(&server->lock);
		list_for_each_entry(c, &server->clients, head)
			if (i < nr && c != sc && c->greeted && c->has_rid)
				rids[i++] = c->rid;
		spin_unlock(&server->lock);
		nr = i;
	}

	mutex_lock(&server->lock_mutex);
	for (i = 0; i < nr; i++) {
		other = server->locks_stopped ? NULL : rid_conn(server, rids[i]);
		if (!other)
			continue;
		atomic_inc(&q->pending);
		if (scoutfs_net_submit_request(other, SCOUTFS_NET_CMD_OPEN_INO, req, sizeof(*req),
					       open_ino_answered, q) < 0) {
			/* not asked: it might use it */
			WRITE_ONCE(q->in_use, true);
			atomic_dec(&q->pending);
		}
	}
	mutex_unlock(&server->lock_mutex);
	kfree(rids);
	scoutfs_inc_counter(server->sb, server_open_ino_queries);
	open_ino_put(q);
	return 0;
}

/* the server's own mount: does any other mount have a connection */
bool scoutfs_server_alone(struct super_block *sb)
{
	struct scoutfs_server_info *server = SCOUTFS_SB(sb)->server;
	u64 rid = SCOUTFS_SB(sb)->rid;
	struct server_client *sc;
	bool alone = true;

	if (!server)
		return false;
	spin_lock(&server->lock);
	list_for_each_entry(sc, &server->clients, head)
		alone &= !(sc->greeted && sc->has_rid && sc->rid != rid);
	spin_unlock(&server->lock);
	return alone;
}

/* ------------------------------------------- clients' log btree records */

/*
 * A client other than the server's own mount writes its commits into its
 * own log btree with allocators the server hands it, and the server
 * records each commit in the logs btree.  Requests that change records
 * are carried out one at a time by commit_wq, not by the connection's
 * receive worker: they hold and commit the server's mount's transaction,
 * which may wait for lock invalidations whose answers that worker
 * receives.  The answer goes out once the change is durable.
 *
 * Allocators: each record gets about ALLOC_META metadata and ALLOC_DATA
 * data blocks; at each commit the server takes back what the client left
 * and what its commit freed, and fills the record again.
 */
#define ALLOC_META		2048ULL
#define ALLOC_DATA		(64ULL * 1024)
#define CLIENT_COMMIT_SECS	120

struct client_work {
	struct work_struct work;
	struct server_client *sc;
	u8 cmd;
	u64 id;
	struct scoutfs_net_log_trees nlt;
};

/* a new open transaction seq for the client, or 0 for none */
static u64 set_open_seq(struct scoutfs_server_info *server, struct server_client *sc, bool open)
{
	u64 seq = 0;

	spin_lock(&server->lock);
	if (open)
		seq = scoutfs_next_seq(server->sb);
	sc->open_seq = seq;
	sc->asked_advance = false;
	spin_unlock(&server->lock);
	return seq;
}

/*
 * The cluster's stable seq: below every open transaction, the server's
 * mount's and each client's.  Every change at or below it is committed
 * and no transaction will write at or below it again.
 */
static void nudge_answered(struct scoutfs_net_conn *conn, int err, const void *resp,
			   u16 resp_len, void *data)
{
}

/*
 * Ask the clients whose open transaction is the oldest, older than our
 * own mount's, to move on (once until they do): an idle client's empty
 * transaction would otherwise hold the stable seq back for ever.
 */
static void nudge_behind(struct scoutfs_server_info *server, u64 low, u64 ours)
{
	struct scoutfs_net_conn *conn;
	struct server_client *sc;
	u64 rids[4];
	int nr = 0;
	int i;

	if (low >= ours)
		return;
	spin_lock(&server->lock);
	list_for_each_entry(sc, &server->clients, head) {
		if (nr < ARRAY_SIZE(rids) && sc->open_seq == low && !sc->asked_advance &&
		    sc->has_rid) {
			sc->asked_advance = true;
			rids[nr++] = sc->rid;
		}
	}
	spin_unlock(&server->lock);
	if (!nr)
		return;
	/* under lock_mutex the connection outlives its use (see rid_conn()) */
	mutex_lock(&server->lock_mutex);
	for (i = 0; i < nr; i++) {
		conn = server->locks_stopped ? NULL : rid_conn(server, rids[i]);
		if (conn)
			scoutfs_net_submit_request(conn, SCOUTFS_NET_CMD_NUDGE_SEQ, NULL, 0,
						   nudge_answered, NULL);
	}
	mutex_unlock(&server->lock_mutex);
}

u64 scoutfs_server_stable_seq(struct super_block *sb)
{
	struct scoutfs_server_info *server = SCOUTFS_SB(sb)->server;
	struct server_client *sc;
	u64 ours = scoutfs_trans_seq(sb);
	u64 low = ours;

	if (!server)
		return scoutfs_trans_stable_seq(sb);
	spin_lock(&server->lock);
	list_for_each_entry(sc, &server->clients, head) {
		if (sc->open_seq)
			low = min(low, sc->open_seq);
	}
	spin_unlock(&server->lock);
	nudge_behind(server, low, ours);
	return low - 1;
}

/* a client's empty open transaction moves to a fresh seq */
int scoutfs_server_advance_seq(struct scoutfs_net_conn *conn, u64 id, const void *arg)
{
	struct server_client *sc = greeted(conn);
	struct scoutfs_net_seq ns = { 0 };
	u64 seq = 0;

	if (!sc)
		return -EINVAL;
	spin_lock(&sc->server->lock);
	if (sc->has_record && sc->open_seq) {
		seq = scoutfs_next_seq(sc->server->sb);
		sc->open_seq = seq;
		sc->asked_advance = false;
	}
	spin_unlock(&sc->server->lock);
	if (!seq)
		return -EINVAL;
	ns.seq = cpu_to_le64(seq);
	return scoutfs_net_response(conn, SCOUTFS_NET_CMD_ADVANCE_SEQ, id, 0, &ns, sizeof(ns));
}

/* a client's record from the forest, with its allocators filled */
static int fill_record(struct super_block *sb, struct scoutfs_log_trees *lt)
{
	return scoutfs_alloc_fill(sb, lt, ALLOC_META, ALLOC_DATA, scoutfs_trans_seq(sb));
}

static int start_record(struct scoutfs_server_info *server, struct server_client *sc,
			struct scoutfs_log_trees *lt)
{
	struct super_block *sb = server->sb;
	int ret;

	memset(lt, 0, sizeof(*lt));
	lt->rid = cpu_to_le64(sc->rid);
	lt->nr = cpu_to_le64(scoutfs_forest_next_nr(sb, sc->rid));
	ret = fill_record(sb, lt) ?:
	      scoutfs_forest_client_record(sb, lt);
	if (ret == 0) {
		sc->nr = le64_to_cpu(lt->nr);
		sc->has_record = true;
	}
	return ret;
}

/* what a client sends as its record: its own, sane, for the record it writes */
static const char *record_invalid(struct server_client *sc, const struct scoutfs_log_trees *lt,
				  u64 *bad)
{
	const char *why = scoutfs_log_trees_invalid(lt, bad);

	if (why)
		return why;
	if (le64_to_cpu(lt->rid) != sc->rid) {
		*bad = le64_to_cpu(lt->rid);
		return "rid: not the client's";
	}
	if (le64_to_cpu(lt->nr) != sc->nr) {
		*bad = le64_to_cpu(lt->nr);
		return "nr: not the record the client writes";
	}
	if (lt->item_root.height > SCOUTFS_BTREE_MAX_HEIGHT) {
		*bad = lt->item_root.height;
		return "item root height";
	}
	if (!sc->open_seq || le64_to_cpu(lt->commit_trans_seq) != sc->open_seq) {
		*bad = le64_to_cpu(lt->commit_trans_seq);
		return "commit_trans_seq: not the client's open transaction";
	}
	if (le64_to_cpu(lt->get_trans_seq) > le64_to_cpu(lt->commit_trans_seq)) {
		*bad = le64_to_cpu(lt->get_trans_seq);
		return "get_trans_seq: above commit_trans_seq";
	}
	return NULL;
}

/*
 * Record a client's commit: its allocators come back, the record goes in
 * (finalized, or as the client's current one), and out is the record it
 * writes next (the next nr after a finalized one) with fresh allocators.
 */
static int commit_record(struct scoutfs_server_info *server, struct server_client *sc,
			 const struct scoutfs_log_trees *in, struct scoutfs_log_trees *out)
{
	struct super_block *sb = server->sb;
	struct scoutfs_log_trees lt = *in;
	const char *why;
	u64 bad = 0;
	int ret;

	why = record_invalid(sc, in, &bad);
	if (why) {
		scoutfs_err(sb, "client rid %016llx committed a bad log btree record: %s, found %llu",
			    sc->rid, why, bad);
		return -EINVAL;
	}
	/* the inodes its commit created and deleted count from now on */
	atomic64_add((s64)le64_to_cpu(lt.inode_count_delta), &SCOUTFS_SB(sb)->inode_count);
	lt.inode_count_delta = 0;
	ret = scoutfs_alloc_reclaim(sb, &lt);
	if (ret)
		return ret;
	spin_lock(&server->lock);
	sc->asked_finalize = false;
	spin_unlock(&server->lock);
	if (!(lt.flags & cpu_to_le64(SCOUTFS_LOG_TREES_FINALIZED))) {
		ret = fill_record(sb, &lt) ?:
		      scoutfs_forest_client_record(sb, &lt);
		*out = lt;
		return ret;
	}
	ret = scoutfs_forest_client_record(sb, &lt);
	if (ret)
		return ret;
	return start_record(server, sc, out);
}

/* hold the server mount's transaction, change, commit: 0 once durable */
static int server_change(struct scoutfs_server_info *server, struct client_work *cw,
			 struct scoutfs_log_trees *out)
{
	struct super_block *sb = server->sb;
	struct server_client *sc = cw->sc;
	int ret;

	/* a commit gives back more than recording it takes: the freeing reserve */
	ret = scoutfs_hold_trans_freeing(sb);
	if (ret)
		return ret;
	scoutfs_trans_changed();
	switch (cw->cmd) {
	case SCOUTFS_NET_CMD_GET_LOG_TREES:
		ret = sc->has_record ? -EINVAL : start_record(server, sc, out);
		break;
	case SCOUTFS_NET_CMD_COMMIT_LOG_TREES:
		ret = sc->has_record ? commit_record(server, sc, &cw->nlt.lt, out) : -EINVAL;
		break;
	default:
		ret = -EINVAL;
	}
	scoutfs_trans_mark_dirty(sb);
	scoutfs_release_trans(sb);
	if (ret == -EINVAL || ret == -ENOSPC)
		return ret;
	if (ret) {
		scoutfs_trans_abort(sb, "recording a client's log btree", ret);
		return ret;
	}
	return scoutfs_trans_sync(sb, 1);
}

static void client_worker(struct work_struct *work)
{
	struct client_work *cw = container_of(work, struct client_work, work);
	struct server_client *sc = cw->sc;
	struct scoutfs_server_info *server = sc->server;
	struct scoutfs_net_log_trees out;
	bool stopped;
	int ret;

	memset(&out, 0, sizeof(out));
	spin_lock(&server->lock);
	stopped = server->commits_stopped;
	spin_unlock(&server->lock);
	if (stopped) {
		ret = -ENOLINK;
	} else {
		ret = server_change(server, cw, &out.lt);
		if (ret == 0)
			out.trans_seq = cpu_to_le64(set_open_seq(server, sc, true));
	}
	scoutfs_net_response(sc->conn, cw->cmd, cw->id, ret, &out, sizeof(out));
	kfree(cw);
}

static int queue_client_work(struct scoutfs_net_conn *conn, u8 cmd, u64 id, const void *arg)
{
	struct server_client *sc = greeted(conn);
	struct scoutfs_server_info *server;
	struct client_work *cw;
	bool stopped;

	/* the server's own mount commits its own transactions */
	if (!sc || sc->rid == SCOUTFS_SB(scoutfs_net_sb(conn))->rid)
		return -EINVAL;
	server = sc->server;
	cw = kzalloc(sizeof(*cw), GFP_NOFS);
	if (!cw)
		return -ENOMEM;
	INIT_WORK(&cw->work, client_worker);
	cw->sc = sc;
	cw->cmd = cmd;
	cw->id = id;
	if (arg)
		cw->nlt = *(const struct scoutfs_net_log_trees *)arg;
	spin_lock(&server->lock);
	stopped = server->commits_stopped;
	if (!stopped)
		queue_work(server->commit_wq, &cw->work);
	spin_unlock(&server->lock);
	if (stopped) {
		kfree(cw);
		return -ENOLINK;
	}
	return 0;
}

int scoutfs_server_get_log_trees(struct scoutfs_net_conn *conn, u64 id, const void *arg)
{
	return queue_client_work(conn, SCOUTFS_NET_CMD_GET_LOG_TREES, id, NULL);
}

int scoutfs_server_commit_log_trees(struct scoutfs_net_conn *conn, u64 id, const void *arg)
{
	return queue_client_work(conn, SCOUTFS_NET_CMD_COMMIT_LOG_TREES, id, arg);
}

int scoutfs_server_get_roots(struct scoutfs_net_conn *conn, u64 id, const void *arg)
{
	struct super_block *sb = scoutfs_net_sb(conn);
	struct scoutfs_net_roots roots;

	if (!greeted(conn))
		return -EINVAL;
	scoutfs_trans_committed_roots(sb, &roots);
	return scoutfs_net_response(conn, SCOUTFS_NET_CMD_GET_ROOTS, id, 0, &roots, sizeof(roots));
}

/* a run of inode numbers: a whole lock group, so creates on two mounts don't contend */
int scoutfs_server_alloc_inodes(struct scoutfs_net_conn *conn, u64 id, const void *arg)
{
	struct super_block *sb = scoutfs_net_sb(conn);
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	struct scoutfs_net_inode_alloc ia;
	u64 start;
	int ret = 0;

	if (!greeted(conn))
		return -EINVAL;
	spin_lock(&sbi->ino_lock);
	start = round_up(sbi->next_ino, SCOUTFS_LOCK_INODE_GROUP_NR);
	if (start < sbi->next_ino || start > U64_MAX - SCOUTFS_LOCK_INODE_GROUP_NR)
		ret = -ENOSPC;
	else
		sbi->next_ino = start + SCOUTFS_LOCK_INODE_GROUP_NR;
	spin_unlock(&sbi->ino_lock);
	if (ret)
		return ret;
	ia.ino = cpu_to_le64(start);
	ia.nr = cpu_to_le64(SCOUTFS_LOCK_INODE_GROUP_NR);
	return scoutfs_net_response(conn, SCOUTFS_NET_CMD_ALLOC_INODES, id, 0, &ia, sizeof(ia));
}

/*
 * A client left (farewell or its connection ended): its allocators come
 * back and its current log btree waits to be merged (an empty one goes).
 * Its open transaction is gone: the stable seq may pass it.
 */
static int release_records(struct scoutfs_server_info *server, struct server_client *sc)
{
	struct super_block *sb = server->sb;
	struct scoutfs_log_trees lt;
	int ret;

	set_open_seq(server, sc, false);
	ret = scoutfs_hold_trans_freeing(sb);
	if (ret)
		return ret;
	scoutfs_trans_changed();
	ret = scoutfs_forest_client_lt(sb, sc->rid, sc->nr, &lt);
	if (ret == 0) {
		lt.flags |= cpu_to_le64(SCOUTFS_LOG_TREES_FINALIZED);
		ret = scoutfs_alloc_reclaim(sb, &lt) ?:
		      scoutfs_forest_client_record(sb, &lt);
	} else if (ret == -ENOENT) {
		ret = 0;
	}
	scoutfs_trans_mark_dirty(sb);
	scoutfs_release_trans(sb);
	if (ret) {
		scoutfs_trans_abort(sb, "taking back a client's log btree", ret);
		return ret;
	}
	sc->has_record = false;
	return scoutfs_trans_sync(sb, 1);
}

static void client_records_gone(struct scoutfs_server_info *server, struct server_client *sc)
{
	bool stopped;
	int ret;

	/* the server's mount committed for the last time: the next server takes them back */
	spin_lock(&server->lock);
	stopped = server->commits_stopped;
	spin_unlock(&server->lock);
	if (stopped)
		return;
	ret = release_records(server, sc);

	if (ret && ret != -EIO)
		scoutfs_err(server->sb, "client rid %016llx left; taking back its log btree failed: error %d",
			    sc->rid, ret);
}

/*
 * Records that mounts before this server left (a client that crashed,
 * or a server that stopped with clients) may hold allocators: they come
 * back before anything is handed out.
 */
static int reclaim_left_records(struct scoutfs_server_info *server)
{
	struct super_block *sb = server->sb;
	int ret;

	if (scoutfs_read_only(sb) || !scoutfs_forest_left_allocators(sb))
		return 0;
	/* it only gives space back: a full volume may do it */
	ret = scoutfs_hold_trans_merging(sb);
	if (ret)
		return ret;
	scoutfs_trans_changed();
	ret = scoutfs_forest_reclaim_left(sb);
	scoutfs_trans_mark_dirty(sb);
	scoutfs_release_trans(sb);
	if (ret)
		scoutfs_err(sb, "taking back allocators of log btrees earlier mounts left: error %d",
			    ret);
	return ret;
}

/*
 * Before the server's mount commits for the last time: clients' commits
 * are refused from now on (the clients see their server go).
 */
void scoutfs_server_stop_commits(struct super_block *sb)
{
	struct scoutfs_server_info *server = SCOUTFS_SB(sb)->server;

	if (!server || !server->commit_wq)
		return;
	/* clients that left already give their records back first (not accept_work: it runs on) */
	flush_work(&server->reap_work);
	flush_workqueue(server->commit_wq);
	spin_lock(&server->lock);
	server->commits_stopped = true;
	spin_unlock(&server->lock);
	/* and what started meanwhile finishes (or finds the server stopped) */
	flush_work(&server->reap_work);
	flush_workqueue(server->commit_wq);
}

static void finalize_answered(struct scoutfs_net_conn *conn, int err, const void *resp,
			      u16 resp_len, void *data)
{
}

/*
 * The merge waits for a client's current log btree: ask the client to
 * finalize it (once until its next commit).  Never waits.
 */
void scoutfs_server_ask_finalize(struct super_block *sb, u64 rid)
{
	struct scoutfs_server_info *server = SCOUTFS_SB(sb)->server;
	struct scoutfs_net_conn *conn = NULL;
	struct server_client *sc;
	bool ask = false;

	if (!server)
		return;
	spin_lock(&server->lock);
	list_for_each_entry(sc, &server->clients, head) {
		if (sc->has_record && sc->rid == rid && !sc->asked_finalize) {
			sc->asked_finalize = true;
			ask = true;
			break;
		}
	}
	spin_unlock(&server->lock);
	if (!ask)
		return;
	/* under lock_mutex the connection outlives its use (see rid_conn()) */
	mutex_lock(&server->lock_mutex);
	conn = rid_conn(server, rid);
	if (conn)
		scoutfs_net_submit_request(conn, SCOUTFS_NET_CMD_SYNC_LOG_TREES, NULL, 0,
					   finalize_answered, NULL);
	mutex_unlock(&server->lock_mutex);
}
