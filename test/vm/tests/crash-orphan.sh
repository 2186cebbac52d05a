# A file unlinked while open, synced, then a power cut: the volume is
# consistent with the orphan (nlink 0 and its ORPHAN item) before it is
# mounted; mounting deletes the orphan and frees its blocks.  Two boots.
t_expect_dmesg "mounted fsid"
t_allow_dmesg "unmounted"

orphans() {
	echo "$(scoutfs print --merged "$T_META" | sed -n '/^merged items:/,$p' | grep -c ': orphan ino') orphan items"
}

if [ "${T_CRASHES:-0}" -eq 0 ]; then
	t_mkfs --force > /dev/null
	t_mount
	echo kept > "$T_MNT/kept"
	yes orphan | head -c 1048576 > "$T_MNT/gone"
	exec 3< "$T_MNT/gone"
	rm "$T_MNT/gone"
	sync
	echo "unlinked while open, synced, crashing"
	t_crash
fi

echo "== after the crash, before mounting"
orphans
t_check counts
t_mount
cat "$T_MNT/kept"
ls "$T_MNT"
t_umount
echo "== after mounting again"
orphans
t_check counts
t_pass
