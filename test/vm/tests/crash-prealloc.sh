# Preallocation: an extending write allocates blocks past EOF in chunks.
# Those blocks never show: they read as zeros when a sparse write,
# truncate or fallocate grows the size over them, they go when the writer
# closes, and a crash while a writer holds them leaves a consistent
# volume where they still read as zeros when the size grows.  The blocks
# first belonged to a deleted file full of data, so stale data would show.
# Runs over two boots (t_crash).
. "$T_VM/tests/posix-lib"
t_expect_dmesg "mounted fsid"
t_allow_dmesg "unmounted"


if [ "${T_CRASHES:-0}" -eq 0 ]; then
	t_mkfs --force > /dev/null || t_fail "mkfs failed"
	t_mount 0 commit_interval_ms=300000 || t_fail "mount failed"
	cd "$T_MNT" || t_fail "no mount"
	# stale data in the blocks the next files are given
	yes stale | head -c 4194304 > stale
	sync
	rm stale
	sync
	mkdir d
	posix_tool prealloc d
	posix_tool stat d/p d/g d/a
	echo "== a writer holds preallocated blocks at the crash"
	posix_tool hold held 81920 "$T_TMP/held" &
	while [ ! -e "$T_TMP/held" ]; do sleep 0.1; done
	t_crash
fi

echo "== after the crash, before mounting"
t_check counts
t_mount 0 commit_interval_ms=300000 || t_fail "mount failed"
cd "$T_MNT" || t_fail "no mount"
posix_tool - <<'CMDS'
stat held
expect held 0 81920 hold
CMDS
truncate -s 204800 held
posix_tool - <<'CMDS'
read held 81920 122880
expect held 0 81920 hold
stat held
CMDS
cd /
t_umount
echo "== after mounting again"
t_check counts
t_pass
