# The issue 4 benchmark, run in one VM boot: the same workloads on scoutfs
# and on ext4 over identical virtio disks.  Prints "FS PHASE SECONDS" lines.
set -e
FSB=$T_ROOT/build/bench/fsbench
N=${BENCH_FILES:-200000}
DIRS=${BENCH_DIRS:-200}
APPENDS=${BENCH_APPENDS:-1000}
MIB=${BENCH_MIB:-1024}

. "$T_ROOT/test/bench/lib.sh"
warm_memory

scoutfs mkfs -Q 0,127.0.0.1,12345 /dev/vm/meta /dev/vm/data > /dev/null
# the host's mke2fs.conf and -t ext4 give the usual ext4 (journal, extents...): the guest's
# mkfs.ext4 runs the host's mke2fs by its real name, which alone would make ext2
MKE2FS_CONFIG=/host/etc/mke2fs.conf mkfs.ext4 -t ext4 -q -F /dev/vm/ext4
mkdir -p /mnt/scoutfs /mnt/ext4

mount_fs() {
	case $1 in
	scoutfs) mount -t scoutfs -o metadev_path=/dev/vm/meta,quorum_slot_nr=0 /dev/vm/data /mnt/scoutfs ;;
	ext4) mount -t ext4 /dev/vm/ext4 /mnt/ext4 ;;
	esac
}

# cold caches: unmount, drop everything, mount again
cold() {
	umount "/mnt/$1"
	echo 3 > /proc/sys/vm/drop_caches
	warm_memory
	mount_fs "$1"
}

phase() {
	fs=$1
	shift
	out=$("$FSB" "$@")
	printf '%s\n' "$out" | sed "s/^/$fs /"
}

# the mount's lock requests: each is a round trip to the server
lock_requests() {
	cat /sys/fs/scoutfs/*/counters/lock_requests
}

for fs in scoutfs ext4; do
	mount_fs $fs
	m=/mnt/$fs
	[ $fs = scoutfs ] && lr=$(lock_requests)
	phase $fs create $m $DIRS $N
	[ $fs = scoutfs ] && echo "scoutfs lockreqs_per_create $(awk -v a="$lr" -v b="$(lock_requests)" -v n="$N" 'BEGIN { printf "%.4f", (b - a) / n }')"
	phase $fs syncfs $m
	cold $fs
	phase $fs stat $m $DIRS $N
	cold $fs
	phase $fs append $m $DIRS $N $APPENDS
	phase $fs unlink $m $DIRS $N
	phase $fs syncfs $m
	phase $fs write $m/big $MIB
	cold $fs
	phase $fs read $m/big
	umount $m
done
