# ino-path and get-referring-entries for an inode with hard links in
# several directories, as links come and go and directories move.
t_allow_dmesg "mounted fsid"
t_allow_dmesg "unmounted"
t_mkfs --force > /dev/null
t_mount 0 commit_interval_ms=300000 || t_fail "mount"
export SCOUTFS_MOUNT_PATH="$T_MNT"
cd "$T_MNT" || t_fail "cd"
mkdir -p a/c b
echo data > a/f
ln a/f b/g
ln a/f a/c/h
ln a/f "a/c/a name with spaces"
ino=$(stat -c %i a/f)
show() {
	echo "== $*"
	echo "-- ino-path"
	scoutfs ino-path "$ino"
	echo "-- get-referring-entries"
	scoutfs get-referring-entries "$ino"
}
show "four links"
echo "-- json"
scoutfs ino-path "$ino" --json
scoutfs get-referring-entries "$ino" --json
echo "-- directories"
scoutfs ino-path "$(stat -c %i a/c)"
scoutfs get-referring-entries "$(stat -c %i a/c)"
rm b/g
show "after rm b/g"
mv a/c z
show "after mv a/c z"
sync
cd / && t_remount 0 commit_interval_ms=300000 || t_fail "remount"
cd "$T_MNT" || t_fail "cd"
show "after remount"
echo "== errors"
t_rc scoutfs ino-path 1
t_rc scoutfs get-referring-entries 1
t_rc scoutfs ino-path 999999
t_rc scoutfs ino-path 12x
t_rc scoutfs ino-path "$ino" -p /proc
rm a/f z/h "z/a name with spaces"
t_rc scoutfs ino-path "$ino"
t_rc scoutfs get-referring-entries "$ino"
cd / && t_umount
t_pass
