# Names: create, mkdir, mknod (fifo, socket, char, block), symlink, link,
# unlink, rmdir and their errors; lookups; everything survives a remount
# and the volume checks clean.
. "$T_VM/tests/posix-lib"
posix_mkfs_mount
cd "$T_MNT" || t_fail "cd"

echo "== create"
mkfifo fifo
mknod chr c 1 3
mknod blk b 8 17
posix_tool - <<'CMDS'
e creat file
e creat file
e mkdir dir
e mkdir dir
e mkdir file
e sock sock
e sock sock
e symlink file sym
e symlink dangling/target dsym
e link file dir/hard
e link dir dirlink
e link nothere x
e link file fifo
e creat nodir/x
e creat file/x
stat file dir fifo sock chr blk sym dir/hard
CMDS
readlink sym
readlink dsym
ls -a . | tr '\n' ' '; echo

echo "== name lengths"
n255=$(printf 'n%.0s' $(seq 255))
n256=$(printf 'n%.0s' $(seq 256))
t4095=$(printf 't%.0s' $(seq 4095))
t4096=$(printf 't%.0s' $(seq 4096))
posix_tool - <<CMDS | sed "s/$n256/<256 chars>/g; s/$n255/<255 chars>/g; s/$t4096/<4096 chars>/; s/$t4095/<4095 chars>/"
e creat $n255
e creat $n256
e mkdir $n256
e symlink file $n256
e link file $n256
e symlink $t4095 longsym
e symlink $t4096 longsym2
CMDS
ls | grep -c "^$n255\$"
readlink longsym | wc -c

echo "== remove"
mkdir -p a/b/c
posix_tool - <<CMDS | sed "s/$n255/<255 chars>/g"
e rmdir dir
e unlink dir
e rmdir file
e unlink dir/hard
e unlink dir/hard
e rmdir dir
e rmdir dir
e unlink $n255
stat file
e rmdir a
e rmdir a/b/c
stat a a/b
e rmdir a/b
e rmdir a
e rmdir .
e unlink nothere
CMDS
ls -a . | tr '\n' ' '; echo

echo "== after remount"
posix_remount
cd "$T_MNT" || t_fail "cd"
posix_tool stat . file fifo sock chr blk sym longsym
ls -a . | tr '\n' ' '; echo
cat sym
echo "== check"
posix_umount_check
t_pass
