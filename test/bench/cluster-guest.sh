# The issue 12 benchmark, one VM boot: creating files on one mount, on
# three mounts of one volume in their own directories and in one shared
# directory, and how long a stat on one mount of a file just written on
# another takes.  Each mount sees the disks through its own
# device-mapper devices, as three hosts would.  Prints "METRIC VALUE"
# lines.
set -e
N=${BENCH_CLUSTER_FILES:-3000}
SHARED=${BENCH_CLUSTER_SHARED:-1000}
. "$T_ROOT/test/bench/lib.sh"
warm_memory

py() {
	PYTHONHOME=/host/usr PYTHONDONTWRITEBYTECODE=1 \
		/host/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 \
		--library-path /host/lib/x86_64-linux-gnu:/host/usr/lib/x86_64-linux-gnu \
		/host/usr/bin/python3 "$@"
}
up() { cut -d' ' -f1 /proc/uptime; }
m() { echo "/mnt/c$1"; }
cmount() {
	for d in meta data; do
		DM_DISABLE_UDEV=1 dmsetup create "c_${d}_$1" --noudevsync \
			--table "0 $(blockdev --getsz /dev/vm/$d) linear /dev/vm/$d 0"
	done
	mkdir -p "$(m "$1")"
	mount -t scoutfs -o "metadev_path=/dev/mapper/c_meta_$1${2:+,$2}" "/dev/mapper/c_data_$1" "$(m "$1")"
}
# create DIR PREFIX COUNT: empty files, one open and close each; prints
# the monotonic clock before and after (the interpreter's start-up, a
# large part of a short run under TCG, stays out of the figures)
create() {
	py -c "
import os, sys, time
d, p, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
t = time.monotonic()
for i in range(n):
    os.close(os.open('%s/%s%d' % (d, p, i), os.O_CREAT | os.O_WRONLY))
print(t, time.monotonic())
" "$@"
}
# span FILE...: from the first start to the last end the creators printed
span() {
	cat "$@" | awk 'NR == 1 || $1 < a { a = $1 } NR == 1 || $2 > b { b = $2 } END { print a, b }'
}
# elapsed START_END SYNC_SECONDS: the creates' span plus the sync after
elapsed() {
	echo "$1" | awk -v s="$2" '{ print $2 - $1 + s }'
}
# timed_sync: seconds a sync takes
timed_sync() {
	_a=$(up)
	sync
	_b=$(up)
	awk "BEGIN { print $_b - $_a }"
}
counter() {
	SCOUTFS_MOUNT_PATH=$1 scoutfs counters -s "$2"
}

scoutfs mkfs -f -Q 0,127.0.0.1,12345 /dev/vm/meta /dev/vm/data > /dev/null
cmount 0 quorum_slot_nr=0
mkdir "$(m 0)/solo"
create "$(m 0)/solo" f "$N" > /tmp/c.solo
echo "one_mount_creates $N $(elapsed "$(span /tmp/c.solo)" "$(timed_sync)")"

cmount 1
cmount 2
for n in 0 1 2; do mkdir "$(m "$n")/own$n"; done
r0=$(counter "$(m 1)" lock_requests)
for n in 0 1 2; do create "$(m "$n")/own$n" f "$N" > "/tmp/c.own$n" & done
wait
e=$(elapsed "$(span /tmp/c.own0 /tmp/c.own1 /tmp/c.own2)" "$(timed_sync)")
r1=$(counter "$(m 1)" lock_requests)
echo "three_mounts_own_dirs_creates $((3 * N)) $e"
echo "client_lock_requests_per_create $(awk "BEGIN { print ($r1 - $r0) / $N }")"

# invalidations: how many times the directory's lock changed hands
invs() {
	echo $(($(counter "$(m 0)" lock_invalidations) + $(counter "$(m 1)" lock_invalidations) +
		$(counter "$(m 2)" lock_invalidations)))
}
mkdir "$(m 0)/shared"
sync
i0=$(invs)
for n in 0 1 2; do create "$(m "$n")/shared" "n$n." "$SHARED" > "/tmp/c.sh$n" & done
wait
s=$(timed_sync)
e=$(elapsed "$(span /tmp/c.sh0 /tmp/c.sh1 /tmp/c.sh2)" "$s")
echo "three_mounts_shared_dir_creates $((3 * SHARED)) $e"
echo "three_mounts_shared_dir_sync_s $s"
echo "three_mounts_shared_dir_invalidations $(($(invs) - i0))"

py -c "
import os, sys, time
a, b = sys.argv[1], sys.argv[2]
lat = []
for i in range(40):
    with open('%s/lat%d' % (a, i), 'w') as f:
        f.write('x')
    t = time.monotonic()
    os.stat('%s/lat%d' % (b, i))
    lat.append((time.monotonic() - t) * 1000)
lat.sort()
print('stat_after_remote_write_ms %.2f %.2f' % (lat[len(lat) // 2], lat[int(len(lat) * 0.99)]))
" "$(m 0)/shared" "$(m 1)/shared"

for n in 2 1 0; do
	umount "$(m "$n")"
	DM_DISABLE_UDEV=1 dmsetup remove --noudevsync "c_meta_$n" "c_data_$n"
done
