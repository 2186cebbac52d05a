# A power cut in the middle of unsynced changes (creates, removes,
# renames, a streaming write, with the commit timer at 100 ms so the crash
# lands between and during commits): the volume is consistent, mounts,
# the files synced before are intact, and it keeps working.  Two boots.
t_expect_dmesg "mounted fsid"
t_allow_dmesg "unmounted"

# t_check prints the problems and the verdict only: what the unsynced
# changes left varies from run to run

if [ "${T_CRASHES:-0}" -eq 0 ]; then
	t_mkfs --force > /dev/null
	t_mount 0 commit_interval_ms=100
	cd "$T_MNT" || t_fail "no mount"
	mkdir keep moving new
	i=1
	while [ $i -le 30 ]; do
		seq 1 $((i * 700)) > keep/k$i
		seq 1 $((i * 70)) > moving/m$i
		i=$((i + 1))
	done
	(cd keep && md5sum k* > ../keep.sums)
	sync
	echo "synced"
	dd if=/dev/zero of=new/stream bs=64k count=20000 2> /dev/null &
	i=1
	while [ $i -le 300 ]; do
		seq 1 $((i * 50)) > new/f$i
		[ $((i % 3)) -eq 0 ] && [ $(((i - 1) % 50)) -ne 0 ] && rm new/f$((i - 1))
		[ $i -le 30 ] && mv moving/m$i new/
		[ $((i % 50)) -eq 0 ] && mkdir new/d$i && mv new/f$i new/d$i/
		i=$((i + 1))
	done
	rm -rf moving
	echo "changed, crashing"
	t_crash
fi

echo "== after the crash, before mounting"
t_check
t_mount
cd "$T_MNT" || t_fail "no mount"
(cd keep && md5sum -c ../keep.sums > "$T_TMP/sums.out" 2>&1)
echo "md5sum -c rc=$?: $(grep -c ': OK$' "$T_TMP/sums.out") synced files OK"
echo "== the volume keeps working"
rm -rf new
mkdir again
seq 1 10000 > again/numbers
cd /
t_umount
t_check
t_pass
