// SPDX-License-Identifier: GPL-2.0
/*
 * client.c: the client end of the client/server protocol.
 *
 * Every mount is a client of the server, the mount with a server
 * included.  At mount the client connects to the server: the address of
 * its own quorum slot when the mount has one (its own server, until
 * quorum election picks a leader), else the configured slots' addresses
 * in turn, for a few seconds, before the mount fails.  It greets with
 * the volume's fsid and the module's format hash, asks the server for
 * statfs and lock modes (lock.c), carries out the server's requests to
 * give modes up, and says farewell at unmount.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/net.h>
#include <linux/in.h>
#include <linux/delay.h>
#include <linux/jiffies.h>

#include "super.h"
#include "rules.h"
#include "btree.h"
#include "msg.h"
#include "format_hash.h"
#include "net.h"
#include "lock.h"
#include "quorum.h"
#include "alloc.h"
#include "forest.h"
#include "trans.h"
#include "client.h"
#include "server.h"

/* how long mount looks for a server, and how long a request waits */
#define CLIENT_CONNECT_SECS	5
#define CLIENT_REQUEST_SECS	10

struct scoutfs_client_info {
	struct scoutfs_net_conn *conn;
	struct sockaddr_in server;
	bool greeted;
	/* unmounting: the connection's end is ours */
	bool leaving;
};

/* connect to the server: the mount's slot, or each configured slot in turn */
static struct socket *client_connect(struct super_block *sb, struct sockaddr_in *sin)
{
	unsigned long deadline = jiffies + CLIENT_CONNECT_SECS * HZ;
	int slot = scoutfs_quorum_leader_slot(sb);
	struct socket *sock;
	int ret = -ENOTCONN;
	int tried;
	int i;

	for (;;) {
		tried = 0;
		for (i = 0; i < SCOUTFS_QUORUM_MAX_SLOTS; i++) {
			if (slot >= 0 && i != slot)
				continue;
			if (scoutfs_net_slot_addr(sb, i, sin))
				continue;
			tried++;
			sock = scoutfs_net_connect(sin, HZ);
			if (!IS_ERR(sock))
				return sock;
			ret = PTR_ERR(sock);
		}
		if (!tried) {
			scoutfs_err(sb, "the volume has no quorum slot address to find the server at");
			return ERR_PTR(-EINVAL);
		}
		if (time_after(jiffies, deadline))
			break;
		msleep(250);
	}
	if (slot >= 0)
		scoutfs_err(sb, "cannot connect to the server at %pISpc (leader's quorum slot %d) within %d seconds: error %d",
			    sin, slot, CLIENT_CONNECT_SECS, ret);
	else
		scoutfs_err(sb, "no server answered at the %d quorum slot addresses within %d seconds (last error %d): mount a quorum member (quorum_slot_nr=) first",
			    tried, CLIENT_CONNECT_SECS, ret);
	return ERR_PTR(-ENOTCONN);
}

static int client_greet(struct super_block *sb, struct scoutfs_client_info *client)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	struct scoutfs_net_greeting gr = {
		.fsid = cpu_to_le64(sbi->fsid),
		.format_hash = cpu_to_le64(SCOUTFS_FORMAT_HASH),
		.rid = cpu_to_le64(sbi->rid),
		.flags = cpu_to_le64(sbi->opts.quorum_slot_nr >= 0 ?
				     SCOUTFS_NET_GREETING_FLAG_QUORUM : 0),
	};
	struct scoutfs_net_greeting reply;
	int ret;

	ret = scoutfs_net_request(client->conn, SCOUTFS_NET_CMD_GREETING, &gr, sizeof(gr),
				  &reply, sizeof(reply), CLIENT_REQUEST_SECS * HZ);
	if (ret) {
		scoutfs_err(sb, "the server at %pISpc refused our greeting: error %d",
			    &client->server, ret);
		return ret;
	}
	if (reply.fsid != gr.fsid || reply.format_hash != gr.format_hash) {
		scoutfs_err(sb, "the server at %pISpc serves fsid %016llx with format hash %016llx, we mount fsid %016llx with format hash %016llx",
			    &client->server, le64_to_cpu(reply.fsid),
			    le64_to_cpu(reply.format_hash), sbi->fsid, SCOUTFS_FORMAT_HASH);
		return -EINVAL;
	}
	client->greeted = true;
	return 0;
}

/*
 * The connection ended without our farewell: the server went away (its
 * mount unmounted or died) or cut us off.  Nothing this mount writes can
 * be committed any more, so it stops taking changes at once (EIO)
 * rather than accept writes that would vanish at the next commit.  A new
 * server taking the clients over is failover (not built yet): the mount
 * reads what it has cached and must be unmounted.
 */
static void client_conn_closed(struct scoutfs_net_conn *conn)
{
	struct scoutfs_client_info *client = scoutfs_net_info(conn);
	struct super_block *sb = scoutfs_net_sb(conn);

	if (!client->greeted || READ_ONCE(client->leaving))
		return;
	scoutfs_err(sb, "the connection to the server at %pISpc ended: this mount can commit nothing more and stops writing (EIO); unmount it",
		    &client->server);
	scoutfs_trans_stop(sb);
}

int scoutfs_client_setup(struct super_block *sb)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	struct scoutfs_client_info *client;
	struct socket *sock;

	client = kzalloc(sizeof(*client), GFP_KERNEL);
	if (!client)
		return -ENOMEM;
	sbi->client = client;

	sock = client_connect(sb, &client->server);
	if (IS_ERR(sock))
		return PTR_ERR(sock);
	client->conn = scoutfs_net_alloc(sb, sock, scoutfs_client_handlers, client_conn_closed,
					 client);
	if (!client->conn)
		return -ENOMEM;
	scoutfs_net_start(client->conn);
	return client_greet(sb, client);
}

/* say farewell to the server (after a greeting) and close the connection */
void scoutfs_client_destroy(struct super_block *sb)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	struct scoutfs_client_info *client = sbi->client;
	int ret;

	if (!client)
		return;
	/* the lock worker's last answers go out before the farewell */
	scoutfs_lock_shutdown(sb);
	WRITE_ONCE(client->leaving, true);
	if (client->greeted) {
		ret = scoutfs_net_request(client->conn, SCOUTFS_NET_CMD_FAREWELL, NULL, 0, NULL, 0,
					  CLIENT_REQUEST_SECS * HZ);
		if (ret)
			scoutfs_warn(sb, "farewell to the server at %pISpc failed: error %d",
				     &client->server, ret);
	}
	/* a request still waiting fails with -ENOTCONN here */
	scoutfs_net_free(client->conn);
	kfree(client);
	sbi->client = NULL;
}

int scoutfs_client_statfs(struct super_block *sb, struct scoutfs_net_statfs *st)
{
	struct scoutfs_client_info *client = SCOUTFS_SB(sb)->client;

	return scoutfs_net_request(client->conn, SCOUTFS_NET_CMD_STATFS, NULL, 0, st, sizeof(*st),
				   CLIENT_REQUEST_SECS * HZ);
}

static void client_lock_granted(struct scoutfs_net_conn *conn, int err, const void *resp,
				u16 resp_len, void *data)
{
	scoutfs_lock_granted(scoutfs_net_sb(conn), data, err, resp);
}

/* ask the server for a lock mode: scoutfs_lock_granted() gets the answer */
int scoutfs_client_lock_request(struct super_block *sb, const struct scoutfs_net_lock *nl,
				struct scoutfs_lock *lock)
{
	struct scoutfs_client_info *client = SCOUTFS_SB(sb)->client;

	if (!client || !client->conn)
		return -ENOTCONN;
	return scoutfs_net_submit_request(client->conn, SCOUTFS_NET_CMD_LOCK, nl, sizeof(*nl),
					  client_lock_granted, lock);
}

/* the server asks this mount to give up a lock mode */
int scoutfs_client_lock(struct scoutfs_net_conn *conn, u64 id, const void *arg)
{
	return scoutfs_lock_invalidate(scoutfs_net_sb(conn), id, arg);
}

/* the answer to the server's request id: done (err 0, nl) or err */
void scoutfs_client_lock_answer(struct super_block *sb, u64 id, int err,
				const struct scoutfs_net_lock *nl)
{
	struct scoutfs_client_info *client = SCOUTFS_SB(sb)->client;
	int ret;

	if (!client || !client->conn)
		return;
	ret = scoutfs_net_response(client->conn, SCOUTFS_NET_CMD_LOCK, id, err, nl, sizeof(*nl));
	if (ret < 0 && ret != -ENOTCONN)
		scoutfs_err(sb, "answering the server's lock request failed: error %d", ret);
}

/*
 * Requests that wait for the server's commit: long, since a commit may
 * have much to write, but not for ever (the connection ending fails them
 * at once).
 */
#define CLIENT_COMMIT_SECS	120

static int client_request(struct super_block *sb, u8 cmd, const void *arg, u16 arg_len,
			  void *resp, u16 resp_len, int secs)
{
	struct scoutfs_client_info *client = SCOUTFS_SB(sb)->client;

	if (!client || !client->conn)
		return -ENOTCONN;
	return scoutfs_net_request(client->conn, cmd, arg, arg_len, resp, resp_len, secs * HZ);
}

int scoutfs_client_get_roots(struct super_block *sb, struct scoutfs_net_roots *roots)
{
	return client_request(sb, SCOUTFS_NET_CMD_GET_ROOTS, NULL, 0, roots, sizeof(*roots),
			      CLIENT_REQUEST_SECS);
}

int scoutfs_client_get_last_seq(struct super_block *sb, u64 *seq)
{
	struct scoutfs_net_seq ns;
	int ret;

	ret = client_request(sb, SCOUTFS_NET_CMD_GET_LAST_SEQ, NULL, 0, &ns, sizeof(ns),
			     CLIENT_REQUEST_SECS);
	if (ret == 0)
		*seq = le64_to_cpu(ns.seq);
	return ret;
}

int scoutfs_client_alloc_inodes(struct super_block *sb, u64 *ino, u64 *nr)
{
	struct scoutfs_net_inode_alloc ia;
	int ret;

	ret = client_request(sb, SCOUTFS_NET_CMD_ALLOC_INODES, NULL, 0, &ia, sizeof(ia),
			     CLIENT_REQUEST_SECS);
	if (ret == 0) {
		*ino = le64_to_cpu(ia.ino);
		*nr = le64_to_cpu(ia.nr);
		if (*nr == 0 || *ino == 0 || *ino + *nr < *ino) {
			scoutfs_err(sb, "the server handed out inode numbers [%llu, +%llu): refused",
				    *ino, *nr);
			ret = -EIO;
		}
	}
	return ret;
}

/* the record to write the next transaction with, and that transaction's seq */
static int check_handed(struct super_block *sb, const struct scoutfs_net_log_trees *nlt)
{
	const char *why;
	u64 bad = 0;

	why = scoutfs_log_trees_invalid(&nlt->lt, &bad);
	if (!why && le64_to_cpu(nlt->lt.rid) != SCOUTFS_SB(sb)->rid) {
		why = "rid: not ours";
		bad = le64_to_cpu(nlt->lt.rid);
	} else if (!why && !nlt->trans_seq) {
		why = "trans_seq: zero";
	}
	if (why) {
		scoutfs_err(sb, "the server handed us a bad log btree record: %s, found %llu", why, bad);
		return -EIO;
	}
	return 0;
}

int scoutfs_client_commit_log_trees(struct super_block *sb, const struct scoutfs_log_trees *lt,
				    struct scoutfs_net_log_trees *next)
{
	struct scoutfs_net_log_trees nlt = { .lt = *lt };
	int ret;

	ret = client_request(sb, SCOUTFS_NET_CMD_COMMIT_LOG_TREES, &nlt, sizeof(nlt), next,
			     sizeof(*next), CLIENT_COMMIT_SECS);
	return ret ?: check_handed(sb, next);
}

/*
 * A mount that isn't the server's: it writes its own log btree with the
 * allocators the server hands it, and reads the roots of the server's
 * commits (refreshed as it gets locks).  A read-only one only reads.
 */
int scoutfs_client_follow(struct super_block *sb)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	struct scoutfs_net_log_trees nlt;
	int ret;

	sbi->follower = true;
	memset(&nlt, 0, sizeof(nlt));
	if (!sbi->read_only) {
		ret = client_request(sb, SCOUTFS_NET_CMD_GET_LOG_TREES, NULL, 0, &nlt, sizeof(nlt),
				     CLIENT_COMMIT_SECS) ?:
		      check_handed(sb, &nlt);
		if (ret) {
			scoutfs_err(sb, "the server did not hand us a log btree to write: error %d", ret);
			return ret;
		}
		ret = scoutfs_alloc_load(sb, &nlt.lt);
		if (ret)
			return ret;
		scoutfs_trans_follow(sb, le64_to_cpu(nlt.trans_seq));
	} else {
		nlt.lt.rid = cpu_to_le64(sbi->rid);
		nlt.lt.nr = cpu_to_le64(U64_MAX);
	}
	scoutfs_forest_follow(sb, &nlt.lt);
	return scoutfs_forest_refresh(sb, 1);
}

/* the server wants our log btree finalized: at the next commit, soon */
int scoutfs_client_sync_log_trees(struct scoutfs_net_conn *conn, u64 id, const void *arg)
{
	struct super_block *sb = scoutfs_net_sb(conn);

	/* (the server's own mount finalizes when its merge needs it) */
	if (SCOUTFS_SB(sb)->follower && !scoutfs_read_only(sb)) {
		scoutfs_forest_want_finalize(sb);
		scoutfs_trans_sync(sb, 0);
	}
	return scoutfs_net_response(conn, SCOUTFS_NET_CMD_SYNC_LOG_TREES, id, 0, NULL, 0);
}

/*
 * Before deleting an unlinked inode (under its WRITE lock): 1 if another
 * mount still uses it (the last to let go deletes it), 0 if not, or an
 * errno.  The server's mount alone need not ask.
 */
int scoutfs_client_open_ino_query(struct super_block *sb, u64 ino)
{
	struct scoutfs_net_open_ino noi = { .ino = cpu_to_le64(ino) };
	struct scoutfs_net_open_ino ans;
	int ret;

	if (SCOUTFS_SB(sb)->server && scoutfs_server_alone(sb))
		return 0;
	ret = client_request(sb, SCOUTFS_NET_CMD_OPEN_INO, &noi, sizeof(noi), &ans, sizeof(ans),
			     CLIENT_REQUEST_SECS);
	if (ret == 0 && le64_to_cpu(ans.ino) != ino) {
		scoutfs_err(sb, "the server answered OPEN_INO for inode %llu, we asked about %llu",
			    le64_to_cpu(ans.ino), ino);
		ret = -EIO;
	}
	return ret ?: ans.in_use;
}

/* the server asks whether an unlinked inode is in use here */
int scoutfs_client_open_ino(struct scoutfs_net_conn *conn, u64 id, const void *arg)
{
	const struct scoutfs_net_open_ino *noi = arg;

	return scoutfs_lock_open_ino(scoutfs_net_sb(conn), id, le64_to_cpu(noi->ino));
}

void scoutfs_client_open_ino_answer(struct super_block *sb, u64 id, u64 ino, bool in_use)
{
	struct scoutfs_client_info *client = SCOUTFS_SB(sb)->client;
	struct scoutfs_net_open_ino noi = {
		.ino = cpu_to_le64(ino),
		.in_use = in_use,
	};
	int ret;

	if (!client || !client->conn)
		return;
	ret = scoutfs_net_response(client->conn, SCOUTFS_NET_CMD_OPEN_INO, id, 0, &noi,
				   sizeof(noi));
	if (ret < 0 && ret != -ENOTCONN)
		scoutfs_err(sb, "answering the server's OPEN_INO failed: error %d",
			    ret);
}

/* a fresh seq for our empty open transaction */
int scoutfs_client_advance_seq(struct super_block *sb, u64 *seq)
{
	struct scoutfs_net_seq ns;
	int ret;

	ret = client_request(sb, SCOUTFS_NET_CMD_ADVANCE_SEQ, NULL, 0, &ns, sizeof(ns),
			     CLIENT_REQUEST_SECS);
	if (ret == 0)
		*seq = le64_to_cpu(ns.seq);
	return ret;
}

/* the server finds our open transaction holding the stable seq back */
int scoutfs_client_nudge_seq(struct scoutfs_net_conn *conn, u64 id, const void *arg)
{
	struct super_block *sb = scoutfs_net_sb(conn);

	if (SCOUTFS_SB(sb)->follower && !scoutfs_read_only(sb))
		scoutfs_trans_advance(sb);
	return scoutfs_net_response(conn, SCOUTFS_NET_CMD_NUDGE_SEQ, id, 0, NULL, 0);
}
