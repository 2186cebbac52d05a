# Read-only mounts write nothing.  A volume on small device-mapper
# devices (so both can be checksummed whole), populated, with an orphan
# (a file unlinked while open at a power cut): mount -o ro reads and
# walks everything, refuses changes with EROFS, leaves the orphan and
# changes no byte of either device, also through sync and the commit
# timer; it mounts on read-only block devices (blockdev --setro), where
# a read-write mount or remount,rw fails and says why; remount,rw on
# writable devices deletes the orphan, and remount,ro is stable again.
# Two boots (t_crash).
t_expect_dmesg "mounted fsid"
t_allow_dmesg "unmounted"
t_expect_dmesg "remounted read-write"
t_expect_dmesg "remounted read-only"
t_expect_dmesg "(a read-only device: mount with -o ro)"
t_expect_dmesg "is read-only: cannot remount read-write"
t_allow_dmesg "Can't open blockdev"
t_allow_dmesg "drop_caches"
. "$T_VM/tests/posix-lib"

M=/dev/mapper/ro_meta
D=/dev/mapper/ro_data
MNT=/mnt/ro

ro_devs() {
	# the smallest volume mkfs makes: 64 MiB of metadata, 16 MiB of data
	DM_DISABLE_UDEV=1 dmsetup create ro_meta --noudevsync \
		--table "0 131072 linear $T_META 0" || t_fail "dmsetup meta"
	DM_DISABLE_UDEV=1 dmsetup create ro_data --noudevsync \
		--table "0 32768 linear $T_DATA 0" || t_fail "dmsetup data"
	mkdir -p "$MNT"
}

ro_mount() {
	mount -t scoutfs -o "metadev_path=$M,quorum_slot_nr=0${1:+,$1}" "$D" "$MNT"
}

# mount(2) itself, printing its errno: mount(8) would retry read-only
# rw_mount [remount]
rw_mount() {
	posix_tool e mount "$D" "$MNT" "${1:-0}" "metadev_path=$M,quorum_slot_nr=0" |
		sed "s|$T_TMP|<tmp>|"
}

# sums NAME: checksums of both devices, past the page cache
sums() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	sha256sum "$M" "$D" | sed 's/ .*//' > "$T_TMP/sums.$1"
}

# same A B: did the devices stay the same from sums A to sums B?
same() {
	if cmp -s "$T_TMP/sums.$1" "$T_TMP/sums.$2"; then
		echo "devices unchanged from $1 to $2"
	else
		echo "devices CHANGED from $1 to $2"
	fi
}

orphans() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	echo "$(scoutfs print --merged "$M" | sed -n '/^merged items:/,$p' | grep -c ': orphan ino') orphan items"
}

# everything a reader sees: names, types, sizes, blocks, contents
show() {
	(cd "$MNT" && find . | sort | while read -r f; do
		if [ -f "$f" ]; then
			echo "$f $(stat -c '%F %s %b' "$f") $(md5sum < "$f" | cut -c1-12)"
		else
			echo "$f $(stat -c '%F' "$f")"
		fi
	done)
	echo "walk: $(scoutfs walk-inodes meta_seq 0 -1 --json "$MNT" | wc -l) meta_seq entries"
}

ro_devs
if [ "${T_CRASHES:-0}" -eq 0 ]; then
	scoutfs mkfs -Q 0,127.0.0.1,12345 --force "$M" "$D" > /dev/null || t_fail "mkfs"
	ro_mount commit_interval_ms=300000 || t_fail "mount"
	mkdir "$MNT/d" "$MNT/d/e"
	echo small > "$MNT/d/small"
	yes data | head -c 300000 > "$MNT/d/e/big"
	ln -s small "$MNT/d/link"
	truncate -s 1000000 "$MNT/sparse"
	yes orphan | head -c 200000 > "$MNT/gone"
	exec 3< "$MNT/gone"
	rm "$MNT/gone"
	sync
	echo "populated, unlinked while open, synced, crashing"
	t_crash
fi

echo "== after the crash"
orphans
sums start
echo "== mount -o ro"
ro_mount ro || t_fail "ro mount failed"
grep " $MNT " /proc/mounts | cut -d' ' -f4 | cut -d, -f1
show
scoutfs stat "$MNT/d/e/big" | grep -E '^(data_version|online_blocks)'
t_rc touch "$MNT/new" 2>&1
t_rc rm "$MNT/d/small" 2>&1
t_rc truncate -s 0 "$MNT/d/small" 2>&1
sync
sleep 1
umount "$MNT" || t_fail "umount"
sums ro
same start ro

echo "== read-only block devices"
blockdev --setro "$M"
blockdev --setro "$D"
rw_mount
ro_mount ro || t_fail "ro mount on read-only devices failed"
cat "$MNT/d/small"
rw_mount remount
umount "$MNT" || t_fail "umount"
echo "-- only the metadata device read-only"
blockdev --setrw "$D"
rw_mount
ro_mount ro || t_fail "ro mount failed"
rw_mount remount
grep " $MNT " /proc/mounts | cut -d' ' -f4 | cut -d, -f1
umount "$MNT" || t_fail "umount"
blockdev --setrw "$M"
sums rodev
same start rodev

echo "== remount,rw deletes the orphan"
ro_mount ro,commit_interval_ms=100 || t_fail "ro mount failed"
mount -o remount,rw "$MNT" || t_fail "remount,rw failed"
grep " $MNT " /proc/mounts | cut -d' ' -f4 | cut -d, -f1
echo new > "$MNT/new"
orphans
echo "== remount,ro"
mount -o remount,ro "$MNT" || t_fail "remount,ro failed"
grep " $MNT " /proc/mounts | cut -d' ' -f4 | cut -d, -f1
sums remounted
cat "$MNT/new"
show
sync
sleep 1
sums later
same remounted later
umount "$MNT" || t_fail "umount"
sums unmounted
same remounted unmounted
scoutfs check "$M" "$D" | sed -n 's/^checked \([0-9]* inodes\), .*: /check: \1: /p'
DM_DISABLE_UDEV=1 dmsetup remove --noudevsync ro_meta
DM_DISABLE_UDEV=1 dmsetup remove --noudevsync ro_data
t_pass
