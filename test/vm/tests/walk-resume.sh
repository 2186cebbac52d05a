# A cursor saved mid-walk resumes with no gap and no duplicate while
# files change: inodes returned before the cursor come again only if they
# changed, at their new seq; none appears at or below a seq already
# passed.  Changes are invisible until their transaction commits.
# --follow prints new commits as they happen and, on SIGINT, the
# position to resume from.
t_allow_dmesg "mounted fsid"
t_allow_dmesg "unmounted"
t_mkfs --force > /dev/null
t_mount 0 commit_interval_ms=300000 || t_fail "mount"
export SCOUTFS_MOUNT_PATH="$T_MNT"
cd "$T_MNT" || t_fail "cd"

# rows as "seq ino name" (names from the inode numbers of the files here)
named() {
	ls -i "$T_MNT" | awk '{ print $1, $2 }' > "$T_TMP/names"
	awk 'NR == FNR { n[$1] = $2; next }
	     $1 != "major" { print $1, $3, ($3 == 1 ? "/" : ($3 in n ? n[$3] : "?")) }' "$T_TMP/names" -
}

i=0
while [ $i -lt 20 ]; do
	: > "f$i"
	i=$((i + 1))
done
sync
echo "== all"
scoutfs walk-inodes meta_seq 0 -1 | named | tee "$T_TMP/all"
# stop after 10 entries: the cursor is just after the 10th
cursor=$(awk 'NR == 10 { print $1 ".0." $2 + 1 }' "$T_TMP/all")
echo "== saved cursor after 10 entries: $cursor"
touch f2 f15
: > new
echo "== unsynced changes are invisible"
scoutfs walk-inodes meta_seq "$cursor" -1 | named
echo "stat new: meta_seq above committed_seq: $([ "$(scoutfs stat -s meta_seq new)" -gt "$(scoutfs statfs -s committed_seq)" ] && echo yes)"
sync
echo "== resumed after sync"
scoutfs walk-inodes meta_seq "$cursor" -1 | named | tee "$T_TMP/rest"
echo "== check: first 10 + resumed = every inode, latest seq, no duplicate"
head -n 10 "$T_TMP/all" > "$T_TMP/seen"
cat "$T_TMP/rest" >> "$T_TMP/seen"
scoutfs walk-inodes meta_seq 0 -1 | named > "$T_TMP/now"
awk '{ last[$2] = $1 } END { for (i in last) print last[i], i }' "$T_TMP/seen" | sort -n -k1 -k2 > "$T_TMP/latest"
awk '{ print $1, $2 }' "$T_TMP/now" | sort -n -k1 -k2 | cmp -s - "$T_TMP/latest" && echo "latest seqs match a fresh walk"
echo "duplicates in resumed walk: $(awk '{ print $2 }' "$T_TMP/rest" | sort | uniq -d | wc -l)"
echo "resumed entries below the cursor: $(awk -v c="${cursor%%.*}" '$1 < c' "$T_TMP/rest" | wc -l)"

echo "== follow"
# the follow starts at a committed entry, so its first output shows it runs
: > before
sync
from=$(scoutfs statfs -s committed_seq)
scoutfs walk-inodes meta_seq "$from" -1 --follow --interval 0.2 > "$T_TMP/follow.out" 2> "$T_TMP/follow.err" &
pid=$!
wait_for() {
	n=0
	while ! grep -q "$1" "$2" 2> /dev/null; do
		n=$((n + 1))
		[ $n -gt 600 ] && t_fail "timed out waiting for '$1' in $2"
		sleep 0.2
	done
}
wait_for " $(stat -c %i before)\$" "$T_TMP/follow.out"
touch f7
: > after
sync
wait_for " $(stat -c %i after)\$" "$T_TMP/follow.out"
kill -INT $pid
wait $pid
echo "follow exit status $?"
named < "$T_TMP/follow.out"
echo "follow stderr: $(sed "s/FIRST [0-9]*\.0\.0/FIRST <seq>.0.0/" "$T_TMP/follow.err")"
resume=$(sed -n 's/.*resume with FIRST \([0-9.]*\)$/\1/p' "$T_TMP/follow.err")
echo "resume position is after the last commit: $([ "${resume%%.*}" -eq $(($(scoutfs statfs -s committed_seq) + 1)) ] && echo yes)"
echo "entries after it: $(scoutfs walk-inodes meta_seq "$resume" -1 --json | wc -l)"
cd / && t_umount
t_pass
