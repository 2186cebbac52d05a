# The forest: commits go into the mount's log btree, which is finalized
# after forest_finalize_kib of items (16 KiB here, a few hundred items, so
# this small workload finalizes dozens of log btrees) and merged into the
# fs btree in the background; reads merge every tree by seq.  Creates,
# overwrites, renames, xattrs and removals over many commits must read
# back exactly, the change index must hold each inode once, and the
# volume must check clean: after a clean unmount (log btrees left for the
# next mount), after the next mount merged them, and after a power cut
# in the middle of commits and merges.  Two boots.
. "$T_VM/tests/posix-lib"
t_expect_dmesg "mounted fsid"
t_allow_dmesg "unmounted"
export SCOUTFS_MOUNT_PATH="$T_MNT"
KNOB=/sys/module/scoutfs/parameters/forest_finalize_kib
# the scenarios after this one in the boot get the default back
KNOB_WAS=$(cat "$KNOB")

walk_counts() {
	scoutfs walk-inodes meta_seq 0 -1 --json > "$T_TMP/meta"
	echo "meta_seq: $(wc -l < "$T_TMP/meta") entries," \
		"$(sed 's/.*"ino"://' "$T_TMP/meta" | sort -u | wc -l) inodes"
}

# wait (bounded) until no finalized log btree waits to be merged
pending_wait() {
	sys=/sys/fs/scoutfs/$(scoutfs statfs -s fsid).$(scoutfs statfs -s rid)
	n=0
	while [ "$(cat "$sys/log_btrees_pending")" -gt 0 ] && [ "$n" -lt 60 ]; do
		sleep 1
		n=$((n + 1))
	done
	echo "log btrees pending: $(cat "$sys/log_btrees_pending")"
}

contents() {
	(cd "$T_MNT" && find . | sort | md5sum | sed 's/ .*/ names/')
	(cd "$T_MNT" && find . -type f | sort | xargs cat | md5sum | sed 's/ .*/ data/')
	posix_tool e getx "$T_MNT/d1/f6" user.a
}

if [ "${T_CRASHES:-0}" -eq 0 ]; then
	echo 16 > "$KNOB"
	t_mkfs --force > /dev/null
	t_mount 0 commit_interval_ms=300000 || t_fail "mount"
	cd "$T_MNT" || t_fail "cd"
	mkdir d1 d2
	echo "== 1500 files in rounds, a commit each"
	r=0
	while [ "$r" -lt 5 ]; do
		i=0
		while [ "$i" -lt 300 ]; do
			echo "round $r file $i" > "d1/f$((r * 300 + i))"
			i=$((i + 1))
		done
		sync
		r=$((r + 1))
	done
	posix_tool e setx d1/f6 user.a 300 a 0
	echo "== overwrite, rename, remove over more commits"
	i=0
	while [ "$i" -lt 1500 ]; do
		case $((i % 3)) in
		0) echo "again $i" > "d1/f$i" ;;
		1) mv "d1/f$i" "d2/g$i" ;;
		2) rm "d1/f$i" ;;
		esac
		[ $((i % 250)) -eq 0 ] && sync
		i=$((i + 1))
	done
	sync
	ls d1 | wc -l
	ls d2 | wc -l
	contents > "$T_TMP/before"
	cat "$T_TMP/before"
	walk_counts
	[ "$(scoutfs counters -s forest_finalized)" -gt 10 ] && echo "log btrees finalized: over 10"
	pending_wait
	[ "$(scoutfs counters -s forest_merged_trees)" -gt 10 ] && echo "log btrees merged: over 10"
	contents | cmp -s - "$T_TMP/before" && echo "same contents after merging"
	cd / || t_fail "cd /"
	t_umount || t_fail "umount"
	echo "== clean unmount: what wasn't merged yet checks clean merged"
	t_check counts
	echo "== next mount merges them"
	t_mount 0 commit_interval_ms=300000 || t_fail "mount"
	contents | cmp -s - "$T_TMP/before" && echo "same contents"
	walk_counts
	pending_wait
	contents | cmp -s - "$T_TMP/before" && echo "same contents after merging"
	cd "$T_MNT" || t_fail "cd"
	echo "== more commits, then a power cut part way"
	posix_tool many d2 3000 create > /dev/null
	sync
	posix_tool many d2 3000 thin 3 > /dev/null &
	sleep 2
	echo 2048 > "$KNOB"
	t_crash
fi

echo "== after the crash, before mounting"
t_check
KNOB_WAS=$(cat "$KNOB")
echo 16 > "$KNOB"
t_mount 0 commit_interval_ms=300000 || t_fail "mount"
cd "$T_MNT" || t_fail "cd"
ls d1 | wc -l
walk_counts | sed 's/[0-9]* entries, [0-9]* inodes/N entries, N inodes/'
scoutfs walk-inodes meta_seq 0 -1 --json | sed 's/.*"ino"://' | sort | uniq -d | wc -l
posix_tool e getx d1/f6 user.a
rm -f d2/f*
sync
walk_counts
cd / || t_fail "cd /"
t_umount || t_fail "umount"
t_check counts
echo "${KNOB_WAS:-2048}" > "$KNOB"
t_pass
