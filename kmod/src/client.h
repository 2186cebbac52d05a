/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SCOUTFS_CLIENT_H_
#define _SCOUTFS_CLIENT_H_

struct super_block;
struct scoutfs_net_statfs;

int scoutfs_client_statfs(struct super_block *sb, struct scoutfs_net_statfs *st);
int scoutfs_client_setup(struct super_block *sb);
void scoutfs_client_destroy(struct super_block *sb);

#endif
