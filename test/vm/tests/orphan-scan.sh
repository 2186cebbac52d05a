# The orphan scan: an unlinked file whose deletion failed at its last
# close (here the fail_item_change knob makes the deletion's first item
# change fail, as an allocation could) keeps its orphan item and its
# blocks; the periodic scan (orphan_scan_delay_ms) deletes it without a
# remount (check, at the end, finds every block accounted for).  A file
# still open is left to its last close, and the scan's delay can change
# at remount.
. "$T_VM/tests/posix-lib"
t_allow_dmesg "mounted fsid"
t_allow_dmesg "unmounted"
t_allow_dmesg "drop_caches"
t_expect_dmesg "its orphan item remains for the orphan scan"
KNOB=/sys/module/scoutfs/parameters/fail_item_change
[ -w "$KNOB" ] || t_fail "no $KNOB"
t_mkfs --force > /dev/null || t_fail "mkfs failed"
# a long delay first: nothing is scanned until the remount shortens it
t_mount 0 commit_interval_ms=300000,orphan_scan_delay_ms=3600000 || t_fail "mount failed"
cd "$T_MNT" || t_fail "cd"
sys=/sys/fs/scoutfs/$(scoutfs statfs -s fsid).$(scoutfs statfs -s rid)

orphans() {
	posix_print > "$T_TMP/items"
	echo "orphan items: $(grep -c "orphan ino" "$T_TMP/items")," \
		"extent items: $(grep -c "DATA_EXTENT" "$T_TMP/items")"
}

posix_tool - <<'CMDS'
e pwrite failed 0 1048576 failed
e pwrite open 0 65536 open
CMDS
sync
exec 3< failed
exec 4< open
rm failed open
echo "== the deletion at the last close fails"
echo 1 > "$KNOB"
exec 3<&-
echo 0 > "$KNOB"
orphans
echo "scans so far: $(cat "$sys/counters/orphan_scans")"

echo "== a remount shortens the delay: the scan deletes it"
mount -o remount,orphan_scan_delay_ms=200 "$T_MNT" || t_fail "remount"
grep -o "orphan_scan_delay_ms=[0-9]*" /proc/mounts
n=0
while [ "$(cat "$sys/counters/orphan_scan_deletes")" -lt 1 ] && [ "$n" -lt 100 ]; do
	sleep 0.2
	n=$((n + 1))
done
echo "inodes the scans deleted: $(cat "$sys/counters/orphan_scan_deletes")"
# the open file keeps its orphan item and extents
orphans

echo "== the open file goes at its last close"
head -c 4 <&4 | od -A n -t x1 | wc -w
exec 4<&-
orphans
cd / || t_fail "cd /"
t_umount || t_fail "umount"
t_check
t_pass
