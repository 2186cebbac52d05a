# Quorum and leader election (kmod/src/quorum.c).  A 1-slot volume
# elects its only member at once, and each mount's term is above the
# last (the quorum block's events, shown by scoutfs print after
# unmount).  On a 3-slot volume a member alone waits (2 votes of 3 are
# needed); a second member gives the vote: exactly one of them leads,
# the other is told the leader and mounts as a client of its server; a
# mount claiming a slot in use is refused, a third member and a mount
# without a slot join as clients while the leader runs; malformed
# datagrams are dropped and counted; the leader's unmount (after its
# client's) records STOP; with no member mounted, a mount without a slot
# is refused.  Which of two members wins varies, so the
# output says what is true of either.
t_expect_dmesg "mounted fsid"
t_expect_dmesg "unmounted"

# slot N's line of scoutfs print (the module writes past the page cache)
qline() {
	blockdev --flushbufs "$T_META"
	scoutfs print "$T_META" | grep "^  slot $1: write_nr"
}

# qterm SLOT EVENT: the term of EVENT in SLOT's quorum block (0 if none)
qterm() {
	_t=$(qline "$1" | sed -n "s/.* $2(term=\([0-9]*\) .*/\1/p")
	echo "${_t:-0}"
}

# now_ms: milliseconds since boot
now_ms() {
	sed 's/^\([0-9]*\)\.\([0-9][0-9]\).*/\1\20/' /proc/uptime
}

# try NAME NR META DATA: mount as member NR (or "-" for no slot) on META
# and DATA at /mnt/try, printing mount's complaint and whether it mounted
try() {
	echo "== $1"
	_o="metadev_path=$3"
	[ "$2" = - ] || _o="$_o,quorum_slot_nr=$2"
	mkdir -p /mnt/try
	mount -t scoutfs -o "$_o" "$4" /mnt/try 2>&1 | sed 's/^mount: //; s|on /mnt/try ||; s|/dev/mapper/q_data_9 ||'
	if grep -q ' /mnt/try ' /proc/mounts; then
		echo "mounted"
		umount /mnt/try
	fi
}

echo "== 1 slot: the member elects itself at once"
t_mkfs --force > /dev/null || t_fail "mkfs"
qline 0
t0=$(now_ms)
t_mount 0 || t_fail "mount"
t1=$(now_ms)
echo "mounted within 2 s: $([ $((t1 - t0)) -lt 2000 ] && echo yes || echo "no ($((t1 - t0)) ms)")"
echo hello > "$T_MNT/f"
t_umount || t_fail "umount"
qline 0
e1=$(qterm 0 ELECT)
t_mount 0 || t_fail "mount again"
cat "$T_MNT/f"
t_umount || t_fail "umount again"
qline 0
e2=$(qterm 0 ELECT)
echo "second term above the first: $([ "$e2" -gt "$e1" ] && echo yes || echo "no ($e1, $e2)")"
echo "second STOP is its ELECT: $([ "$(qterm 0 STOP)" -eq "$e2" ] && echo yes || echo no)"

# Several members at once: each on its own device-mapper copies of both
# disks (a mount of the disks themselves would claim them exclusively).
qdevs() {
	t_dm_linear "q_meta_$1" "$T_META" && t_dm_linear "q_data_$1" "$T_DATA"
}
qmount() {
	mkdir -p "/mnt/q.$1"
	mount -t scoutfs -o "metadev_path=/dev/mapper/q_meta_$1,quorum_slot_nr=$1" \
		"/dev/mapper/q_data_$1" "/mnt/q.$1" 2>&1 | sed 's/^mount: //; s|on /mnt/q.[0-9] ||; s|/dev/mapper/q_data_[0-9] ||'
}
# interrupt the mount of the background subshell, if it still waits
stop_bg() {
	[ -n "$bg" ] || return 0
	for p in /proc/[0-9]*; do
		[ "$(cut -d' ' -f4 "$p/stat" 2> /dev/null)" = "$bg" ] && kill -INT "${p#/proc/}"
	done
	wait "$bg"
	bg=
}
# a waiting mount left behind must not block the scenarios after this one
cleanup() {
	stop_bg
	for m in /mnt/q.0 /mnt/q.1 /mnt/try; do
		grep -q " $m " /proc/mounts && umount "$m"
	done
	for n in 0 1 9; do
		t_dm_remove "q_meta_$n"
		t_dm_remove "q_data_$n"
	done
}
trap cleanup EXIT

echo "== 3 slots: a member alone waits for a vote"
t_mkfs -n 3 --force > /dev/null || t_fail "mkfs 3"
for n in 0 1 9; do
	qdevs "$n" || t_fail "dm $n"
done
t_expect_dmesg "waiting for a leader to be elected (2 votes of 3 slots needed)"
t_expect_dmesg "leads the cluster in term"
(qmount 0 > "$T_TMP/m0.out"; grep -c ' /mnt/q.0 ' /proc/mounts > "$T_TMP/m0.rc") &
bg=$!
sleep 3
echo "mount 0 after 3 s: $(grep -c ' /mnt/q.0 ' /proc/mounts) mounted, $([ -e "$T_TMP/m0.rc" ] && echo done || echo waiting)"
qmount 1 > "$T_TMP/m1.out"
i=0
while [ ! -e "$T_TMP/m0.rc" ] && [ "$i" -lt 40 ]; do
	usleep 500000
	i=$((i + 1))
done
[ -e "$T_TMP/m0.rc" ] || echo "mount 0 still waited 20 s after mount 1: interrupted"
stop_bg
if grep -q ' /mnt/q.0 ' /proc/mounts; then W=0 L=1; else W=1 L=0; fi
echo "mounted: $(grep -c ' scoutfs ' /proc/mounts)"
echo "the leader's mount said: $(cat "$T_TMP/m$W.out")"
echo "the other's mount said: $(cat "$T_TMP/m$L.out")"
dmesg | grep -q "quorum slot $L: slot $W leads the cluster in term $(qterm "$W" ELECT);" &&
	echo "the other was told the leader's slot and term"
echo "leader's block: ELECT above STOP: $([ "$(qterm "$W" ELECT)" -gt "$(qterm "$W" STOP)" ] && echo yes || echo no)"

t_expect_dmesg "is already in use: another mount uses the slot"
try "the leader's slot again" "$W" /dev/mapper/q_meta_9 /dev/mapper/q_data_9
t_expect_dmesg "a client of the server in quorum slot"
try "no slot while a leader runs" - /dev/mapper/q_meta_9 /dev/mapper/q_data_9
try "the third member while a leader runs" 2 /dev/mapper/q_meta_9 /dev/mapper/q_data_9
dmesg | grep -q "quorum slot 2: slot $W leads the cluster in term" &&
	echo "the third was told the leader's slot and term"

echo "== malformed datagrams are dropped"
t_expect_dmesg "dropped a datagram from 127.0.0.1"
node -e '
const s = require("dgram").createSocket("udp4");
const port = Number(process.argv[1]);
const zero = Buffer.alloc(32);
s.send(Buffer.from("hello"), port, "127.0.0.1", () =>
  s.send(zero, port, "127.0.0.1", () => s.close()));
' $((T_QUORUM_PORT + W))
sleep 1
dmesg | grep "dropped a datagram" |
	sed "s/^\[[ 0-9.]*\] //; s/scoutfs ([^)]*)/scoutfs (DEV)/; s/slot $W:/slot W:/; s/127.0.0.1:[0-9]*/127.0.0.1:PORT/"
echo "the leader still leads: $(grep -c " /mnt/q.$W " /proc/mounts)"

echo "== the client, then the leader unmount"
umount "/mnt/q.$L"
echo "client umount rc=$?"
umount "/mnt/q.$W"
echo "umount rc=$?"
echo "leader's block: STOP is its ELECT: $([ "$(qterm "$W" STOP)" -eq "$(qterm "$W" ELECT)" ] && echo yes || echo no)"
t_expect_dmesg "no quorum member is mounted"
try "no slot, no member mounted" - /dev/mapper/q_meta_9 /dev/mapper/q_data_9
echo "mounted: $(grep -c ' scoutfs ' /proc/mounts)"
t_pass
