# scoutfs check is clean after creating, changing and removing files of
# every kind, and after removing them all (no data block stays in use).
t_expect_dmesg "mounted fsid"
t_expect_dmesg "unmounted"

# t_check counts: the check's problems, then its summary without the
# metadata block counts (they depend on how many commits the timer made)

t_mkfs --force > /dev/null
t_mount
cd "$T_MNT" || t_fail "no mount"
mkdir -p a/b/c d e
echo hello > a/f1
dd if=/dev/zero of=a/b/zeros bs=4k count=300 2> /dev/null
seq 1 100000 > d/numbers
ln a/f1 d/hard1
ln a/f1 e/hard2
ln -s /some/where sym
ln -s "$(head -c 3000 /dev/zero | tr '\0' x)" longsym
mkfifo fifo
mknod chr c 1 3
mknod blk b 7 0
truncate -s 1G sparse
echo tail >> sparse
dd if=/dev/zero of=holes bs=4k count=1 seek=100 2> /dev/null
fallocate -l 40960 prealloc
truncate -s 5000 d/numbers
i=1
while [ $i -le 300 ]; do echo $i > e/file$i; i=$((i + 1)); done
i=1
while [ $i -le 150 ]; do rm e/file$i; i=$((i + 1)); done
mv a/f1 d/moved
mv a/b e/b-moved
rmdir e/b-moved/c
mv d/numbers e/file200
rm d/hard1
cd /
t_umount
echo "== after creating, changing and removing"
t_check counts

echo "== after removing everything"
t_mount
rm -rf "${T_MNT:?}"/*
t_umount
t_check counts
t_pass
