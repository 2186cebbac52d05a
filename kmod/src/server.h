/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SCOUTFS_SERVER_H_
#define _SCOUTFS_SERVER_H_

struct super_block;

int scoutfs_server_setup(struct super_block *sb);
void scoutfs_server_destroy(struct super_block *sb);
void scoutfs_server_stop_commits(struct super_block *sb);
u64 scoutfs_server_stable_seq(struct super_block *sb);
void scoutfs_server_ask_finalize(struct super_block *sb, u64 rid);
bool scoutfs_server_alone(struct super_block *sb);

#endif
