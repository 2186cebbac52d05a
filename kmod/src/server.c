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
};

/* a connected client, the info of its connection */
struct server_client {
	struct list_head head;
	struct scoutfs_server_info *server;
	struct scoutfs_net_conn *conn;
	bool greeted;
	u64 rid;
};

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

	/* nothing adds or moves clients now */
	list_splice_init(&server->clients, &list);
	list_splice_init(&server->closed, &list);
	list_for_each_entry_safe(sc, tmp, &list, head) {
		list_del(&sc->head);
		free_client(sc);
	}
	if (server->lsock)
		sock_release(server->lsock);
	kfree(server);
	sbi->server = NULL;
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

	sc->rid = le64_to_cpu(gr->rid);
	sc->greeted = true;
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
	sc->greeted = false;
	return scoutfs_net_response(conn, SCOUTFS_NET_CMD_FAREWELL, id, 0, NULL, 0);
}
