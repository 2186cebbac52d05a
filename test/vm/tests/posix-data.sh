# File data: writes and reads at odd offsets, holes read as zeros, a
# sparse file past 4 GiB, fallocate (mode 0 and KEEP_SIZE; unwritten
# blocks read as zeros until written), mmap reads and writes, fsync,
# concurrent writers, persistence across a remount, and blocks returned
# when files go (check counts the data blocks in use).
. "$T_VM/tests/posix-lib"
posix_mkfs_mount
cd "$T_MNT" || t_fail "cd"

echo "== write, read, holes, fallocate, mmap, fsync"
mkdir w
posix_tool - <<'CMDS'
e pwrite f 0 100000 a
e pwrite f 5000 3 b
e pwrite f 99999 10 c
stat f
expect f 0 5000 a
expect f 5000 3 b
expect f 99999 10 c
read f 100009 100
e pwrite s 8192 100 s
read s 0 8192
expect s 8192 100 s
e pwrite s 5368709120 4096 far
stat s
expect s 5368709120 4096 far
read s 4294967296 65536
read s 5368713216 10
e fallocate fa 0 0 1048576
stat fa
read fa 0 1048576
e pwrite fa 4096 10 x
expect fa 4096 10 x
read fa 0 4096
read fa 4106 4086
read fa 8192 1040384
e fallocate fa keep 1048576 1048576
stat fa
e fallocate fa keep 0 4096
e fallocate fa punch 0 4096
e pwrite fa 1048576 4096 y
stat fa
expect fa 1048576 4096 y
e pwrite mm 0 20000 m
e mmapr mm 0 20000
pattern 20000 m
e mmapw mm 100 5000 w
expect mm 100 5000 w
e creat hole
e truncate hole 65536
e mmapw hole 40000 100 h
stat hole
expect hole 40000 100 h
read hole 0 40000
e pwrite fs 0 12345 fs
e fsync fs
writers w 4 64
CMDS

echo "== after remount"
posix_remount
cd "$T_MNT" || t_fail "cd"
posix_tool - <<'CMDS'
stat f s fa mm hole fs w/shared
expect f 0 5000 a
expect f 5000 3 b
expect f 99999 10 c
expect s 5368709120 4096 far
read s 0 8192
expect fa 4096 10 x
read fa 8192 1040384
expect fa 1048576 4096 y
expect mm 100 5000 w
expect hole 40000 100 h
expect fs 0 12345 fs
CMDS
echo "== check with the files"
posix_umount_check
t_mount 0 || t_fail "mount failed"
rm -rf "${T_MNT:?}"/*
echo "== check after removing them"
posix_umount_check
t_pass
