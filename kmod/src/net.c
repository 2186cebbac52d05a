// SPDX-License-Identifier: GPL-2.0
/*
 * net.c: a connection between a client and the server over a kernel TCP
 * socket, and the message framing both ends share.
 *
 * A message is a struct scoutfs_net_header and data_len bytes of payload
 * (format/net.ts).  Every connection has a receive worker that reads one
 * message at a time and passes it through the generated
 * scoutfs_net_msg_invalid() before anything else looks at it: a message
 * that fails is dropped, counted and reported (rate limited), and the
 * connection carries on with the next one, as the header's data_len keeps
 * the stream in step.  A valid request goes to its command's handler in
 * the table the owner gave (generated from @server/@client in net.ts),
 * a valid response to the request waiting for its id.
 *
 * Sends are queued and written by a send worker, so a handler never
 * blocks on a slow peer.  A handler may answer later: it keeps the id and
 * calls scoutfs_net_response() (the server's lock grants).  Requests
 * either wait for their response with a timeout (scoutfs_net_request) or
 * have a callback called with it (scoutfs_net_submit_request: lock
 * requests and invalidations); when the connection closes, every waiting
 * request fails with -ENOTCONN.  Errors cross the wire as enum NetError.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/net.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/workqueue.h>
#include <linux/completion.h>
#include <linux/spinlock.h>
#include <linux/list.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "super.h"
#include "msg.h"
#include "net.h"
#include "net_check.h"

struct scoutfs_net_msg {
	struct list_head head;
	size_t len;
	struct scoutfs_net_header hdr;	/* followed by the payload */
};

/*
 * A request waiting for its response: on the requester's stack for
 * scoutfs_net_request(), allocated with a callback for
 * scoutfs_net_submit_request().
 */
struct net_pending {
	struct list_head head;
	u64 id;
	u8 cmd;
	void *resp;
	u16 resp_len;
	int err;
	struct completion done;
	scoutfs_net_response_fn fn;
	void *data;
	/* on fail_pending()'s list: head stays empty once taken */
	struct list_head fail_head;
};

struct scoutfs_net_conn {
	struct super_block *sb;
	struct socket *sock;
	const scoutfs_net_request_fn *handlers;
	scoutfs_net_closed_fn closed;
	void *info;
	struct sockaddr_in peer;

	struct workqueue_struct *wq;
	struct work_struct recv_work;
	struct work_struct send_work;

	spinlock_t lock;
	struct list_head send_queue;
	struct list_head pending;
	u64 next_id;
	u64 next_seq;
	u64 recv_seq;
	bool closing;

	atomic64_t dropped;
	/* the message being received: header and the largest payload */
	struct scoutfs_net_header *rbuf;
};

static const int net_errnos[] = {
	[SCOUTFS_NET_ERROR_NONE] = 0,
	[SCOUTFS_NET_ERROR_ENOENT] = -ENOENT,
	[SCOUTFS_NET_ERROR_ENOMEM] = -ENOMEM,
	[SCOUTFS_NET_ERROR_EIO] = -EIO,
	[SCOUTFS_NET_ERROR_ENOSPC] = -ENOSPC,
	[SCOUTFS_NET_ERROR_EINVAL] = -EINVAL,
	[SCOUTFS_NET_ERROR_ENOLINK] = -ENOLINK,
};

/* an errno as it crosses the wire: one NetError can't name is EIO */
static u8 errno_to_net(int err)
{
	u8 i;

	for (i = 1; i < ARRAY_SIZE(net_errnos); i++)
		if (net_errnos[i] == err)
			return i;
	return SCOUTFS_NET_ERROR_EIO;
}

/* header.error has been checked against the enum by scoutfs_net_msg_invalid() */
static int net_to_errno(u8 error)
{
	return error < ARRAY_SIZE(net_errnos) ? net_errnos[error] : -EIO;
}

struct super_block *scoutfs_net_sb(struct scoutfs_net_conn *conn)
{
	return conn->sb;
}

void *scoutfs_net_info(struct scoutfs_net_conn *conn)
{
	return conn->info;
}

const struct sockaddr_in *scoutfs_net_peer(struct scoutfs_net_conn *conn)
{
	return &conn->peer;
}

u64 scoutfs_net_dropped(struct scoutfs_net_conn *conn)
{
	return atomic64_read(&conn->dropped);
}

/*
 * Fail every waiting request: the connection is closing.  Callbacks are
 * called once each, outside the connection's lock.
 */
static void fail_pending(struct scoutfs_net_conn *conn)
{
	struct net_pending *p;
	struct net_pending *tmp;
	LIST_HEAD(async);

	spin_lock(&conn->lock);
	list_for_each_entry_safe(p, tmp, &conn->pending, head) {
		if (p->fn) {
			list_del_init(&p->head);
			list_add_tail(&p->fail_head, &async);
			continue;
		}
		list_del_init(&p->head);
		p->err = -ENOTCONN;
		/* p belongs to its waiter once completed */
		complete(&p->done);
	}
	spin_unlock(&conn->lock);

	list_for_each_entry_safe(p, tmp, &async, fail_head) {
		list_del(&p->fail_head);
		p->fn(conn, -ENOTCONN, NULL, 0, p->data);
		kfree(p);
	}
}

/* stop both directions; the workers see errors and wind down */
void scoutfs_net_shutdown(struct scoutfs_net_conn *conn)
{
	spin_lock(&conn->lock);
	conn->closing = true;
	spin_unlock(&conn->lock);
	kernel_sock_shutdown(conn->sock, SHUT_RDWR);
	fail_pending(conn);
}

static void free_msgs(struct list_head *list)
{
	struct scoutfs_net_msg *msg;
	struct scoutfs_net_msg *tmp;

	list_for_each_entry_safe(msg, tmp, list, head) {
		list_del(&msg->head);
		kfree(msg);
	}
}

static void send_worker(struct work_struct *work)
{
	struct scoutfs_net_conn *conn = container_of(work, struct scoutfs_net_conn, send_work);
	struct scoutfs_net_msg *msg;
	struct msghdr mh = { .msg_flags = MSG_NOSIGNAL };
	struct kvec kv;
	size_t done;
	int ret;

	for (;;) {
		spin_lock(&conn->lock);
		msg = list_first_entry_or_null(&conn->send_queue, struct scoutfs_net_msg, head);
		if (msg)
			list_del(&msg->head);
		spin_unlock(&conn->lock);
		if (!msg)
			return;

		for (done = 0, ret = 0; done < msg->len; done += ret) {
			kv.iov_base = (u8 *)&msg->hdr + done;
			kv.iov_len = msg->len - done;
			ret = kernel_sendmsg(conn->sock, &mh, &kv, 1, kv.iov_len);
			if (ret <= 0)
				break;
		}
		kfree(msg);
		if (ret <= 0) {
			scoutfs_net_shutdown(conn);
			return;
		}
	}
}

/* queue a message; it is freed once sent or when the connection closes */
static int net_send(struct scoutfs_net_conn *conn, u8 cmd, u8 flags, u64 id, int err,
		    const void *data, u16 data_len)
{
	struct scoutfs_net_msg *msg;
	bool closing;

	if (WARN_ON_ONCE(data_len > SCOUTFS_NET_MAX_DATA_LEN))
		return -EINVAL;
	msg = kzalloc(sizeof(*msg) + data_len, GFP_NOFS);
	if (!msg)
		return -ENOMEM;
	msg->len = sizeof(msg->hdr) + data_len;
	msg->hdr.id = cpu_to_le64(id);
	msg->hdr.data_len = cpu_to_le16(data_len);
	msg->hdr.cmd = cmd;
	msg->hdr.flags = flags;
	msg->hdr.error = err ? errno_to_net(err) : SCOUTFS_NET_ERROR_NONE;
	if (data_len)
		memcpy(msg->hdr.data, data, data_len);

	spin_lock(&conn->lock);
	closing = conn->closing;
	if (!closing) {
		msg->hdr.seq = cpu_to_le64(++conn->next_seq);
		msg->hdr.recv_seq = cpu_to_le64(conn->recv_seq);
		list_add_tail(&msg->head, &conn->send_queue);
	}
	spin_unlock(&conn->lock);
	if (closing) {
		kfree(msg);
		return -ENOTCONN;
	}
	queue_work(conn->wq, &conn->send_work);
	return 0;
}

/* the response to request id: an error (negative errno) carries no payload */
int scoutfs_net_response(struct scoutfs_net_conn *conn, u8 cmd, u64 id, int err,
			 const void *data, u16 data_len)
{
	return net_send(conn, cmd, SCOUTFS_NET_FLAG_RESPONSE, id, err, err ? NULL : data,
			err ? 0 : data_len);
}

/*
 * Send a request and wait up to timeout for its response, whose payload
 * (resp_len bytes, the command's reply struct) is copied to resp.  The
 * peer's error comes back as a negative errno.
 */
int scoutfs_net_request(struct scoutfs_net_conn *conn, u8 cmd, const void *arg, u16 arg_len,
			void *resp, u16 resp_len, unsigned long timeout_jiffies)
{
	struct net_pending p = {
		.cmd = cmd,
		.resp = resp,
		.resp_len = resp_len,
	};
	int ret;

	init_completion(&p.done);
	spin_lock(&conn->lock);
	if (conn->closing) {
		spin_unlock(&conn->lock);
		return -ENOTCONN;
	}
	p.id = ++conn->next_id;
	list_add_tail(&p.head, &conn->pending);
	spin_unlock(&conn->lock);

	ret = net_send(conn, cmd, 0, p.id, 0, arg, arg_len);
	if (ret == 0) {
		if (wait_for_completion_timeout(&p.done, timeout_jiffies))
			return p.err;
		ret = -ETIMEDOUT;
	}

	spin_lock(&conn->lock);
	if (!list_empty(&p.head)) {
		/* still waiting: nobody else will touch p */
		list_del_init(&p.head);
		spin_unlock(&conn->lock);
		return ret;
	}
	spin_unlock(&conn->lock);
	/* just taken by the receive worker or by shutdown: wait for it to finish with p */
	wait_for_completion(&p.done);
	return p.err;
}

/*
 * Send a request without waiting: fn is called once with the response
 * (err 0 and its payload, or the peer's error), from the connection's
 * receive worker, or with -ENOTCONN when the connection closes first,
 * from whoever closes it; never when this returns an error.  fn must not
 * sleep for long: the connection receives nothing while it runs.
 */
int scoutfs_net_submit_request(struct scoutfs_net_conn *conn, u8 cmd, const void *arg,
			       u16 arg_len, scoutfs_net_response_fn fn, void *data)
{
	struct net_pending *p;
	int ret;

	p = kzalloc(sizeof(*p), GFP_NOFS);
	if (!p)
		return -ENOMEM;
	p->cmd = cmd;
	p->fn = fn;
	p->data = data;

	spin_lock(&conn->lock);
	if (conn->closing) {
		spin_unlock(&conn->lock);
		kfree(p);
		return -ENOTCONN;
	}
	p->id = ++conn->next_id;
	list_add_tail(&p->head, &conn->pending);
	spin_unlock(&conn->lock);

	ret = net_send(conn, cmd, 0, p->id, 0, arg, arg_len);
	if (ret == 0)
		return 0;

	spin_lock(&conn->lock);
	if (!list_empty(&p->head)) {
		list_del_init(&p->head);
		spin_unlock(&conn->lock);
		kfree(p);
		return ret;
	}
	spin_unlock(&conn->lock);
	/* closing took it first and calls fn (or has): that is the answer */
	return 0;
}

static void drop_msg(struct scoutfs_net_conn *conn, const char *why, u64 bad)
{
	u64 nr = atomic64_inc_return(&conn->dropped);

	scoutfs_err(conn->sb, "dropped malformed message %llu from %pISpc: %s (value %llu)",
		    nr, &conn->peer, why, bad);
}

/* the request waiting for the response id (of cmd), taken off the list */
static struct net_pending *take_pending(struct scoutfs_net_conn *conn, u64 id, u8 cmd)
{
	struct net_pending *found = NULL;
	struct net_pending *p;

	spin_lock(&conn->lock);
	list_for_each_entry(p, &conn->pending, head) {
		if (p->id == id && p->cmd == cmd) {
			found = p;
			list_del_init(&p->head);
			break;
		}
	}
	spin_unlock(&conn->lock);
	return found;
}

/* the response to request id (of cmd) was malformed: it fails with -EIO */
static void fail_response(struct scoutfs_net_conn *conn, u64 id, u8 cmd)
{
	struct net_pending *found = take_pending(conn, id, cmd);

	if (!found)
		return;
	if (found->fn) {
		found->fn(conn, -EIO, NULL, 0, found->data);
		kfree(found);
	} else {
		found->err = -EIO;
		complete(&found->done);
	}
}

static void handle_response(struct scoutfs_net_conn *conn, struct scoutfs_net_header *hdr)
{
	u16 data_len = le16_to_cpu(hdr->data_len);
	u64 id = le64_to_cpu(hdr->id);
	struct net_pending *found = take_pending(conn, id, hdr->cmd);

	if (!found) {
		drop_msg(conn, "response to no waiting request", id);
		return;
	}
	if (found->fn) {
		if (hdr->error)
			found->fn(conn, net_to_errno(hdr->error), NULL, 0, found->data);
		else
			found->fn(conn, 0, data_len ? hdr->data : NULL, data_len, found->data);
		kfree(found);
		return;
	}
	if (hdr->error) {
		found->err = net_to_errno(hdr->error);
	} else if (data_len != found->resp_len) {
		found->err = -EIO;
	} else {
		found->err = 0;
		if (data_len)
			memcpy(found->resp, hdr->data, data_len);
	}
	complete(&found->done);
}

static void handle_request(struct scoutfs_net_conn *conn, struct scoutfs_net_header *hdr)
{
	scoutfs_net_request_fn fn = NULL;
	u64 id = le64_to_cpu(hdr->id);
	int ret;

	if (hdr->cmd < SCOUTFS_NET_CMD_NR)
		fn = conn->handlers[hdr->cmd];
	ret = fn ? fn(conn, id, hdr->data_len ? hdr->data : NULL) : -EINVAL;
	if (ret < 0)
		scoutfs_net_response(conn, hdr->cmd, id, ret, NULL, 0);
}

/* read exactly len bytes; 0 once read, -ECONNRESET at the end of the stream */
static int recv_full(struct scoutfs_net_conn *conn, void *buf, size_t len)
{
	struct msghdr mh = { .msg_flags = MSG_NOSIGNAL };
	struct kvec kv;
	size_t done;
	int ret;

	for (done = 0; done < len; done += ret) {
		kv.iov_base = buf + done;
		kv.iov_len = len - done;
		ret = kernel_recvmsg(conn->sock, &mh, &kv, 1, kv.iov_len, MSG_WAITALL);
		if (ret == 0)
			return -ECONNRESET;
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* one message: 0 when received (handled or dropped), or the error that closes */
static int recv_one(struct scoutfs_net_conn *conn)
{
	struct scoutfs_net_header *hdr = conn->rbuf;
	u8 *data = (u8 *)(hdr + 1);
	const char *why;
	size_t data_len;
	size_t keep;
	size_t n;
	u64 bad;
	int ret;

	ret = recv_full(conn, hdr, sizeof(*hdr));
	if (ret)
		return ret;
	data_len = le16_to_cpu(hdr->data_len);
	keep = min_t(size_t, data_len, SCOUTFS_NET_MAX_DATA_LEN);
	ret = recv_full(conn, data, keep);
	/* a payload too long to keep is read and dropped, to stay in step */
	for (n = keep; ret == 0 && n < data_len; n += SCOUTFS_NET_MAX_DATA_LEN)
		ret = recv_full(conn, data, min_t(size_t, data_len - n, SCOUTFS_NET_MAX_DATA_LEN));
	if (ret)
		return ret;

	why = scoutfs_net_msg_invalid(hdr, sizeof(*hdr) + keep, &bad);
	if (why) {
		drop_msg(conn, why, bad);
		/* a request must not wait for ever for an answer that was dropped */
		if (hdr->flags & SCOUTFS_NET_FLAG_RESPONSE)
			fail_response(conn, le64_to_cpu(hdr->id), hdr->cmd);
		return 0;
	}

	spin_lock(&conn->lock);
	conn->recv_seq = le64_to_cpu(hdr->seq);
	spin_unlock(&conn->lock);

	if (hdr->flags & SCOUTFS_NET_FLAG_RESPONSE)
		handle_response(conn, hdr);
	else
		handle_request(conn, hdr);
	return 0;
}

static void recv_worker(struct work_struct *work)
{
	struct scoutfs_net_conn *conn = container_of(work, struct scoutfs_net_conn, recv_work);
	bool closing;
	int ret;

	do {
		ret = recv_one(conn);
	} while (ret == 0);

	spin_lock(&conn->lock);
	closing = conn->closing;
	spin_unlock(&conn->lock);
	if (!closing && ret != -ECONNRESET)
		scoutfs_warn(conn->sb, "connection with %pISpc failed: error %d", &conn->peer, ret);
	scoutfs_net_shutdown(conn);
	if (conn->closed)
		conn->closed(conn);
}

/*
 * A connection over a connected socket, which it owns from now on (also
 * when this fails).  handlers is the table of the requests this side
 * handles; closed, if given, is called once the connection has ended.
 * Nothing is received before scoutfs_net_start().
 */
struct scoutfs_net_conn *scoutfs_net_alloc(struct super_block *sb, struct socket *sock,
					   const scoutfs_net_request_fn *handlers,
					   scoutfs_net_closed_fn closed, void *info)
{
	struct scoutfs_net_conn *conn;

	conn = kzalloc(sizeof(*conn), GFP_KERNEL);
	if (!conn)
		goto fail;
	conn->rbuf = kmalloc(sizeof(*conn->rbuf) + SCOUTFS_NET_MAX_DATA_LEN, GFP_KERNEL);
	conn->wq = alloc_workqueue("scoutfs_net", WQ_UNBOUND | WQ_MEM_RECLAIM, 2);
	if (!conn->rbuf || !conn->wq)
		goto fail;
	conn->sb = sb;
	conn->sock = sock;
	conn->handlers = handlers;
	conn->closed = closed;
	conn->info = info;
	INIT_WORK(&conn->recv_work, recv_worker);
	INIT_WORK(&conn->send_work, send_worker);
	spin_lock_init(&conn->lock);
	INIT_LIST_HEAD(&conn->send_queue);
	INIT_LIST_HEAD(&conn->pending);
	atomic64_set(&conn->dropped, 0);
	/* the socket may allocate while the filesystem is writing back */
	sock->sk->sk_allocation = GFP_NOFS;
	if (kernel_getpeername(sock, (struct sockaddr *)&conn->peer) < 0)
		conn->peer.sin_family = AF_INET;
	return conn;
fail:
	if (conn) {
		if (conn->wq)
			destroy_workqueue(conn->wq);
		kfree(conn->rbuf);
		kfree(conn);
	}
	sock_release(sock);
	return NULL;
}

void scoutfs_net_start(struct scoutfs_net_conn *conn)
{
	queue_work(conn->wq, &conn->recv_work);
}

/* shut the connection down, wait for its workers, release the socket */
void scoutfs_net_free(struct scoutfs_net_conn *conn)
{
	if (!conn)
		return;
	scoutfs_net_shutdown(conn);
	destroy_workqueue(conn->wq);
	free_msgs(&conn->send_queue);
	fail_pending(conn);
	sock_release(conn->sock);
	kfree(conn->rbuf);
	kfree(conn);
}

/* the IPv4 address and port of quorum slot nr from the super block */
int scoutfs_net_slot_addr(struct super_block *sb, int nr, struct sockaddr_in *sin)
{
	struct scoutfs_quorum_slot *slot;

	if (nr < 0 || nr >= SCOUTFS_QUORUM_MAX_SLOTS)
		return -EINVAL;
	slot = &SCOUTFS_SB(sb)->super.quorum.slots[nr];
	if (slot->family != SCOUTFS_QUORUM_ADDR_FAMILY_IPV4)
		return -ENOENT;
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = cpu_to_be32(le32_to_cpu(slot->addr));
	sin->sin_port = cpu_to_be16(le16_to_cpu(slot->port));
	return 0;
}

/* a TCP socket connected to sin, giving up after the timeout */
struct socket *scoutfs_net_connect(struct sockaddr_in *sin, unsigned long timeout_jiffies)
{
	struct socket *sock;
	int ret;

	ret = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP, &sock);
	if (ret)
		return ERR_PTR(ret);
	sock->sk->sk_sndtimeo = timeout_jiffies;
	ret = kernel_connect(sock, (struct sockaddr *)sin, sizeof(*sin), 0);
	if (ret) {
		sock_release(sock);
		return ERR_PTR(ret);
	}
	sock->sk->sk_sndtimeo = MAX_SCHEDULE_TIMEOUT;
	tcp_sock_set_nodelay(sock->sk);
	return sock;
}
