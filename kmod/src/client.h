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
struct scoutfs_net_roots;
struct scoutfs_net_log_trees;
struct scoutfs_log_trees;
int scoutfs_client_get_roots(struct super_block *sb, struct scoutfs_net_roots *roots);
int scoutfs_client_get_last_seq(struct super_block *sb, u64 *seq);
int scoutfs_client_alloc_inodes(struct super_block *sb, u64 *ino, u64 *nr);
int scoutfs_client_commit_log_trees(struct super_block *sb, const struct scoutfs_log_trees *lt,
				    struct scoutfs_net_log_trees *next);
int scoutfs_client_follow(struct super_block *sb);
int scoutfs_client_open_ino_query(struct super_block *sb, u64 ino);
int scoutfs_client_advance_seq(struct super_block *sb, u64 *seq);
void scoutfs_client_open_ino_answer(struct super_block *sb, u64 id, u64 ino, bool in_use);
int scoutfs_client_setup(struct super_block *sb);
void scoutfs_client_destroy(struct super_block *sb);

#endif
