# Checksum-valid metadata holding wrong values (a crafted image, a bit
# flip before the checksum was computed): each reader refuses the item
# with EUCLEAN ("Structure needs cleaning") and one message naming the
# inode, the field and the value; nothing hangs, WARNs or deletes live
# data, and the mount still unmounts.  Each case pokes one field of a
# pristine volume (test/vm/tools/poke.js reseals the block) and mounts it.
. "$T_VM/tests/posix-lib"
t_allow_dmesg "mounted fsid"
t_allow_dmesg "unmounted"

DM_DISABLE_UDEV=1 dmsetup create corrupt_meta --noudevsync \
	--table "0 131072 linear $T_META 0" || t_fail "dmsetup"
T_META=/dev/mapper/corrupt_meta
t_mkfs --force > /dev/null || t_fail "mkfs"
t_mount 0 commit_interval_ms=300000 || t_fail "mount"
cd "$T_MNT" || t_fail "cd"
touch a b c
mkdir -p d/s
dd if=/dev/zero bs=4096 count=2 2> /dev/null | tr '\0' e > e
posix_py -c 'import os; os.setxattr("a", "user.big", b"v" * 5000)'
for f in a b d e; do eval "ino_$f=$(stat -c %i $f)"; done
cd / && t_umount || t_fail "umount"
dd if="$T_META" of="$T_TMP/pristine" bs=1M 2> /dev/null
data_super() { dd if="$T_DATA" bs=64k count=4 2> /dev/null | md5sum | cut -d' ' -f1; }
super_sum=$(data_super)

py() { posix_py -c "
import errno, os, sys
try:
    r = $1
    print('$2: ok', '' if r is None else r)
except OSError as e:
    print('$2:', errno.errorcode[e.errno])
"; }

# poke KIND INO FIELD VALUE: a fresh copy of the volume with one field changed, mounted
poke() {
	dd if="$T_TMP/pristine" of="$T_META" bs=1M conv=fsync 2> /dev/null
	node "$T_VM/tools/poke.js" "$T_META" "$@" | sed 's/ of [0-9]* / /; s/\(nsec: \)[0-9]*/\1<old>/'
	t_mount 0 commit_interval_ms=300000 || t_fail "mount after poke"
	cd "$T_MNT" || t_fail "cd"
}
unpoke() {
	cd / && t_umount || t_fail "umount"
}

echo "== xattr val_len beyond 64 KiB (removexattr spun forever)"
t_expect_dmesg "val_len above XATTR_MAX_VAL_LEN (65536), found 2147483647"
poke xattr_hdr "$ino_a" val_len 2147483647
py 'os.getxattr("a", "user.big")' getxattr
py 'os.removexattr("a", "user.big")' removexattr
py 'os.setxattr("a", "user.big", b"w", os.XATTR_REPLACE)' replace
py 'os.listxattr("a")' listxattr
t_rc sync
unpoke

echo "== nlink 0 without an orphan item (eviction deleted the inode)"
t_expect_dmesg "item is corrupt: nlink: 0 without an orphan item, found 0"
poke inode "$ino_b" nlink 0
ls
t_rc stat -c %s b
t_rc cat b
t_rc rm b
t_rc ln b b2
unpoke
echo "-- still there after unmounting: check names the bad count, nothing missing"
t_check
t_mount 0 || t_fail "mount"
t_rc stat -c %s "$T_MNT/b"
unpoke

echo "== a directory with nlink 1"
t_expect_dmesg "item is corrupt: nlink: a directory's is 1, found 1"
poke inode "$ino_d" nlink 1
t_rc ls d
t_rc rmdir d/s
unpoke

echo "== a directory whose nlink doesn't count its subdirectory"
t_expect_dmesg "rmdir: inode $ino_d has nlink 2, at least 3 expected"
poke inode "$ino_d" nlink 2
t_rc rmdir d/s
ls d
unpoke

echo "== mode bits outside S_IFMT|07777, nanoseconds past a second"
t_expect_dmesg "mode has bits outside MODE_BITS (0xffff), found 98724"
poke inode "$ino_b" mode 98724
t_rc stat -c %s b
unpoke
t_expect_dmesg "mtime.nsec above 999999999, found 1000000000"
poke inode "$ino_b" mtime.nsec 1000000000
t_rc stat -c %s b
unpoke

echo "== a data extent over the data device's super block"
t_expect_dmesg "blkno: the blocks are not inside the data device's data area, found 16"
poke extent "$ino_e" blkno 16
t_rc cat e
t_rc dd if=/dev/zero of=e bs=4096 count=1 conv=notrunc
t_rc sync
unpoke
echo "== a data extent past the end of the data device"
t_expect_dmesg "found 1099511627776"
poke extent "$ino_e" blkno 1099511627776
t_rc cat e
unpoke
if [ "$(data_super)" = "$super_sum" ]; then echo "data device super block unchanged"; else echo "data device super block CHANGED"; fi

echo "== an index item with a stray key field (only check refused it)"
t_expect_dmesg "is corrupt: index key: fourth is not 0, found 1"
poke meta_seq 0 key.fourth 1 -1
scoutfs walk-inodes meta_seq 0 -1 "$T_MNT" > /dev/null
echo "rc=$? walk-inodes meta_seq"
unpoke
echo "== an orphan item with a stray key field: the mount refuses it"
t_expect_dmesg "is corrupt: orphan key: third is not 0, found"
t_expect_dmesg "error -117 deleting orphaned inodes"
dd if="$T_TMP/pristine" of="$T_META" bs=1M conv=fsync 2> /dev/null
node "$T_VM/tools/poke.js" "$T_META" data_seq 0 key.zone,key.type 8,4 -1
if t_mount 0 2> /dev/null; then echo "mounted"; t_umount; else echo "mount refused"; fi

echo "== the pristine volume is clean and intact"
dd if="$T_TMP/pristine" of="$T_META" bs=1M conv=fsync 2> /dev/null
t_check
t_mount 0 || t_fail "mount"
cat "$T_MNT/e" | head -c 4; echo
unpoke
DM_DISABLE_UDEV=1 dmsetup remove --noudevsync corrupt_meta
t_pass
