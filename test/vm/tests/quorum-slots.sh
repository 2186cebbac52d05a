# Quorum sizes that quorum-basic (1 and 3 slots) leaves out, each mount
# through its own device-mapper devices.  2 slots: one vote is enough
# (fewer than 3 slots can't lose one member and keep a majority), so the
# first member leads at once and the second joins as its client.
# 5 slots: 3 votes are needed: two members wait, a third makes the
# majority and one of the three leads; the last two members join while
# it runs; every mount reads what the other four wrote; the clients
# unmount, then the leader; check is clean after each volume.
t_expect_dmesg "mounted fsid"
t_expect_dmesg "unmounted"
t_expect_dmesg "joining as its client"
t_expect_dmesg "waiting for a leader to be elected (3 votes of 5 slots needed)"
t_allow_dmesg "waiting for a leader to be elected"

m() {
	t_cmnt "$1"
}

mounted() {
	grep -c " $T_MNT.c[0-9] " /proc/mounts
}

# the slot whose mount leads
leader() {
	for d in /sys/fs/scoutfs/*; do
		[ "$(cat "$d/is_leader")" = 1 ] && cat "$d/quorum_slot_nr"
	done
}

# a mount still waiting in the background is interrupted, not left behind
bgs=
cleanup() {
	for b in $bgs; do
		for p in /proc/[0-9]*; do
			[ "$(cut -d' ' -f4 "$p/stat" 2> /dev/null)" = "$b" ] &&
				kill -INT "${p#/proc/}"
		done
	done
	wait
	for n in 0 1 2 3 4; do
		grep -q " $(m "$n") " /proc/mounts && umount "$(m "$n")"
		t_dm_remove "c_meta_$n"
		t_dm_remove "c_data_$n"
	done
}
trap cleanup EXIT

# each of the mounts NRS... writes a file, and each reads them all
crossread() {
	for n in "$@"; do
		echo "written on $n" > "$(m "$n")/f$n"
	done
	for n in "$@"; do
		_seen=$(cat "$(m "$n")"/f* | tr '\n' ',')
		echo "mount $n reads: $_seen"
	done
}

echo "== 2 slots: the first member leads alone, the second joins"
t_mkfs -n 2 --force > /dev/null || t_fail "mkfs 2"
t_cmount 0 quorum_slot_nr=0 || t_fail "mount 0"
echo "leader: slot $(leader)"
t_cmount 1 quorum_slot_nr=1 || t_fail "mount 1"
echo "mounted: $(mounted), leader: slot $(leader)"
crossread 0 1
t_cumount 1 || t_fail "umount 1"
t_cumount 0 || t_fail "umount 0"
t_check

echo "== 5 slots: two members wait for a third"
t_mkfs -n 5 --force > /dev/null || t_fail "mkfs 5"
t_cmount 0 quorum_slot_nr=0 > "$T_TMP/s0.out" 2>&1 &
bgs="$!"
t_cmount 1 quorum_slot_nr=1 > "$T_TMP/s1.out" 2>&1 &
bgs="$bgs $!"
sleep 3
echo "after 3 s: $(mounted) mounted"
t_cmount 2 quorum_slot_nr=2 || t_fail "mount 2"
i=0
while [ "$(mounted)" -lt 3 ] && [ "$i" -lt 40 ]; do
	sleep 0.5
	i=$((i + 1))
done
echo "with a third member: $(mounted) mounted"
cat "$T_TMP/s0.out" "$T_TMP/s1.out"
L=$(leader)
case "$L" in
0 | 1 | 2) echo "one of the three leads" ;;
*) echo "leader: '$L'" ;;
esac

echo "== 5 slots: the last two members join while it leads"
t_cmount 3 quorum_slot_nr=3 || t_fail "mount 3"
t_cmount 4 quorum_slot_nr=4 || t_fail "mount 4"
echo "mounted: $(mounted), leaders: $(leader | wc -l)"
crossread 0 1 2 3 4

echo "== the clients unmount, then the leader"
for n in 0 1 2 3 4; do
	[ "$n" = "$L" ] || t_cumount "$n" || t_fail "umount $n"
done
t_cumount "$L" || t_fail "umount leader"
echo "mounted: $(mounted)"
t_check
t_pass
