# Two mounts of one volume, one node's worth each (each sees the disks
# through its own device-mapper linear devices, as another host would):
# mount 0 is the quorum's only member and runs the server; mount 1 has
# no slot and joins as the server's client.  Each writes its commits
# into its own log btree with allocators the server hands it; each sees
# at once what the other wrote (no sync: taking the lock makes the other
# mount commit, and the reader fetches the server's roots), for names,
# data, attributes, xattrs and links, both ways; the change index walked
# on either mount lists every inode once; a file removed on one mount
# stays whole for the other that has it open, and is deleted after that
# mount's last close (one it only had cached goes at once); check is
# clean after both
# unmount, and a remount of mount 0 alone sees everything.  When the
# leader unmounts first, its client says so, refuses writes (nothing it
# writes could be committed: failover is not built yet) and unmounts;
# what it synced before is there.
t_expect_dmesg "mounted fsid"
t_expect_dmesg "a client of the server in quorum slot 0"
t_allow_dmesg "unmounted"
t_allow_dmesg "drop_caches"
t_expect_dmesg "ended: this mount can commit nothing more and stops writing"
t_allow_dmesg "farewell to the server at"
t_allow_dmesg "final commit at unmount failed"
# (that message's rate limit may report what an earlier scenario's
# fault injection made it drop)
t_allow_dmesg "callbacks suppressed"
t_allow_dmesg "lock request for zone"
t_allow_dmesg "the server did not record commit"
. "$T_VM/tests/posix-lib"

m0=$T_MNT.c0
m1=$T_MNT.c1

# the inode numbers the meta_seq index lists on mount $1's path
walk() {
	scoutfs walk-inodes meta_seq 0 -1 --json "$1" | sed 's/.*"ino":\([0-9]*\).*/\1/' | sort -n |
		tr '\n' ' '
	echo
}

t_mkfs --force > /dev/null || t_fail "mkfs"
t_cmount 0 quorum_slot_nr=0 || t_fail "mount 0"
# no quorum slot: a client of mount 0's server
t_cmount 1 || t_fail "mount 1"

echo "== mount 0 writes, mount 1 reads"
mkdir "$m0/d0"
for i in 1 2 3; do echo "zero $i" > "$m0/d0/f$i"; done
posix_tool e setx "$m0/d0/f1" user.who 300 zero 0
ln "$m0/d0/f1" "$m0/d0/hard"
ln -s f2 "$m0/d0/sym"
ls "$m1/d0"
cat "$m1/d0/f1" "$m1/d0/f2" "$m1/d0/f3"
posix_tool e getx "$m1/d0/f1" user.who | sed "s|$T_MNT|<mnt>|"
stat -c '%h %s' "$m1/d0/f1"
readlink "$m1/d0/sym"

echo "== mount 1 writes, mount 0 reads"
mkdir "$m1/d1"
for i in 1 2 3; do echo "one $i" > "$m1/d1/g$i"; done
dd if=/dev/urandom of="$T_TMP/big" bs=64k count=40 2>/dev/null
cp "$T_TMP/big" "$m1/d1/big"
ls "$m0/d1"
cat "$m0/d1/g1" "$m0/d1/g2" "$m0/d1/g3"
cmp "$T_TMP/big" "$m0/d1/big" && echo "big: same on mount 0"

echo "== a file larger than the data blocks the server hands a client at once"
dd if=/dev/zero bs=1M count=320 2> /dev/null | tr '\0' 'z' > "$m1/d1/large" || echo "dd failed"
stat -c '%s' "$m0/d1/large"
tail -c 3 "$m0/d1/large"; echo
rm "$m0/d1/large"

echo "== each changes the other's files"
echo "appended on 1" >> "$m1/d0/f1"
echo "appended on 0" >> "$m0/d1/g1"
cat "$m0/d0/f1" "$m1/d1/g1"
chmod 600 "$m1/d0/f2"
stat -c '%a' "$m0/d0/f2"
mv "$m0/d1/g2" "$m0/d0/moved"
rm "$m1/d0/f3"
ls "$m0/d0" "$m1/d1"
echo "x" > "$m1/d0/f1" && truncate -s 3 "$m0/d0/f1"
od -c "$m1/d0/f1" | head -2

echo "== names looked up on one mount before the other made or removed them"
ls "$m1/d0/late" 2>&1 | sed "s|$m1|<m1>|"
echo late > "$m0/d0/late"
cat "$m1/d0/late"
rm "$m1/d0/late"
ls "$m0/d0/late" 2>&1 | sed "s|$m0|<m0>|"

echo "== a file removed on one mount while the other has it open"
# the orphan scans run often on both mounts: they must leave it alone
mount -o remount,orphan_scan_delay_ms=300 "$m0" || t_fail "remount 0"
mount -o remount,orphan_scan_delay_ms=300 "$m1" || t_fail "remount 1"
dd if=/dev/urandom of="$T_TMP/open" bs=64k count=8 2>/dev/null
cp "$T_TMP/open" "$m0/d0/open"
cp "$T_TMP/open" "$m0/d0/cached"
oino=$(stat -c %i "$m0/d0/open")
cino=$(stat -c %i "$m0/d0/cached")
exec 8< "$m1/d0/open"
stat -c '%s' "$m1/d0/cached"
sync
rm "$m0/d0/open" "$m0/d0/cached"
echo 2 > /proc/sys/vm/drop_caches
sleep 2
cmp - "$T_TMP/open" <&8 && echo "open: still read whole on mount 1"
# deleted: its index item is gone on both mounts, once both committed
deleted() {
	sync
	! walk "$m0" | grep -qw "$1" && ! walk "$m1" | grep -qw "$1"
}
deleted "$cino" && echo "cached: deleted at once"
deleted "$oino" || echo "open: kept while mount 1 has it open"
exec 8<&-
n=0
until deleted "$oino" || [ "$n" -ge 60 ]; do
	sleep 0.5
	n=$((n + 1))
done
deleted "$oino" && echo "open: deleted after its last close"
for d in /sys/fs/scoutfs/*; do
	[ "$(cat "$d/counters/inode_delete_in_use")" -gt 0 ] && echo "a deletion waited for the other mount"
done
mount -o remount,orphan_scan_delay_ms=10000 "$m0" || t_fail "remount 0"
mount -o remount,orphan_scan_delay_ms=10000 "$m1" || t_fail "remount 1"

echo "== the change index on both mounts"
sync
[ "$(walk "$m0")" = "$(walk "$m1")" ] && echo "same inodes on both mounts"
walk "$m0" | wc -w

echo "== statfs on both mounts"
[ "$(stat -f -c '%b %a %c %d' "$m0")" = "$(stat -f -c '%b %a %c %d' "$m1")" ] && echo "same counts"

echo "== unmount both, check, mount 0 alone sees it all"
t_cumount 1 || t_fail "umount 1"
t_cumount 0 || t_fail "umount 0"
t_check counts
t_mount 0 || t_fail "remount 0"
ls "$T_MNT/d0" "$T_MNT/d1"
cmp "$T_TMP/big" "$T_MNT/d1/big" && echo "big: same after remount"
t_umount 0

echo "== the leader unmounts first: its client stops writing, says why, unmounts"
t_cmount 0 quorum_slot_nr=0 || t_fail "mount 0 again"
t_cmount 1 || t_fail "mount 1 again"
echo synced > "$m1/d1/synced"
sync
t_cumount 0 || t_fail "umount 0 first"
# (the client's receive worker sees the connection end)
sleep 1
if (echo x > "$m1/d1/after") 2> /dev/null; then echo "write accepted"; else echo "write refused"; fi
t_cumount 1 && echo "client unmounted"
t_check
t_mount 0 || t_fail "mount 0 alone"
cat "$T_MNT/d1/synced"
ls "$T_MNT/d1/after" 2>&1 | sed "s|$T_MNT|<mnt>|"
t_umount 0
t_pass
