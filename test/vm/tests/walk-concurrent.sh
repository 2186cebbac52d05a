# Several processes changing the same files at once leave one entry per
# inode in each index, at its latest seq.
t_allow_dmesg "mounted fsid"
t_allow_dmesg "unmounted"
t_mkfs --force > /dev/null
t_mount 0 commit_interval_ms=300000 || t_fail "mount"
export SCOUTFS_MOUNT_PATH="$T_MNT"
mkdir "$T_MNT/d"
i=0
while [ $i -lt 20 ]; do : > "$T_MNT/d/f$i"; i=$((i + 1)); done
sync
worker() {
	r=0
	while [ $r -lt 15 ]; do
		i=0
		while [ $i -lt 20 ]; do
			echo "$1" >> "$T_MNT/d/f$i"
			touch "$T_MNT/d/f$i"
			i=$((i + 1))
		done
		[ $((r % 5)) -eq 0 ] && sync
		r=$((r + 1))
	done
}
for w in 1 2 3 4; do worker $w & done
wait
sync
for idx in meta_seq data_seq; do
	scoutfs walk-inodes $idx 0 -1 --json > "$T_TMP/$idx"
	echo "$idx: $(wc -l < "$T_TMP/$idx") entries, $(sed 's/.*"ino"://' "$T_TMP/$idx" | sort -u | wc -l) inodes"
done
# each file's entry is at its current meta_seq and data_seq
node "$T_VM/tools/ioctl-probe.js" seqs "$T_MNT"/d/f* > "$T_TMP/seqs"
bad=0
while read -r f ino meta data; do
	grep -q "\"seq\":$meta,\"ino\":$ino}" "$T_TMP/meta_seq" || { echo "$f: no meta_seq entry at $meta"; bad=1; }
	grep -q "\"seq\":$data,\"ino\":$ino}" "$T_TMP/data_seq" || { echo "$f: no data_seq entry at $data"; bad=1; }
done < "$T_TMP/seqs"
[ $bad -eq 0 ] && echo "every file is at its current seqs ($(wc -l < "$T_TMP/seqs") files)"
echo "lines written: $(cat "$T_MNT"/d/f* | wc -l)"
t_umount
t_pass
