# A crash with an unlinked file still open leaves its orphan item: the
# next mount deletes the inode and frees its blocks (check counts them
# before and after), and synced files are intact.
. "$T_VM/tests/posix-lib"
t_allow_dmesg "mounted fsid"
t_allow_dmesg "unmounted"
if [ "$T_CRASHES" -eq 0 ]; then
	posix_mkfs_mount
	cd "$T_MNT" || t_fail "cd"
	posix_tool - <<'CMDS'
e pwrite held 0 1048576 held
e pwrite kept 0 8192 kept
CMDS
	exec 3< held
	rm held
	sync
	echo "crashing with an unlinked file open"
	t_crash
fi
echo "== after the crash, before mounting"
scoutfs check "$T_META" "$T_DATA" |
	sed 's/^checked .*, \([0-9]* data blocks in use\) ([0-9]* free): /check: \1: /'
t_mount 0 || t_fail "mount failed"
cd "$T_MNT" || t_fail "cd"
posix_tool - <<'CMDS'
stat kept
expect kept 0 8192 kept
CMDS
ls
echo "== check"
posix_umount_check
t_pass
