/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SCOUTFS_NET_H_
#define _SCOUTFS_NET_H_

#include <linux/types.h>
#include <linux/in.h>
#include "glue.h"

struct super_block;
struct socket;
struct scoutfs_net_conn;

/*
 * How a connection reports its end to its owner, from the connection's
 * own worker: the owner frees it with scoutfs_net_free() from elsewhere.
 */
typedef void (*scoutfs_net_closed_fn)(struct scoutfs_net_conn *conn);

struct scoutfs_net_conn *scoutfs_net_alloc(struct super_block *sb, struct socket *sock,
					   const scoutfs_net_request_fn *handlers,
					   scoutfs_net_closed_fn closed, void *info);
void scoutfs_net_start(struct scoutfs_net_conn *conn);
void scoutfs_net_shutdown(struct scoutfs_net_conn *conn);
void scoutfs_net_free(struct scoutfs_net_conn *conn);

struct super_block *scoutfs_net_sb(struct scoutfs_net_conn *conn);
void *scoutfs_net_info(struct scoutfs_net_conn *conn);
const struct sockaddr_in *scoutfs_net_peer(struct scoutfs_net_conn *conn);
u64 scoutfs_net_dropped(struct scoutfs_net_conn *conn);

int scoutfs_net_request(struct scoutfs_net_conn *conn, u8 cmd, const void *arg, u16 arg_len,
			void *resp, u16 resp_len, unsigned long timeout_jiffies);
typedef void (*scoutfs_net_response_fn)(struct scoutfs_net_conn *conn, int err,
					const void *resp, u16 resp_len, void *data);
int scoutfs_net_submit_request(struct scoutfs_net_conn *conn, u8 cmd, const void *arg,
			       u16 arg_len, scoutfs_net_response_fn fn, void *data);
int scoutfs_net_response(struct scoutfs_net_conn *conn, u8 cmd, u64 id, int err,
			 const void *data, u16 data_len);

int scoutfs_net_slot_addr(struct super_block *sb, int nr, struct sockaddr_in *sin);
struct socket *scoutfs_net_connect(struct sockaddr_in *sin, unsigned long timeout_jiffies);

#endif
