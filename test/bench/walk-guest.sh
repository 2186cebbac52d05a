# The issue 5 benchmark, one VM boot: discovering changed files with the
# change index (scoutfs walk-inodes) vs scanning (find -newer on ext4),
# at several namespace sizes.  Prints "N METRIC VALUE..." lines.
set -e
FSB=$T_ROOT/build/bench/fsbench
WB=$T_ROOT/build/bench/walkbench
DIRS=${BENCH_DIRS:-200}
APPENDS=${BENCH_APPENDS:-1000}
mkdir -p /mnt/scoutfs /mnt/ext4
. "$T_ROOT/test/bench/lib.sh"
warm_memory

up() { cut -d' ' -f1 /proc/uptime; }
cold() {
	umount /mnt/scoutfs /mnt/ext4
	echo 3 > /proc/sys/vm/drop_caches
	warm_memory
	mount -t scoutfs -o metadev_path=/dev/vm/meta,quorum_slot_nr=0 /dev/vm/data /mnt/scoutfs
	mount -t ext4 /dev/vm/ext4 /mnt/ext4
}

for N in ${BENCH_WALK_SIZES:-20000 200000}; do
	scoutfs mkfs -f -Q 0,127.0.0.1,12345 /dev/vm/meta /dev/vm/data > /dev/null
	MKE2FS_CONFIG=/host/etc/mke2fs.conf mkfs.ext4 -t ext4 -q -F /dev/vm/ext4
	mount -t scoutfs -o metadev_path=/dev/vm/meta,quorum_slot_nr=0 /dev/vm/data /mnt/scoutfs
	mount -t ext4 /dev/vm/ext4 /mnt/ext4
	"$FSB" create /mnt/scoutfs "$DIRS" "$N" > /dev/null
	"$FSB" create /mnt/ext4 "$DIRS" "$N" > /dev/null
	sync
	S=$(scoutfs statfs -s committed_seq -p /mnt/scoutfs)
	touch /mnt/ext4/marker
	sleep 1
	"$FSB" append /mnt/scoutfs "$DIRS" "$N" "$APPENDS" > /dev/null
	"$FSB" append /mnt/ext4 "$DIRS" "$N" "$APPENDS" > /dev/null
	sync

	cold
	echo "$N walk_raw_cold $("$WB" /mnt/scoutfs 0 $((S + 1)))"
	echo "$N walk_raw_warm $("$WB" /mnt/scoutfs 0 $((S + 1)))"
	# the CLI: node's own files warm (they come over 9p), scoutfs cold (remounted)
	scoutfs --help > /dev/null
	# what starting the CLI costs alone: --help loads the same modules
	a=$(up); scoutfs --help > /dev/null; b=$(up)
	echo "$N cli_start 0 $(awk "BEGIN { print $b - $a }")"
	umount /mnt/scoutfs
	mount -t scoutfs -o metadev_path=/dev/vm/meta,quorum_slot_nr=0 /dev/vm/data /mnt/scoutfs
	a=$(up); n=$(scoutfs walk-inodes meta_seq $((S + 1)) -1 /mnt/scoutfs | grep -vc major); b=$(up)
	echo "$N walk_cli_cold $n $(awk "BEGIN { print $b - $a }")"
	cold
	a=$(up); n=$(find /mnt/ext4 -newer /mnt/ext4/marker -type f | wc -l); b=$(up)
	echo "$N find_cold $n $(awk "BEGIN { print $b - $a }")"
	a=$(up); n=$(find /mnt/ext4 -newer /mnt/ext4/marker -type f | wc -l); b=$(up)
	echo "$N find_warm $n $(awk "BEGIN { print $b - $a }")"

	cold
	echo "$N full_raw_cold $("$WB" /mnt/scoutfs 0 0)"
	echo "$N full_raw_warm $("$WB" /mnt/scoutfs 0 0)"
	# raw ioctl vs library in one node process: as the guest's CLI runs
	# (node --jitless, quicker to start under TCG) and with V8's JIT on
	# (node-jit: the same binary without flags, as a long-running agent)
	# Cold samples: the probe runs this before each, JIT already warm.  An
	# unmount frees the volume's block and inode caches (blocks are read
	# into scoutfs's own cache, not the page cache); drop_caches would also
	# evict node's own code, read back in over 9p here, which the library,
	# running more of node's code than the raw loop, paid for (measured:
	# 0.4-1 us an entry, in cold samples only).
	export BENCH_WALK_REMOUNT="umount /mnt/scoutfs && mount -t scoutfs -o metadev_path=/dev/vm/meta,quorum_slot_nr=0 /dev/vm/data /mnt/scoutfs"
	node "$T_VM/tools/ioctl-probe.js" bench-walk /mnt/scoutfs | sed "s/^/$N probe /"
	node-jit "$T_VM/tools/ioctl-probe.js" bench-walk /mnt/scoutfs | sed "s/^/$N probe /"
	umount /mnt/scoutfs /mnt/ext4
done
