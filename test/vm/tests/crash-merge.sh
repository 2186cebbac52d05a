# A power cut while removals are being committed, each commit merging
# the leaves it leaves underfull (the commit timer at 100 ms, so the
# crash lands between and during commits): the volume is consistent,
# the index holds one entry per inode, and it keeps working.  Two boots.
. "$T_VM/tests/posix-lib"
t_expect_dmesg "mounted fsid"
t_allow_dmesg "unmounted"
export SCOUTFS_MOUNT_PATH="$T_MNT"

# t_check prints the problems and the verdict only: what the unsynced
# removals left varies from run to run

if [ "${T_CRASHES:-0}" -eq 0 ]; then
	t_mkfs --force > /dev/null
	t_mount 0 commit_interval_ms=100
	cd "$T_MNT" || t_fail "no mount"
	mkdir d keep
	posix_tool many d 20000 create
	seq 1 100000 > keep/numbers
	md5sum keep/numbers > keep.sum
	sync
	echo "synced"
	# crash part way through the removals
	posix_tool many d 20000 thin 20 > /dev/null &
	sleep 2
	echo "thinning, crashing"
	t_crash
fi

echo "== after the crash, before mounting"
t_check
t_mount
cd "$T_MNT" || t_fail "no mount"
md5sum -c keep.sum
# the mount deleted any inode a removal had orphaned when the power went
# (the file's name already gone); walks show that once it commits
sync
n=$(($(ls d | wc -l) + 5))
m=$(scoutfs walk-inodes meta_seq 0 -1 --json | wc -l)
if [ "$m" -eq "$n" ]; then
	echo "meta_seq has one entry per inode"
else
	echo "meta_seq has $m entries for $n inodes"
fi
echo "== the volume keeps working"
rm -rf d
mkdir again
seq 1 10000 > again/numbers
cd /
t_umount
t_check
t_pass
