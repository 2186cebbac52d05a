# mkdir lots; 500 files in it; sync: the meta_seq index holds exactly
# 502 entries (root, lots, the files), each inode once, also after a
# remount; data_seq holds the 500 files; once they are removed and that
# commits, 2 entries are left.
t_allow_dmesg "mounted fsid"
t_allow_dmesg "unmounted"
t_mkfs --force > /dev/null
t_mount 0 commit_interval_ms=300000 || t_fail "mount"
export SCOUTFS_MOUNT_PATH="$T_MNT"

counts() {
	scoutfs walk-inodes meta_seq 0 -1 --json > "$T_TMP/meta"
	scoutfs walk-inodes data_seq 0 -1 --json > "$T_TMP/data"
	echo "$1: meta_seq $(wc -l < "$T_TMP/meta") entries," \
		"$(sed 's/.*"ino"://' "$T_TMP/meta" | sort -u | wc -l) inodes;" \
		"data_seq $(wc -l < "$T_TMP/data") entries"
}

mkdir "$T_MNT/lots"
i=0
while [ $i -lt 500 ]; do
	: > "$T_MNT/lots/f$i"
	i=$((i + 1))
done
counts "before sync"
sync
counts "after sync"
cp "$T_TMP/meta" "$T_TMP/meta.before"
echo "seqs: $(sed 's/.*"seq":\([0-9]*\).*/\1/' "$T_TMP/meta" | sort -n | uniq -c | awk '{ printf "%s at %s; ", $1, $2 }')"
t_remount 0 commit_interval_ms=300000 || t_fail "remount"
counts "after remount"
cmp -s "$T_TMP/meta" "$T_TMP/meta.before" && echo "same entries after remount"
rm "$T_MNT"/lots/f*
counts "after rm, before sync"
sync
counts "after rm and sync"
scoutfs walk-inodes meta_seq 0 -1
t_umount
t_pass
