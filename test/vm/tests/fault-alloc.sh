# Memory pressure: the module's fail_alloc knob (testing only; Debian's
# kernels have no fault injection) makes the Nth allocation at one of the
# module's own allocation sites fail, as kmalloc/kvmalloc under pressure
# can.  For each kind of operation, and for the commit, N walks 1, 2, ...
# over every allocation the call makes (until the call makes fewer than
# N), each step on names of its own.  Each call must succeed or fail with
# ENOMEM having changed nothing, and the mount must never shut down: an
# allocation that fails before a change is ENOMEM to the caller; after
# the first change allocations may not fail (__GFP_NOFAIL, or a commit
# that retries its large buffers).  A commit whose allocation fails
# before it writes returns ENOMEM and leaves the transaction open for the
# next one.  What the calls reported is what the volume holds after a
# remount, and check is clean.  No splat (the bench fails on any).
# no orphan scan: its deletions would take the item changes the knob counts
POSIX_MOUNT_OPTS=commit_interval_ms=300000,orphan_scan_delay_ms=3600000
. "$T_VM/tests/posix-lib"
posix_mkfs_mount
# a commit that failed before it wrote says so; nothing may shut the mount down
t_allow_dmesg "before writing; the transaction stays open"
t_allow_dmesg "callbacks suppressed"
# the final iput of an unlinked inode whose deletion can't get its memory
# before it starts: the orphan item stays, the next mount deletes it
t_allow_dmesg "failed: -12; its orphan item remains"
KNOB=/sys/module/scoutfs/parameters/fail_alloc
[ -w "$KNOB" ] || t_fail "no $KNOB"

snapshot() {
	ls -nR | awk '$1 != "total" { print $1, $2, $5, $NF }'
	[ -z "$XATTRS" ] || posix_tool e listx x/f
}

# walk NAME CMD: CMD is run as "CMD N" with the Nth allocation failing,
# for N = 1, 2, ... until it makes fewer than N allocations
walk() {
	name=$1
	cmd=$2
	n=1
	enomem=0
	ok=0
	shut=0
	while :; do
		# a shutdown loses the open transaction: start from a commit
		[ -z "$SHUT_OK" ] || sync
		snapshot > "$T_TMP/before"
		echo "$n" > "$KNOB"
		err=$($cmd "$n" 2>&1)
		rc=$?
		left=$(cat "$KNOB")
		echo 0 > "$KNOB"
		if ! touch probe 2> /dev/null; then
			if [ -z "$SHUT_OK" ]; then
				echo "$name: step $n: the mount is shut down ($err)"
				t_fail "shut down"
			fi
			# the open transaction never commits: the volume is as before
			shut=$((shut + 1))
			posix_remount
			cd "$T_MNT" || t_fail "cd"
		fi
		rm -f probe
		if [ $rc -eq 0 ]; then
			ok=$((ok + 1))
			"chk_$name" "$n" || echo "$name: step $n succeeded without its effect"
		else
			case "$err" in
			*"Cannot allocate memory"* | *ENOMEM*) enomem=$((enomem + 1)) ;;
			*) echo "$name: step $n failed, not with ENOMEM: $err" ;;
			esac
			snapshot > "$T_TMP/after"
			if ! cmp -s "$T_TMP/before" "$T_TMP/after"; then
				echo "$name: failing step $n changed the volume:"
				diff "$T_TMP/before" "$T_TMP/after"
			fi
		fi
		[ "$left" -gt 0 ] && break
		n=$((n + 1))
		[ $n -le 300 ] || t_fail "$name: more than 300 allocations"
	done
	echo "$name: $((n - 1)) allocations, $enomem failed with ENOMEM and changed nothing ($shut of them shutting the mount down), $ok succeeded" >> "$T_TMP/counts"
	[ $((n - 1)) -gt 0 ] || echo "$name: made no allocation"
	[ $enomem -gt 0 ] || echo "$name: no step failed"
	echo "$name: done"
}

cd "$T_MNT" || t_fail "cd"
mkdir x y
echo one > x/f
seq 1 20000 > x/big
for i in $(seq 1 60); do
	echo "$i" > "x/u$i"
	echo "$i" > "x/m$i"
	mkdir "y/e$i"
	echo "$i" > "x/t$i"
	: > "x/w$i"
done
posix_py -c 'import os
for i in range(1, 61): os.setxattr("x/f", "user.r%d" % i, b"v" * 10)'
sync

op_create() { touch "x/c$1"; }
op_mkdir() { mkdir "y/d$1"; }
op_symlink() { ln -s ../x/f "y/s$1"; }
op_link() { ln x/f "y/l$1"; }
op_unlink() { rm "x/u$1"; }
op_rmdir() { rmdir "y/e$1"; }
op_rename() { mv "x/m$1" "y/m$1"; }
op_setxattr() { posix_tool x setx x/f "user.s$1" 300 v 0; }
op_removexattr() { posix_tool x rmx x/f "user.r$1"; }
# one block into an empty file (created beforehand: a failed write must
# leave no trace); a longer write may fail part way with a short write
op_write() { dd if=/dev/zero of="x/w$1" bs=4096 count=1 conv=notrunc; }
op_truncate() { truncate -s 1000 "x/t$1"; }

# what a call that succeeded must have done
has_x() { posix_tool e listx x/f | grep -qw "user.$1"; }
size_is() { [ "$(stat -c %s "$1")" = "$2" ]; }
chk_create() { [ -f "x/c$1" ]; }
chk_mkdir() { [ -d "y/d$1" ]; }
chk_symlink() { [ -L "y/s$1" ]; }
chk_link() { [ -f "y/l$1" ]; }
chk_unlink() { [ ! -e "x/u$1" ]; }
chk_rmdir() { [ ! -e "y/e$1" ]; }
chk_rename() { [ -f "y/m$1" ] && [ ! -e "x/m$1" ]; }
chk_setxattr() { has_x "s$1"; }
chk_removexattr() { ! has_x "r$1"; }
chk_write() { size_is "x/w$1" 4096; }
chk_truncate() { size_is "x/t$1" 1000; }

walk create op_create
walk mkdir op_mkdir
walk symlink op_symlink
walk link op_link
walk unlink op_unlink
walk rmdir op_rmdir
walk rename op_rename
XATTRS=1
walk setxattr op_setxattr
walk removexattr op_removexattr
XATTRS=
walk write op_write
walk truncate op_truncate

# the commit: a dirty transaction, then an fsync (busybox sync FILE) with
# its Nth allocation failing (a pending commit worker runs first: when its
# commit fails it tries again 100 ms later and the fsync's own commit runs);
# a failed commit must leave the transaction open: the next fsync commits it
walk_commit() {
	n=1
	enomem=0
	ok=0
	while :; do
		touch "y/k$n"
		echo "$n" > "$KNOB"
		err=$(sync y 2>&1)
		rc=$?
		left=$(cat "$KNOB")
		echo 0 > "$KNOB"
		if ! touch probe 2> /dev/null; then
			echo "commit: step $n: the mount is shut down ($err)"
			t_fail "shut down"
		fi
		rm -f probe
		if [ $rc -eq 0 ]; then
			ok=$((ok + 1))
		else
			case "$err" in
			*"Cannot allocate memory"*) enomem=$((enomem + 1)) ;;
			*) echo "commit: step $n failed, not with ENOMEM: $err" ;;
			esac
			sync y || echo "commit: step $n: the next commit failed"
		fi
		[ "$left" -gt 0 ] && break
		n=$((n + 1))
		[ $n -le 300 ] || t_fail "commit: more than 300 allocations"
	done
	echo "commit: $((n - 1)) allocations, $enomem failed with ENOMEM, $ok succeeded" >> "$T_TMP/counts"
	echo "commit: done"
}
walk_commit

# what the calls reported is what is on disk
XATTRS=1
sync
snapshot > "$T_TMP/live"
posix_remount
cd "$T_MNT" || t_fail "cd"
snapshot > "$T_TMP/disk"
if cmp -s "$T_TMP/live" "$T_TMP/disk"; then
	echo "after a remount the volume holds what the calls reported"
else
	echo "the volume differs from what the calls reported:"
	diff "$T_TMP/live" "$T_TMP/disk"
fi
cat "$T_TMP/counts" >&2
cat "$T_TMP/counts" > "$T_RESULT/counts"
posix_umount_check
t_pass
