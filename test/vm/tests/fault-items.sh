# Every step of a change failing in turn: the module's fail_item_change
# knob (testing only) makes the Nth item change fail with ENOMEM, as an
# allocation could.  A change must then either fail having changed
# nothing, the mount still working, or shut the mount down so that the
# open transaction never commits.  Either way, once remounted, the volume
# lists exactly what it listed before the change (synced just before it),
# and check is clean at the end.  Each change is retried with N = 1, 2,
# ... until it succeeds.  (A write longer than a block may instead fail
# part way with a short write, as POSIX allows: the writes here are one
# block long.)
# no orphan scan: its deletions would take the item changes the knob counts
POSIX_MOUNT_OPTS=commit_interval_ms=300000,orphan_scan_delay_ms=3600000
. "$T_VM/tests/posix-lib"
posix_mkfs_mount
# the shutdowns, and what a shut down mount says of the work it refuses
t_allow_dmesg "failed part way with error -12; the filesystem is shut down"
t_allow_dmesg "error -5 writing file data before commit"
t_allow_dmesg "final commit at unmount failed: error -5"
t_allow_dmesg "its orphan item remains"
t_allow_dmesg "freeing blocks of a failed write failed: -5"
t_allow_dmesg "callbacks suppressed"
KNOB=/sys/module/scoutfs/parameters/fail_item_change
[ -w "$KNOB" ] || t_fail "no $KNOB"

# names, types, link counts and sizes (and a/r's xattrs when XATTRS is
# set): what a failed change must not alter
snapshot() {
	# not the blocks in use: a failed extending write may leave blocks
	# past EOF, which are harmless (check, at the end, counts them all)
	ls -nR | awk -v any="$ANY_SIZE" '$1 != "total" { if (any != "" && $NF == any) $5 = "?"; print $1, $2, $5, $NF }'
	if [ -n "$XATTRS" ]; then
		posix_tool - <<-'CMDS'
		e listx a/r
		e getx a/r user.a
		CMDS
	fi
}

# fault NAME CMD...: run CMD with each of its item changes failing in turn
fault() {
	name=$1
	shift
	n=1
	nothing=0
	shut=0
	while :; do
		sync
		snapshot > "$T_TMP/before"
		echo "$n" > "$KNOB"
		"$@" > /dev/null 2>&1
		rc=$?
		echo 0 > "$KNOB"
		[ $rc -eq 0 ] && break
		if touch probe 2> /dev/null; then
			rm -f probe
			nothing=$((nothing + 1))
		else
			shut=$((shut + 1))
		fi
		posix_remount
		cd "$T_MNT" || t_fail "cd"
		snapshot > "$T_TMP/after"
		if ! cmp -s "$T_TMP/before" "$T_TMP/after"; then
			echo "$name: failing step $n changed the volume:"
			diff "$T_TMP/before" "$T_TMP/after"
		fi
		n=$((n + 1))
		[ $n -le 200 ] || t_fail "$name never succeeded"
	done
	echo "$name: steps 1-$((n - 1)) failed ($nothing changing nothing, $shut shutting the mount down), then it succeeded"
}

cd "$T_MNT" || t_fail "cd"
mkdir a b a/empty
echo one > a/f
echo two > b/g
echo three > a/r
ln a/f b/hard
seq 1 20000 > a/big
sync

fault "create" touch a/new
fault "mkdir" mkdir b/dir
fault "symlink" ln -s ../a/f b/sym
fault "link" ln a/f a/f-link
fault "unlink" rm b/hard
fault "rmdir" rmdir a/empty
fault "rename across directories" mv a/f b/f-moved
fault "rename over a file" mv b/g a/r
fault "rename exchange" posix_tool x exchange b/dir b/f-moved
XATTRS=1
fault "setxattr" posix_tool x setx a/r user.a 100 v 0
fault "remove xattr" posix_tool x rmx a/r user.a
XATTRS=
# one block: a longer write may fail part way with a short write, as POSIX allows
fault "extending write" dd if=/dev/zero of=a/big bs=4096 count=1 seek=40 conv=notrunc
# a shrinking truncate sets the size (and the inode's TRUNCATE flag) before
# it frees the blocks past it: when freeing them fails, the new size stays
# and the next iget of the inode frees them
ANY_SIZE=big
fault "truncate down" truncate -s 1000 a/big
ANY_SIZE=
fault "truncate up" truncate -s 1000000 a/big
fault "fallocate" posix_tool x fallocate a/big 0 0 2000000
snapshot
posix_umount_check
t_pass
