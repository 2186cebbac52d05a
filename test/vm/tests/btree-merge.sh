# Deletions leave no trail of nearly empty btree blocks: removing 19 of
# every 20 of 20,000 files leaves every leaf a few percent full, and the
# merge of the log btrees into the fs btree merges each leaf it left
# under a quarter full with its neighbours, so the tree shrinks to a
# fraction of its blocks (without merging it keeps nearly all of them);
# the counts are taken with every log btree merged.  Walks, lookups and the
# directory see exactly the files left, a new batch of files goes into
# the merged tree, rounds of random creates and removals (a commit each)
# keep one index entry per inode, and check is clean throughout.
. "$T_VM/tests/posix-lib"
export SCOUTFS_MOUNT_PATH="$T_MNT"

# btree_blocks NAME: check the unmounted volume, keep its btree block count
btree_blocks() {
	scoutfs check "$T_META" "$T_DATA" > "$T_TMP/ck" 2>&1
	echo "check rc=$? ($(sed -n 's/^checked .*: //p' "$T_TMP/ck"))"
	grep -v '^checked ' "$T_TMP/ck"
	sed -n 's/^checked .*(\([0-9]*\) btree,.*/\1/p' "$T_TMP/ck" > "$T_TMP/$1"
}

# Unmount with every log btree merged into the fs btree: the next mount
# merges what the last one left; wait for it (bounded), then unmount.
umount_merged() {
	cd / && t_umount || t_fail "umount"
	t_mount 0 commit_interval_ms=300000 || t_fail "mount"
	sys=/sys/fs/scoutfs/$(scoutfs statfs -s fsid -p "$T_MNT").$(scoutfs statfs -s rid -p "$T_MNT")
	n=0
	while [ "$(cat "$sys/log_btrees_pending")" -gt 0 ] && [ "$n" -lt 120 ]; do
		sleep 1
		n=$((n + 1))
	done
	t_umount || t_fail "umount"
}

walks() {
	echo "$1: meta_seq $(scoutfs walk-inodes meta_seq 0 -1 --json | wc -l) entries," \
		"data_seq $(scoutfs walk-inodes data_seq 0 -1 --json | wc -l) entries"
}

posix_mkfs_mount
mkdir "$T_MNT/d"
cd "$T_MNT" || t_fail "cd"
posix_tool many d 20000 create
sync
walks "created"
umount_merged
btree_blocks full

t_mount 0 commit_interval_ms=300000 || t_fail "mount"
cd "$T_MNT" || t_fail "cd"
posix_tool - <<'CMDS'
many d 20000 thin 20
CMDS
sync
walks "thinned"
posix_tool - <<'CMDS'
stat d/f0
stat d/f19980
stat d/f19999
CMDS
echo "listed: $(ls d | wc -l) names"
umount_merged
btree_blocks thin
full=$(cat "$T_TMP/full")
thin=$(cat "$T_TMP/thin")
if [ "$thin" -gt 0 ] && [ $((thin * 4)) -le "$full" ]; then
	echo "btree blocks after thinning: at most a quarter of before"
else
	echo "btree blocks after thinning: $thin of $full before, more than a quarter"
fi

echo "== after a remount: more files, then the thinned ones go"
t_mount 0 commit_interval_ms=300000 || t_fail "mount"
cd "$T_MNT" || t_fail "cd"
mkdir d2
posix_tool many d2 5000 create
sync
walks "added"
rm d/f*
rmdir d
sync
walks "removed d"
echo "listed d2: $(ls d2 | wc -l) names"
echo "== churn: random creates and removals, a commit each round"
mkdir c
for seed in 1 2 3 4 5 6 7 8; do
	posix_tool many c 3000 churn $seed
	n=$(($(ls c | wc -l) + $(ls d2 | wc -l) + 3))
	m=$(scoutfs walk-inodes meta_seq 0 -1 --json | wc -l)
	if [ "$m" -eq "$n" ]; then
		echo "round $seed: meta_seq has one entry per inode"
	else
		echo "round $seed: meta_seq has $m entries for $n inodes"
	fi
done
cd / && t_umount
btree_blocks last
t_pass
