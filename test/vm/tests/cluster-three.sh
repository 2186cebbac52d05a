# Three mounts of a 3-slot volume, each through its own device-mapper
# devices (as three hosts would see it), slots 0..2 on 127.0.0.1: two
# members elect a leader, the others are clients of its server.  All
# three write at once:
#  - creators in their own directories and in one shared directory:
#    every mount lists every file;
#  - O_EXCL creates, mkdirs and renames of one name raced from all three
#    are decided once (the VFS's own lookup covers one mount only: a name
#    another mount added since is -ESTALE, and the VFS looks it up again);
#  - O_APPEND writers taking turns, then all at once: no line lost or
#    torn;
#  - the change index walked on any mount lists every inode once, the
#    same on all three, and a cursor saved before more writes on all
#    three misses none of them;
#  - clients unmount, then the leader; check is clean.
t_expect_dmesg "mounted fsid"
t_expect_dmesg "joining as its client"
t_allow_dmesg "waiting for a leader to be elected"
t_allow_dmesg "unmounted"
. "$T_VM/tests/posix-lib"

m() {
	t_cmnt "$1"
}

cleanup() {
	for n in 0 1 2; do
		grep -q " $(m "$n") " /proc/mounts && umount "$(m "$n")"
		t_dm_remove "c_meta_$n"
		t_dm_remove "c_data_$n"
	done
}
trap cleanup EXIT

leader_of() {
	for d in /sys/fs/scoutfs/*; do
		[ "$(cat "$d/is_leader")" = 1 ] && cat "$d/quorum_slot_nr"
	done
}

# the inode numbers mount $1's meta_seq index lists from seq $2
walk() {
	scoutfs walk-inodes meta_seq "${2:-0}" -1 --json "$(m "$1")" |
		sed 's/.*"ino":\([0-9]*\).*/\1/' | sort -n
}

py() {
	posix_py -c "$@"
}

t_mkfs -n 3 --force > /dev/null || t_fail "mkfs"
# the first two members elect one of them
t_cmount 0 quorum_slot_nr=0 & p0=$!
t_cmount 1 quorum_slot_nr=1 || t_fail "mount 1"
wait "$p0" || t_fail "mount 0"
t_cmount 2 quorum_slot_nr=2 || t_fail "mount 2"
echo "mounted: $(grep -c ' scoutfs ' /proc/mounts), leaders: $(leader_of | wc -l)"
L=$(leader_of)

echo "== creators in their own directories"
for n in 0 1 2; do
	(mkdir "$(m "$n")/own$n" && for i in $(seq 100); do echo "$n.$i" > "$(m "$n")/own$n/f$i"; done) &
done
wait
for n in 0 1 2; do
	echo "mount $n sees: $(ls "$(m "$n")/own0" | wc -l) $(ls "$(m "$n")/own1" | wc -l) $(ls "$(m "$n")/own2" | wc -l)"
done
cat "$(m 2)/own0/f77" "$(m 0)/own1/f77" "$(m 1)/own2/f77"

echo "== creators in one shared directory"
mkdir "$(m 0)/shared"
for n in 0 1 2; do
	(for i in $(seq 60); do echo "$n.$i" > "$(m "$n")/shared/n$n.$i"; done) &
done
wait
for n in 0 1 2; do
	echo "mount $n sees $(ls "$(m "$n")/shared" | wc -l) names"
done

echo "== one name raced from three mounts, ten times each"
race_excl() {
	py "
import os, sys
try:
    os.close(os.open(sys.argv[1], os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    print('won')
except FileExistsError:
    print('EEXIST')
" "$1"
}
race_mkdir() {
	mkdir "$1" 2> /dev/null && echo won || echo EEXIST
}
for what in excl mkdir; do
	once=0
	for r in $(seq 10); do
		for n in 0 1 2; do
			"race_$what" "$(m "$n")/shared/$what$r" > "$T_TMP/race.$n" &
		done
		wait
		[ "$(cat "$T_TMP"/race.* | sort | tr '\n' ' ')" = "EEXIST EEXIST won " ] &&
			[ "$(ls "$(m $((r % 3)))/shared" | grep -c "^$what$r\$")" = 1 ] &&
			once=$((once + 1))
	done
	echo "$what: decided once in $once of 10 races"
done
echo src > "$(m 1)/shared/src"
for n in 0 1 2; do
	(mv "$(m "$n")/shared/src" "$(m "$n")/shared/dst$n" 2> /dev/null && echo won || echo lost) > "$T_TMP/race.$n" &
done
wait
echo "rename: $(cat "$T_TMP"/race.* | sort | uniq -c | sed 's/^ *//' | tr '\n' ' ')"
for n in 0 1 2; do
	echo "mount $n: $(ls "$(m "$n")/shared" | grep -c '^dst') dst, $(ls "$(m "$n")/shared" | grep -c '^src$') src"
done

echo "== O_APPEND writers"
for i in $(seq 30); do
	echo "line $i from $((i % 3))" >> "$(m $((i % 3)))/shared/log"
done
for n in 0 1 2; do
	echo "mount $n: $(wc -l < "$(m "$n")/shared/log") lines, in order: $(awk '{ print $2 }' "$(m "$n")/shared/log" | sort -nc 2>&1 && echo yes)"
done
for n in 0 1 2; do
	(for i in $(seq 50); do echo "writer $n line $i" >> "$(m "$n")/shared/all"; done) &
done
wait
for n in 0 1 2; do
	echo "mount $n: $(wc -l < "$(m "$n")/shared/all") lines, $(grep -c '^writer [012] line [0-9]*$' "$(m "$n")/shared/all") whole, per writer $(for w in 0 1 2; do grep -c "^writer $w " "$(m "$n")/shared/all"; done | tr '\n' ' ')"
done

echo "== the change index"
# Every mount changes something first, so that the sync commits on all
# three: the stable seq stays below a mount's open transaction even when
# that is empty (an idle mount holds the walk back: known, see README).
for n in 0 1 2; do touch "$(m "$n")/own$n"; done
sync
for n in 0 1 2; do
	walk "$n" > "$T_TMP/walk.$n"
	echo "mount $n: $(wc -l < "$T_TMP/walk.$n") entries, $(sort -u "$T_TMP/walk.$n" | wc -l) inodes"
done
cmp -s "$T_TMP/walk.0" "$T_TMP/walk.1" && cmp -s "$T_TMP/walk.0" "$T_TMP/walk.2" && echo "the same on all three"
cursor=$(scoutfs walk-inodes meta_seq 0 -1 --json "$(m 0)" | sed -n '$s/.*"seq":\([0-9]*\).*/\1/p')
for n in 0 1 2; do
	(for i in $(seq 40); do echo new > "$(m "$n")/own$n/new$i"; done) &
done
wait
sync
walk 1 "$cursor" > "$T_TMP/after"
missing=0
for n in 0 1 2; do
	for i in $(seq 40); do
		grep -qx "$(stat -c %i "$(m "$n")/own$n/new$i")" "$T_TMP/after" || missing=$((missing + 1))
	done
done
echo "new files the walk from the saved cursor missed: $missing of 120"

echo "== an idle mount does not hold the change index back"
# after a sync of all three, only mount 0 writes and commits (syncfs),
# twice: its second commit's seq is newer than the others' empty open
# transactions, which the server must nudge on for the walk to reach it
sync
echo early > "$(m 0)/own0/early"
sync -f "$(m 0)/own0/early"
echo late > "$(m 0)/own0/late"
late=$(stat -c %i "$(m 0)/own0/late")
sync -f "$(m 0)/own0/late"
i=0
until walk 1 | grep -qx "$late" || [ "$i" -ge 20 ]; do
	sleep 0.5
	i=$((i + 1))
done
walk 1 | grep -qx "$late" && echo "mount 1 lists mount 0's new file" ||
	echo "mount 1 does not list mount 0's new file after 10 s"

echo "== clients unmount, then the leader"
for n in 0 1 2; do
	[ "$n" = "$L" ] || t_cumount "$n" || t_fail "umount $n"
done
t_cumount "$L" || t_fail "umount leader"
t_check counts
trap - EXIT
t_pass
