# open_by_handle_at by inode number: handles are type 0x81 with the
# little-endian inode number; they open files and directories after a
# remount (cold cache), and give ESTALE once the inode is deleted, also
# while an open file keeps the unlinked inode alive.
t_allow_dmesg "mounted fsid"
t_allow_dmesg "unmounted"
t_mkfs --force > /dev/null
t_mount 0 commit_interval_ms=300000 || t_fail "mount"
probe() {
	node "$T_VM/tools/ioctl-probe.js" "$@"
}
mkdir "$T_MNT/d"
echo hello > "$T_MNT/d/f"
echo bye > "$T_MNT/g"
f=$(stat -c %i "$T_MNT/d/f")
d=$(stat -c %i "$T_MNT/d")
g=$(stat -c %i "$T_MNT/g")
echo "== handles"
probe handle "$T_MNT/d/f"
probe handle "$T_MNT/d"
sync
t_remount 0 commit_interval_ms=300000 || t_fail "remount"
echo "== after remount"
probe open-ino "$T_MNT" "$f" "$d" 1
echo "== after rm and sync"
rm "$T_MNT/d/f"
sync
probe open-ino "$T_MNT" "$f" 999999 0
echo "== unlinked but open"
exec 3< "$T_MNT/g"
rm "$T_MNT/g"
probe open-ino "$T_MNT" "$g"
exec 3<&-
echo "== directory handle resolves its parent chain"
mkdir -p "$T_MNT/x/y/z"
sync
z=$(stat -c %i "$T_MNT/x/y/z")
t_remount 0 commit_interval_ms=300000 || t_fail "remount"
probe open-ino "$T_MNT" "$z"
t_umount
t_pass
