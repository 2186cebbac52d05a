# Populate a small volume with every item kind, then crash with a file open
# and unlinked so an ORPHAN item is on disk (see test/vm/tests/crash-orphan.sh).
# Runs in the fuzzer's first boot (busybox sh); the host keeps the disks as the
# base image every case is made from.
set -e
. "$T_VM/funcs.sh"
py() {
	PYTHONHOME=/host/usr PYTHONDONTWRITEBYTECODE=1 \
		/host/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 \
		--library-path /host/lib/x86_64-linux-gnu:/host/usr/lib/x86_64-linux-gnu \
		/host/usr/bin/python3 "$@"
}
# mkfs ran on the host
t_mount 0 commit_interval_ms=300000
cd "$T_MNT"
mkdir -p d1/d2/d3 empty
echo small > small
yes data | head -c 300000 > big
ln big d1/big-link
ln big d1/d2/big-link2
# data and holes: blocks at 0, 1 MiB and 5 MiB of a 10 MiB file
dd if=/dev/urandom of=holes bs=4k count=1 2>/dev/null
dd if=/dev/urandom of=holes bs=4k count=2 seek=256 conv=notrunc 2>/dev/null
dd if=/dev/urandom of=holes bs=4k count=1 seek=1280 conv=notrunc 2>/dev/null
truncate -s 10485760 holes
fallocate -l 65536 prealloc
echo tail > d1/d2/d3/deep
ln -s small short-link
ln -s "$(head -c 2000 /dev/zero | tr '\0' x)" long-link
ln -s "$(head -c 4000 /dev/zero | tr '\0' y)" d1/longer-link
mkfifo fifo
mknod null c 1 3
py - <<'PY'
import os
os.setxattr("small", "user.small", b"v" * 10)
os.setxattr("small", "user.two", b"w" * 100)
os.setxattr("big", "user.big", os.urandom(65536))
os.setxattr("d1", "user.dir", b"d" * 2000)
os.setxattr("fifo", "trusted.t", b"t")
os.symlink("small", "xlink")
os.setxattr("xlink", "trusted.onlink", b"l" * 5, follow_symlinks=False)
PY
for i in $(seq 1 40); do echo "$i" > "d1/f$i"; done
# enough items for a btree of two levels with many leaves (one leaf held
# them all before): a mutated leaf or parent past the ones the mount
# reads gets past the mount, to the workload
mkdir many
for i in $(seq 1 1200); do : > "many/f$i"; done
yes orphan | head -c 200000 > gone
exec 3< gone
rm gone
cd /
sync
echo "populated; crashing with an open unlinked file"
vm-crash
