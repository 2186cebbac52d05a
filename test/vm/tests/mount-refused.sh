# Every bad option and bad volume fails the mount with its own message and
# an errno, and leaves the volume as it was.
t_mkfs --force > /dev/null
M=$T_META
D=$T_DATA
CORRUPT="node $T_VM/tools/corrupt.js"
super_sum() { dd if="$1" bs=4096 skip=16 count=1 2>/dev/null | md5sum | cut -c1-32; }
save() { dd if="$M" of="$T_TMP/meta.super" bs=4096 skip=16 count=1 2>/dev/null; dd if="$D" of="$T_TMP/data.super" bs=4096 skip=16 count=1 2>/dev/null; }
restore() { dd if="$T_TMP/meta.super" of="$M" bs=4096 seek=16 count=1 conv=notrunc 2>/dev/null; dd if="$T_TMP/data.super" of="$D" bs=4096 seek=16 count=1 conv=notrunc 2>/dev/null; }
try() {
	echo "== $1"
	shift
	mount -t scoutfs "$@" 2>&1 | sed 's/^mount: //'
	grep -c ' scoutfs ' /proc/mounts
}
save
before_m=$(super_sum "$M")
before_d=$(super_sum "$D")

t_expect_dmesg "the metadev_path= mount option is required"
try "no metadev_path" "$D" "$T_MNT"
t_expect_dmesg "Unknown parameter 'bogus'"
try "unknown option" -o "metadev_path=$M,bogus=1" "$D" "$T_MNT"
t_expect_dmesg "option commit_interval_ms=5 is outside 100..300000"
try "option out of range" -o "metadev_path=$M,commit_interval_ms=5" "$D" "$T_MNT"
t_expect_dmesg "Bad value for 'quorum_slot_nr'"
try "malformed option" -o "metadev_path=$M,quorum_slot_nr=abc" "$D" "$T_MNT"
t_expect_dmesg "quorum_slot_nr=3 is not a quorum slot of this volume"
try "unconfigured quorum slot" -o "metadev_path=$M,quorum_slot_nr=3" "$D" "$T_MNT"
t_expect_dmesg "no quorum member is mounted"
try "no quorum slot, no member mounted" -o "metadev_path=$M" "$D" "$T_MNT"
t_expect_dmesg "is a scoutfs data device: are metadev_path and the mount source swapped?"
try "swapped devices" -o "metadev_path=$D" "$M" "$T_MNT"
t_expect_dmesg "cannot open metadata device"
try "same device twice" -o "metadev_path=$D" "$D" "$T_MNT"

t_expect_dmesg "super block checksum mismatch"
$CORRUPT flip "$M" 65736
try "bad super block checksum" -o "metadev_path=$M" "$D" "$T_MNT"
restore
t_expect_dmesg "has no scoutfs super block"
$CORRUPT flip "$M" 65540
try "wrong magic" -o "metadev_path=$M" "$D" "$T_MNT"
restore
t_expect_dmesg "format hash mismatch: the volume has 0000000000001234, this module was built for"
$CORRUPT super "$M" format_hash 0x1234
try "format hash mismatch" -o "metadev_path=$M" "$D" "$T_MNT"
restore
t_expect_dmesg "belongs to another filesystem"
$CORRUPT super "$D" hdr.fsid 42
try "devices of different volumes" -o "metadev_path=$M" "$D" "$T_MNT"
restore
t_expect_dmesg "the metadata device holds"
$CORRUPT super "$M" total_meta_blocks 99999999999
try "super larger than the device" -o "metadev_path=$M" "$D" "$T_MNT"
restore
t_expect_dmesg "metadata block 2 (ref seq 1, magic e597f96d): bad checksum"
t_expect_dmesg "cannot read the root directory: error -5"
$CORRUPT meta-block "$M" 2 300
try "corrupt btree block" -o "metadev_path=$M,quorum_slot_nr=0" "$D" "$T_MNT"
$CORRUPT meta-block "$M" 2 300

[ "$(super_sum "$M")" = "$before_m" ] && echo "metadata super unchanged"
[ "$(super_sum "$D")" = "$before_d" ] && echo "data super unchanged"
t_expect_dmesg "mounted fsid"
t_expect_dmesg "unmounted"
echo "== the volume still mounts"
t_rc t_mount
t_rc t_umount
t_pass
