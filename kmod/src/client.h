/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SCOUTFS_CLIENT_H_
#define _SCOUTFS_CLIENT_H_

struct super_block;
struct scoutfs_net_statfs;
struct scoutfs_net_lock;
struct scoutfs_lock;

int scoutfs_client_statfs(struct super_block *sb, struct scoutfs_net_statfs *st);
int scoutfs_client_lock_request(struct super_block *sb, const struct scoutfs_net_lock *nl,
				struct scoutfs_lock *lock);
void scoutfs_client_lock_answer(struct super_block *sb, u64 id, int err,
				const struct scoutfs_net_lock *nl);
int scoutfs_client_setup(struct super_block *sb);
void scoutfs_client_destroy(struct super_block *sb);

#endif
