// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs.c: a directory per mount under /sys/fs/scoutfs with what
 * identifies it and its counters.  The mount's kobject is freed through
 * its release; unmount waits for it (an open attribute file holds it).
 */
#include <linux/module.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>
#include <linux/completion.h>

#include "super.h"
#include "counters.h"
#include "sysfs.h"
#include "quorum.h"
#include "forest.h"

static struct kset *scoutfs_kset;

struct scoutfs_sysfs_mount {
	struct kobject kobj;
	struct kobject counters;
	struct completion released;
	struct completion counters_released;
	struct super_block *sb;
};

#define SB_OF(k) (container_of(k, struct scoutfs_sysfs_mount, kobj)->sb)

static ssize_t fsid_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%016llx\n", SCOUTFS_SB(SB_OF(kobj))->fsid);
}

static ssize_t rid_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%016llx\n", SCOUTFS_SB(SB_OF(kobj))->rid);
}

static ssize_t data_dev_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", SB_OF(kobj)->s_id);
}

static ssize_t quorum_slot_nr_show(struct kobject *kobj, struct kobj_attribute *attr,
				   char *buf)
{
	return sysfs_emit(buf, "%d\n", SCOUTFS_SB(SB_OF(kobj))->opts.quorum_slot_nr);
}

/* the quorum term this mount last knew, and whether it leads it */
static ssize_t quorum_term_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", scoutfs_quorum_term(SB_OF(kobj)));
}

static ssize_t is_leader_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", scoutfs_quorum_is_leader(SB_OF(kobj)) ? 1 : 0);
}

/* finalized log btrees waiting to be merged */
static ssize_t log_btrees_pending_show(struct kobject *kobj, struct kobj_attribute *attr,
				       char *buf)
{
	return sysfs_emit(buf, "%u\n", scoutfs_forest_nr_finalized(SB_OF(kobj)));
}

static struct kobj_attribute fsid_attr = __ATTR_RO(fsid);
static struct kobj_attribute quorum_term_attr = __ATTR_RO(quorum_term);
static struct kobj_attribute is_leader_attr = __ATTR_RO(is_leader);
static struct kobj_attribute log_btrees_pending_attr = __ATTR_RO(log_btrees_pending);
static struct kobj_attribute rid_attr = __ATTR_RO(rid);
static struct kobj_attribute data_dev_attr = __ATTR_RO(data_dev);
static struct kobj_attribute quorum_slot_nr_attr = __ATTR_RO(quorum_slot_nr);

static struct attribute *mount_attrs[] = {
	&fsid_attr.attr,
	&rid_attr.attr,
	&data_dev_attr.attr,
	&quorum_slot_nr_attr.attr,
	&quorum_term_attr.attr,
	&is_leader_attr.attr,
	&log_btrees_pending_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(mount);

static void mount_release(struct kobject *kobj)
{
	complete(&container_of(kobj, struct scoutfs_sysfs_mount, kobj)->released);
}

static const struct kobj_type mount_ktype = {
	.release	= mount_release,
	.sysfs_ops	= &kobj_sysfs_ops,
	.default_groups	= mount_groups,
};

/* counters/: one read-only file per counter */
struct counter_attr {
	struct attribute attr;
	int ctr;
};

static const char *const counter_names[SCOUTFS_CTR_NR] = {
	[SCOUTFS_CTR_commits] = "commits",
	[SCOUTFS_CTR_commit_items] = "commit_items",
	[SCOUTFS_CTR_lock_requests] = "lock_requests",
	[SCOUTFS_CTR_lock_grants] = "lock_grants",
	[SCOUTFS_CTR_lock_invalidations] = "lock_invalidations",
	[SCOUTFS_CTR_lock_shrink_frees] = "lock_shrink_frees",
	[SCOUTFS_CTR_lock_uses] = "lock_uses",
	[SCOUTFS_CTR_server_lock_requests] = "server_lock_requests",
	[SCOUTFS_CTR_server_lock_grants] = "server_lock_grants",
	[SCOUTFS_CTR_server_lock_invalidations] = "server_lock_invalidations",
	[SCOUTFS_CTR_quorum_dropped] = "quorum_dropped",
	[SCOUTFS_CTR_forest_finalized] = "forest_finalized",
	[SCOUTFS_CTR_forest_merge_batches] = "forest_merge_batches",
	[SCOUTFS_CTR_forest_merged_items] = "forest_merged_items",
	[SCOUTFS_CTR_forest_merged_trees] = "forest_merged_trees",
	[SCOUTFS_CTR_forest_roots_refreshed] = "forest_roots_refreshed",
	[SCOUTFS_CTR_dentry_revalidate_stale] = "dentry_revalidate_stale",
	[SCOUTFS_CTR_orphan_scans] = "orphan_scans",
	[SCOUTFS_CTR_orphan_scan_deletes] = "orphan_scan_deletes",
	[SCOUTFS_CTR_inode_delete_in_use] = "inode_delete_in_use",
	[SCOUTFS_CTR_open_ino_released] = "open_ino_released",
	[SCOUTFS_CTR_server_open_ino_queries] = "server_open_ino_queries",
	[SCOUTFS_CTR_lock_wait_us] = "lock_wait_us",
	[SCOUTFS_CTR_lock_inv_us] = "lock_inv_us",
	[SCOUTFS_CTR_commit_us] = "commit_us",
	[SCOUTFS_CTR_forest_refresh_us] = "forest_refresh_us",
};

/* filled from counter_names at module init */
static struct counter_attr counter_attr_storage[SCOUTFS_CTR_NR];
static struct attribute *counter_attrs[SCOUTFS_CTR_NR + 1];
ATTRIBUTE_GROUPS(counter);

static ssize_t counter_show(struct kobject *kobj, struct attribute *attr, char *buf)
{
	struct scoutfs_sysfs_mount *mk = container_of(kobj, struct scoutfs_sysfs_mount, counters);
	struct counter_attr *ca = container_of(attr, struct counter_attr, attr);
	struct scoutfs_counters *c = SCOUTFS_SB(mk->sb)->counters;

	return sysfs_emit(buf, "%lld\n", (long long)atomic64_read(&c->vals[ca->ctr]));
}

static const struct sysfs_ops counter_sysfs_ops = {
	.show	= counter_show,
};

static void counters_release(struct kobject *kobj)
{
	complete(&container_of(kobj, struct scoutfs_sysfs_mount, counters)->counters_released);
}

static const struct kobj_type counters_ktype = {
	.release	= counters_release,
	.sysfs_ops	= &counter_sysfs_ops,
	.default_groups	= counter_groups,
};

int scoutfs_sysfs_setup(struct super_block *sb)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	struct scoutfs_sysfs_mount *mk;
	int ret;

	sbi->counters = kzalloc(sizeof(*sbi->counters), GFP_KERNEL);
	mk = kzalloc(sizeof(*mk), GFP_KERNEL);
	if (!sbi->counters || !mk) {
		kfree(mk);
		return -ENOMEM;
	}
	mk->sb = sb;
	init_completion(&mk->released);
	init_completion(&mk->counters_released);
	mk->kobj.kset = scoutfs_kset;
	ret = kobject_init_and_add(&mk->kobj, &mount_ktype, NULL, "%016llx.%016llx",
				   sbi->fsid, sbi->rid);
	if (ret) {
		kobject_put(&mk->kobj);
		wait_for_completion(&mk->released);
		kfree(mk);
		return ret;
	}
	ret = kobject_init_and_add(&mk->counters, &counters_ktype, &mk->kobj, "counters");
	if (ret) {
		kobject_put(&mk->counters);
		wait_for_completion(&mk->counters_released);
		kobject_del(&mk->kobj);
		kobject_put(&mk->kobj);
		wait_for_completion(&mk->released);
		kfree(mk);
		return ret;
	}
	sbi->sysfs = mk;
	return 0;
}

void scoutfs_sysfs_destroy(struct super_block *sb)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);
	struct scoutfs_sysfs_mount *mk = sbi->sysfs;

	if (mk) {
		kobject_del(&mk->counters);
		kobject_put(&mk->counters);
		wait_for_completion(&mk->counters_released);
		kobject_del(&mk->kobj);
		kobject_put(&mk->kobj);
		wait_for_completion(&mk->released);
		kfree(mk);
		sbi->sysfs = NULL;
	}
}

void scoutfs_sysfs_free_counters(struct super_block *sb)
{
	struct scoutfs_sb_info *sbi = SCOUTFS_SB(sb);

	kfree(sbi->counters);
	sbi->counters = NULL;
}

int scoutfs_sysfs_init(void)
{
	int i;

	for (i = 0; i < SCOUTFS_CTR_NR; i++) {
		sysfs_attr_init(&counter_attr_storage[i].attr);
		counter_attr_storage[i].attr.name = counter_names[i];
		counter_attr_storage[i].attr.mode = 0444;
		counter_attr_storage[i].ctr = i;
		counter_attrs[i] = &counter_attr_storage[i].attr;
	}
	scoutfs_kset = kset_create_and_add("scoutfs", NULL, fs_kobj);
	return scoutfs_kset ? 0 : -ENOMEM;
}

void scoutfs_sysfs_exit(void)
{
	kset_unregister(scoutfs_kset);
}
