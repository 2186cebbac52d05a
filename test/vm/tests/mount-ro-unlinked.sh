# remount,ro right after removing files, without a sync: the VFS refuses
# it (EBUSY) while an unlinked inode is still referenced, and the open
# transaction must not be what references it (it tracks inodes whose
# data must be written before it commits, and a removed file's data no
# longer matters).  Files removed by rm and by a rename over them, and
# a file written after its removal while open; an unlinked file still
# open is busy, as on any filesystem, until its last close.
t_allow_dmesg "mounted fsid"
t_allow_dmesg "unmounted"
t_allow_dmesg "remounted read-only"
t_allow_dmesg "remounted read-write"
t_mkfs --force > /dev/null
t_mount || t_fail "mount"
cd "$T_MNT" || t_fail "cd"

remount() {
	{
		mount -o "remount,$1" "$T_MNT"
		echo "rc=$? remount,$1 ($2)"
	} 2>&1 | sed 's/^mount: //'
}

echo "== write, close, rm"
head -c 10000 /dev/urandom > a
rm a
remount ro "rm"
touch b 2>&1 | sed 's/^touch: //'
remount rw "rm"

echo "== rename over a written file"
head -c 10000 /dev/urandom > c
echo new > d
mv d c
remount ro "rename over"
remount rw "rename over"

echo "== written after rm while open, then closed"
exec 3> e
rm e
head -c 10000 /dev/urandom >&3
exec 3>&-
remount ro "written after rm"
remount rw "written after rm"

echo "== still open after rm"
head -c 10000 /dev/urandom > f
exec 3< f
rm f
remount ro "still open"
exec 3<&-
remount ro "closed"
remount rw "closed"

cat c
cd / || t_fail "cd /"
t_umount || t_fail "umount"
t_check
t_pass
