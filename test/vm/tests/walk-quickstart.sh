# The quick start: after each commit every inode is listed once, at the
# seq of the transaction that last changed it, in (seq, ino) order.
# A long commit interval keeps the seqs those of the syncs alone.
t_allow_dmesg "mounted fsid"
t_allow_dmesg "unmounted"
t_mkfs --force > /dev/null
t_mount 0 commit_interval_ms=300000 || t_fail "mount"
cd "$T_MNT" || t_fail "cd"

walk() {
	echo "== walk-inodes $1"
	scoutfs walk-inodes "$1" 0 -1 "$T_MNT"
}

walk meta_seq
touch one; sync; walk meta_seq
touch two; sync; walk meta_seq
touch one; sync; walk meta_seq
walk data_seq
echo "== inodes"
ls -i | awk '{ print $2, $1 }' | sort
echo "== json"
scoutfs walk-inodes meta_seq 0 -1 --json
cd / && t_umount
t_pass
