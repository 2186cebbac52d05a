# Guest side of `make demo` (busybox sh): the README's quick start, one
# printed step at a time.  The bench did not insert the module: that is a
# step here.
#
# Exit status: 0 when every step ran, or when the demo stops at the first
# step whose feature is not implemented yet (a CLI command missing from
# `scoutfs --help`, or EOPNOTSUPP/ENOSYS/"not implemented" from the command
# or in the kernel log); 1 when a step fails any other way.

. /etc/vmlib.sh
# Kernel messages are shown under the step that caused them, not on the
# console as well.
echo 1 > /proc/sys/kernel/printk

META=/dev/vm/meta
DATA=/dev/vm/data
MNT=/mnt/scoutfs
step=0
what=

stop_unimplemented() {
	echo
	echo "demo: stopped at step $step ($what): not implemented yet: $*"
	echo "demo: every step before it worked."
	exit 0
}

failed() {
	echo
	echo "demo: FAILED at step $step ($what): $*"
	exit 1
}

# step CMD...: print, run, show output; judge a failure.
step() {
	step=$((step + 1))
	what="$*"
	echo "==> [$step] $*"
	vm_dmesg_drain > /dev/null
	"$@" > /tmp/step.out 2>&1
	rc=$?
	cat /tmp/step.out
	vm_dmesg_drain > /tmp/step.dmesg
	sed 's/^/    dmesg: /' /tmp/step.dmesg
	[ "$rc" -eq 0 ] && return 0
	why=$(cat /tmp/step.out /tmp/step.dmesg |
		grep -i -E 'not implemented|not supported' | head -1)
	[ -n "$why" ] && stop_unimplemented "$why"
	failed "exit status $rc"
}

# need_command NAME: stop here if the CLI does not offer NAME yet.
need_command() {
	if ! scoutfs --help 2>&1 | grep -q "^  scoutfs $1 "; then
		step=$((step + 1))
		what="scoutfs $1"
		stop_unimplemented "the scoutfs CLI has no '$1' command"
	fi
}

walk() {
	need_command walk-inodes
	step scoutfs walk-inodes meta_seq 0 -1 "$MNT"
}

need_command mkfs
step scoutfs mkfs -Q 0,127.0.0.1,12345 "$META" "$DATA"
step insmod "$T_KO"
step mount -t scoutfs -o "metadev_path=$META,quorum_slot_nr=0" "$DATA" "$MNT"
walk
step touch "$MNT/one"
step sync
walk
step touch "$MNT/two"
step sync
walk
step touch "$MNT/one"
step sync
walk
step umount "$MNT"
echo
echo "demo: complete, all $step steps worked."
