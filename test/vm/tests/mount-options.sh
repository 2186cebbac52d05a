# Every mount option (format/mount.ts) is honoured or refused: a value
# out of its range fails the mount with a message naming the option, the
# value and the range; unknown options, and the ones the module dropped
# because it had nothing to honour them with, fail as unknown; /proc/mounts
# shows the options that differ from their defaults; data_prealloc_blocks
# bounds what an extending write allocates past EOF, and
# commit_interval_ms when the timer commits.  (quorum_slot_nr is checked
# against the volume's slots in mount-refused.)
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
	data_prealloc_blocks=1048577:1..1048576; do
	t_expect_dmesg "scoutfs: option ${o%%:*} is outside ${o#*:}"
	try "${o%%:*}" -o "metadev_path=$M,${o%%:*}" "$D" "$T_MNT"
done
t_expect_dmesg "Bad value for 'data_prealloc_blocks'"
try "data_prealloc_blocks=-1" -o "metadev_path=$M,data_prealloc_blocks=-1" "$D" "$T_MNT"
for o in bogus orphan_scan_delay_ms quorum_heartbeat_timeout_ms; do
	t_expect_dmesg "Unknown parameter '$o'"
	try "$o=10000" -o "metadev_path=$M,$o=10000" "$D" "$T_MNT"
done

t_expect_dmesg "mounted fsid"
t_expect_dmesg "unmounted"
echo "== /proc/mounts: defaults are not shown, nor a slot not given"
t_rc mount -t scoutfs -o "metadev_path=$M" "$D" "$T_MNT"
shown
t_rc t_umount
t_rc t_mount 0
shown
t_rc t_umount
t_rc t_mount 0 commit_interval_ms=300000,data_prealloc_blocks=16
shown
t_rc t_umount

# Writing 257 blocks 4 KiB at a time to a new file: extending writes from
# block 16 on allocate as many blocks again as the file has, at most
# data_prealloc_blocks, so the last write (block 256) allocates 256, 16
# or 1 blocks.  Counted while the writer holds the file open (closing
# frees them, but only to the next commit's free space).
echo "== data_prealloc_blocks: blocks allocated for 257 written"
for n in "" 16 1; do
	t_mount 0 "commit_interval_ms=300000${n:+,data_prealloc_blocks=$n}" || t_fail "mount"
	free0=$(stat -f -c %f "$T_MNT")
	exec 3> "$T_MNT/f"
	dd if=/dev/zero bs=4096 count=257 >&3 2> /dev/null
	free1=$(stat -f -c %f "$T_MNT")
	exec 3>&-
	echo "data_prealloc_blocks=${n:-default}: $((free0 - free1)) blocks allocated," \
		"st_blocks $(stat -c %b "$T_MNT/f")"
	rm "$T_MNT/f"
	t_umount || t_fail "umount"
done

echo "== commit_interval_ms: the timer commits a change"
for ms in 100 300000; do
	t_mount 0 "commit_interval_ms=$ms" || t_fail "mount"
	seq0=$(scoutfs statfs -s committed_seq -p "$T_MNT")
	touch "$T_MNT/c"
	sleep 2
	seq1=$(scoutfs statfs -s committed_seq -p "$T_MNT")
	echo "commit_interval_ms=$ms: committed within 2 s: $([ "$seq1" -gt "$seq0" ] && echo yes || echo no)"
	t_umount || t_fail "umount"
done
t_pass
