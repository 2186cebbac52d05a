# Every mount option (format/mount.ts) is honoured or refused: a value
# out of its range fails the mount with a message naming the option, the
# value and the range; unknown options, and the ones the module dropped
# because it had nothing to honour them with, fail as unknown; /proc/mounts
# shows the options that differ from their defaults; data_prealloc_blocks
# bounds what an extending write allocates past EOF, and
# commit_interval_ms when the timer commits.  (quorum_slot_nr is checked
# against the volume's slots in mount-refused, a mount without it in
# quorum-basic.)  At remount the options that can change on a live mount
# (commit_interval_ms, data_prealloc_blocks,
# quorum_heartbeat_timeout_ms) take effect and show; the others (metadev_path,
# quorum_slot_nr) must keep their mounted values or the remount is
# refused and changes nothing; an option not given keeps its value.
# busybox's `mount -o remount,X MNT` resends the options of /proc/mounts
# before X; `mount -o remount,X DEV MNT` sends X alone.
t_mkfs --force > /dev/null
M=$T_META
D=$T_DATA
try() {
	echo "== $1"
	shift
	mount -t scoutfs "$@" 2>&1 | sed 's/^mount: //'
	grep -c ' scoutfs ' /proc/mounts
}
shown() {
	grep " $T_MNT " /proc/mounts | cut -d' ' -f4
}

t_expect_dmesg "scoutfs: the metadev_path= mount option is required"
try "no metadev_path" "$D" "$T_MNT"
for o in quorum_slot_nr=15:0..14 commit_interval_ms=99:100..300000 \
	commit_interval_ms=300001:100..300000 data_prealloc_blocks=0:1..1048576 \
	data_prealloc_blocks=1048577:1..1048576 quorum_heartbeat_timeout_ms=1999:2000..60000 \
	quorum_heartbeat_timeout_ms=60001:2000..60000 orphan_scan_delay_ms=99:100..3600000 \
	orphan_scan_delay_ms=3600001:100..3600000; do
	t_expect_dmesg "scoutfs: option ${o%%:*} is outside ${o#*:}"
	try "${o%%:*}" -o "metadev_path=$M,${o%%:*}" "$D" "$T_MNT"
done
t_expect_dmesg "Bad value for 'data_prealloc_blocks'"
try "data_prealloc_blocks=-1" -o "metadev_path=$M,data_prealloc_blocks=-1" "$D" "$T_MNT"
for o in bogus log_merge_wait_timeout_ms; do
	t_expect_dmesg "Unknown parameter '$o'"
	try "$o=10000" -o "metadev_path=$M,$o=10000" "$D" "$T_MNT"
done

t_expect_dmesg "mounted fsid"
t_expect_dmesg "unmounted"
echo "== /proc/mounts: defaults are not shown"
t_rc t_mount 0
shown
t_rc t_umount
t_rc t_mount 0 commit_interval_ms=300000,data_prealloc_blocks=16,quorum_heartbeat_timeout_ms=2000
shown
t_rc t_umount

# Writing 257 blocks 4 KiB at a time to a new file: extending writes from
# block 16 on allocate as many blocks again as the file has, at most
# data_prealloc_blocks, so the last write (block 256) allocates 256, 16
# or 1 blocks.  Counted while the writer holds the file open (closing
# frees them, but only to the next commit's free space).
# prealloc LABEL: blocks allocated writing 257 blocks to a new file
prealloc() {
	free0=$(stat -f -c %f "$T_MNT")
	exec 3> "$T_MNT/f"
	dd if=/dev/zero bs=4096 count=257 >&3 2> /dev/null
	free1=$(stat -f -c %f "$T_MNT")
	exec 3>&-
	echo "$1: $((free0 - free1)) blocks allocated, st_blocks $(stat -c %b "$T_MNT/f")"
	rm "$T_MNT/f"
}
echo "== data_prealloc_blocks: blocks allocated for 257 written"
for n in "" 16 1; do
	t_mount 0 "commit_interval_ms=300000${n:+,data_prealloc_blocks=$n}" || t_fail "mount"
	prealloc "data_prealloc_blocks=${n:-default}"
	t_umount || t_fail "umount"
done

# committed LABEL: whether the timer commits a change within 2 s
committed() {
	seq0=$(scoutfs statfs -s committed_seq -p "$T_MNT")
	touch "$T_MNT/c"
	sleep 2
	seq1=$(scoutfs statfs -s committed_seq -p "$T_MNT")
	echo "$1: committed within 2 s: $([ "$seq1" -gt "$seq0" ] && echo yes || echo no)"
}
echo "== commit_interval_ms: the timer commits a change"
for ms in 100 300000; do
	t_mount 0 "commit_interval_ms=$ms" || t_fail "mount"
	committed "commit_interval_ms=$ms"
	t_umount || t_fail "umount"
done

t_expect_dmesg "remounted read-only"
t_expect_dmesg "remounted read-write"
# remount MNT-or-DEV-MNT OPTIONS: busybox's mount, its exit status and
# the options /proc/mounts then shows
remount() {
	_opts=$1
	shift
	{
		mount -o "remount,$_opts" "$@"
		echo "rc=$? remount,$_opts $*"
	} 2>&1 | sed 's/^mount: //'
	shown
}
echo "== remount: commit_interval_ms and data_prealloc_blocks take effect"
t_mount 0 commit_interval_ms=300000 || t_fail "mount"
shown
committed "commit_interval_ms=300000"
remount commit_interval_ms=100 "$T_MNT"
committed "remounted commit_interval_ms=100"
remount commit_interval_ms=300000 "$T_MNT"
committed "remounted commit_interval_ms=300000"
prealloc "data_prealloc_blocks=default"
remount data_prealloc_blocks=16 "$T_MNT"
prealloc "remounted data_prealloc_blocks=16"
remount data_prealloc_blocks=1 "$T_MNT"
prealloc "remounted data_prealloc_blocks=1"

echo "== remount: an option not given keeps its value"
remount commit_interval_ms=100 "$T_DATA" "$T_MNT"
remount data_prealloc_blocks=16 "$T_DATA" "$T_MNT"

echo "== remount: metadev_path and quorum_slot_nr cannot change"
t_expect_dmesg "scoutfs: metadev_path cannot change at remount: mounted with $M, asked for $D"
remount "metadev_path=$D" "$T_MNT"
t_expect_dmesg "scoutfs: quorum_slot_nr cannot change at remount: mounted with 0, asked for 1"
remount quorum_slot_nr=1 "$T_MNT"
echo "-- refused with an option that could change: nothing changes"
remount "quorum_slot_nr=1,commit_interval_ms=300000" "$T_DATA" "$T_MNT"
echo "-- their mounted values are accepted"
remount "metadev_path=$M,quorum_slot_nr=0" "$T_DATA" "$T_MNT"
t_expect_dmesg "scoutfs: option commit_interval_ms=99 is outside 100..300000"
remount commit_interval_ms=99 "$T_MNT"
echo "-- the mount is as it was"
committed "commit_interval_ms=100"
prealloc "data_prealloc_blocks=16"

echo "== remount,ro and remount,rw, with options"
remount ro,commit_interval_ms=200,quorum_heartbeat_timeout_ms=60000 "$T_MNT"
touch "$T_MNT/ro" 2>&1 | sed 's/^touch: //'
remount rw,data_prealloc_blocks=32 "$T_MNT"
committed "remounted rw"
t_rc t_umount
t_pass
