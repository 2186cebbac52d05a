# Files written and synced survive a power cut (sysrq-b) name for name and
# byte for byte, and the volume is consistent before and after it is
# mounted again.  Runs over two boots (t_crash).
t_expect_dmesg "mounted fsid"
t_allow_dmesg "unmounted"


if [ "${T_CRASHES:-0}" -eq 0 ]; then
	t_mkfs --force > /dev/null
	t_mount
	cd "$T_MNT" || t_fail "no mount"
	mkdir -p tree/x/y tree/z
	i=1
	while [ $i -le 40 ]; do seq 1 $((i * 500)) > tree/x/n$i; i=$((i + 1)); done
	yes scoutfs | head -c 8388608 > tree/big
	dd if=/dev/zero of=tree/sparse bs=4k count=1 seek=5000 2> /dev/null
	echo 1 > tree/x/y/one
	ln tree/x/n1 tree/z/link
	ln -s x/n2 tree/sym
	# what must survive, kept on the volume itself
	find tree | sort > names
	find tree -type f | sort | xargs md5sum > sums
	echo "$(wc -l < names) names, $(wc -l < sums) files written"
	sync
	echo "synced, crashing"
	t_crash
fi

echo "== after the crash, before mounting"
t_check counts
t_mount
cd "$T_MNT" || t_fail "no mount"
find tree | sort | diff names - && echo "all $(wc -l < names) names are there"
md5sum -c sums > "$T_TMP/sums.out" 2>&1
echo "md5sum -c rc=$?: $(grep -c ': OK$' "$T_TMP/sums.out") files OK"
echo "tree/sym -> $(readlink tree/sym), tree/x/n1 has $(stat -c %h tree/x/n1) links"
cd /
t_umount
echo "== after mounting again"
t_check counts
t_pass
