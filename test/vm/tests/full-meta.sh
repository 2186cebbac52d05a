# A full metadata device can always be emptied.  A 64 MiB metadata
# device (device-mapper over the first 64 MiB of the disk) is filled with
# 64 KiB xattrs until ENOSPC; then unlink, truncate, removexattr, rmdir
# and rm -rf all work, before and after a remount (space-freeing
# operations may use a reserve the others stop short of), the freed space
# is used again, and check is clean.  Every commit holds its metadata use
# to its estimate: the module logs any commit that used more, which this
# scenario would see as an unexpected kernel message.
. "$T_VM/tests/posix-lib"
t_allow_dmesg "mounted fsid"
t_allow_dmesg "unmounted"

t_dm_linear_part() {
	DM_DISABLE_UDEV=1 dmsetup create "$1" --noudevsync --table "0 $3 linear $2 0"
}
t_dm_linear_part full_meta "$T_META" 131072 || t_fail "dmsetup"
T_META=/dev/mapper/full_meta
t_mkfs --force > /dev/null || t_fail "mkfs"
t_mount 0 commit_interval_ms=300000 || t_fail "mount"
cd "$T_MNT" || t_fail "cd"

mkdir -p d/sub keep
# a file with many extents (every other block written) to truncate later
posix_py - <<'PY'
import os
fd = os.open("keep/extents", os.O_CREAT | os.O_WRONLY, 0o644)
for i in range(0, 400, 2):
    os.pwrite(fd, b"x" * 4096, i * 4096)
os.close(fd)
os.setxattr("keep/extents", "user.small", b"s" * 100)
PY
sync

# fill: a file and a 64 KiB xattr each, until the first ENOSPC
cat > "$T_TMP/fill.py" <<'PY'
import errno, os, sys
prefix, limit = sys.argv[1], int(sys.argv[2])
n = 0
try:
    for n in range(limit):
        p = "%s%d" % (prefix, n)
        open(p, "w").close()
        os.setxattr(p, "user.big", bytes([n % 251]) * 65536)
    print("fill: no ENOSPC after %d files" % limit)
except OSError as e:
    print("fill: %s after %s files" % (errno.errorcode[e.errno], "over 100" if n > 100 else n))
    print("N=%d" % n, file=sys.stderr)
PY
posix_py "$T_TMP/fill.py" d/f 5000 2> "$T_TMP/n1"
n1=$(sed -n 's/^N=//p' "$T_TMP/n1")
echo "== full: more creates fail"
t_rc touch d/more
t_rc mkdir d/moredir
posix_py -c 'import os; os.setxattr("keep/extents", "user.new", b"n" * 65536)' 2>&1 | tail -1 | sed 's/.*OSError/OSError/'

echo "== full: space-freeing operations work"
t_rc rm d/f0
t_rc truncate -s 0 keep/extents
posix_py -c 'import os; os.removexattr("keep/extents", "user.small"); print("removexattr ok")'
t_rc rmdir d/sub
t_rc sync

echo "== full, after a remount: rm -rf empties it"
posix_remount
cd "$T_MNT" || t_fail "cd"
t_rc rm -rf d
t_rc sync
echo "== the space is used again"
mkdir d
posix_py "$T_TMP/fill.py" d/g 5000 2> "$T_TMP/n2"
n2=$(sed -n 's/^N=//p' "$T_TMP/n2")
# the second fill gets as far as the first, give or take a few commits
if [ "$n2" -ge $((n1 * 9 / 10)) ]; then echo "refill: at least 90% of the first fill"; else echo "refill: $n2 files, the first fill took $n1"; fi
t_rc rm -rf d keep
cd / || t_fail "cd /"
t_umount || t_fail "umount"
t_check
DM_DISABLE_UDEV=1 dmsetup remove --noudevsync full_meta
t_pass
