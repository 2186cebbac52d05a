# Every item access goes through a cluster lock (one node: granted at
# once).  Idle locks stay cached until memory pressure gives them back;
# the next use is a new grant, under which cached inodes read their item
# again.  Work spread over several inode groups (1024 inodes per lock),
# then drop_caches (which runs the lock shrinker) between each step: the
# results must be the same as without it, and the volume clean.
. "$T_VM/tests/posix-lib"
t_allow_dmesg "mounted fsid"
t_allow_dmesg "unmounted"
t_allow_dmesg "drop_caches"
t_mkfs --force > /dev/null
t_mount || t_fail "mount"
cd "$T_MNT" || t_fail "cd"

drop() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
}

echo "== 2500 files in two directories, three inode groups"
mkdir d1 d2
i=0
while [ "$i" -lt 1250 ]; do
	echo "one $i" > "d1/f$i"
	echo "two $i" > "d2/f$i"
	i=$((i + 1))
done
ls d1 | wc -l
ls d2 | wc -l
drop
cat d1/f7 d2/f1249
stat -c '%s %h' d1/f1000
# keep an inode cached across the shrink: its item is read again later
exec 3< d1/f5
drop

echo "== changes after the locks went"
echo more >> d1/f5
posix_tool e setx d2/f3 user.x 5 x 0
ln d1/f10 d2/link10
mv d1/f11 d2/moved11
truncate -s 2 d2/f12
drop
cat <&3
exec 3<&-
cat d1/f5
posix_tool e getx d2/f3 user.x
stat -c '%h' d1/f10
cat d2/moved11 d2/link10
ls d1/f11 2>&1 | sed 's/^ls: //'
stat -c '%s' d2/f12

echo "== remove one directory's files"
rm d1/f*
drop
ls d1 | wc -l
ls d2 | wc -l
stat -c '%h' d2/link10

cd / || t_fail "cd /"
t_umount || t_fail "umount"
t_check counts
t_pass
