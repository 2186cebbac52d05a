# VFS semantics checked against ext4 making the same calls in the same
# boot (a loop device in the scratch dir): the output is scoutfs's, and
# a line after them says whether ext4 printed exactly the same.
#  - truncate(2) and ftruncate(2) to a new size update mtime and ctime
#    (POSIX); ftruncate(2) to the same size updates both (the VFS asks
#    for it), truncate(2) to the same size neither, as the man page,
#    XFS and btrfs have it (ext4 updates them: not compared);
#  - st_blocks counts the blocks inside the size that are allocated,
#    and unwritten (fallocated) ones past it, never the blocks an
#    extending write preallocates past EOF: the same open, fsynced and
#    closed;
#  - past RLIMIT_FSIZE, fallocate growing the size fails with EFBIG and
#    raises SIGXFSZ, as writes and truncate do (KEEP_SIZE may allocate).
. "$T_VM/tests/posix-lib"
t_allow_dmesg "EXT4-fs"
t_allow_dmesg "loop0"
posix_mkfs_mount

cmds() {
	cat <<'CMDS'
e pwrite t 0 10000 t
tchange truncate t 20000
tchange truncate t 5000
tchange ftruncate t 30000
tchange ftruncate t 100
tchange ftruncate t 100
tchange truncate t 0
wblocks sp 0 4096 1048576 4096
wblocks seq 0 262144
wblocks far 0 4096 8388608 65536
blocks sp seq far
e fallocate fk keep 0 65536
e pwrite fk 0 4096 k
blocks fk
e pwrite fg 0 65536 g
e fallocate fg 0 0 131072
blocks fg
fsize 65536 fallocate big 0 0 131072
fsize 65536 fallocate big keep 0 131072
fsize 65536 truncate big 131072
fsize 65536 pwrite big 65536 4096
fsize 65536 fallocate big 0 0 65536
fsize 65536 fallocate big 0 65535 2
blocks big
CMDS
}

truncate -s 256M "$T_TMP/ext4.img"
# the host's mke2fs.conf: without it mke2fs makes ext2 features
MKE2FS_CONFIG=/host/etc/mke2fs.conf mkfs.ext4 -q -F -t ext4 "$T_TMP/ext4.img" > /dev/null 2>&1 || t_fail "mkfs.ext4 failed"
mkdir -p "$T_TMP/ext4"
mount -o loop "$T_TMP/ext4.img" "$T_TMP/ext4" || t_fail "ext4 mount failed"
(cd "$T_TMP/ext4" && cmds | posix_tool -) > "$T_TMP/ext4.out" 2>&1
umount "$T_TMP/ext4" || t_fail "ext4 umount failed"

(cd "$T_MNT" && cmds | posix_tool -) > "$T_TMP/scoutfs.out" 2>&1
cat "$T_TMP/scoutfs.out"
(cd "$T_MNT" && posix_tool - <<'CMDS'
e pwrite t2 0 5000 t
tchange truncate t2 5000
CMDS
)
echo "== after remount"
posix_remount
(cd "$T_MNT" && posix_tool blocks sp seq far fk fg big)
if cmp -s "$T_TMP/ext4.out" "$T_TMP/scoutfs.out"; then
	echo "== ext4 printed the same"
else
	echo "== ext4 printed otherwise:"
	diff "$T_TMP/ext4.out" "$T_TMP/scoutfs.out"
fi
posix_umount_check
t_pass
