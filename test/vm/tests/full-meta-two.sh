# A full metadata device with two mounts: a client of the leader's
# server fills a 64 MiB metadata device (device-mapper over the first
# 64 MiB of the disk) with 64 KiB xattrs until ENOSPC, then the leader
# fills what is left; both can still remove files (space-freeing
# operations may use a reserve the others stop short of), a commit never
# fails for want of space (no kernel message but mount and unmount), and
# check is clean.
. "$T_VM/tests/posix-lib"
t_allow_dmesg "mounted fsid"
t_allow_dmesg "unmounted"

m() {
	t_cmnt "$1"
}
cleanup() {
	cd /
	for n in 0 1; do
		grep -q " $(m "$n") " /proc/mounts && umount "$(m "$n")"
		t_dm_remove "c_meta_$n"
		t_dm_remove "c_data_$n"
	done
	t_dm_remove full_meta
}
trap cleanup EXIT

DM_DISABLE_UDEV=1 dmsetup create full_meta --noudevsync --table "0 131072 linear $T_META 0" ||
	t_fail "dmsetup"
T_META=/dev/mapper/full_meta
t_mkfs --force > /dev/null || t_fail "mkfs"
t_cmount 0 quorum_slot_nr=0 || t_fail "mount 0"
t_cmount 1 || t_fail "mount 1"

# fill PREFIX LIMIT: a file and a 64 KiB xattr each, until the first ENOSPC
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
    print("fill: %s after %s files" % (errno.errorcode[e.errno], "over 50" if n > 50 else n))
    print("N=%d" % n, file=sys.stderr)
PY
mkdir "$(m 1)/d" "$(m 0)/e"
echo "== the client fills it"
posix_py "$T_TMP/fill.py" "$(m 1)/d/f" 5000 2> "$T_TMP/n1"
n1=$(sed -n 's/^N=//p' "$T_TMP/n1")
t_rc touch "$(m 1)/d/more"
echo "== the leader fills what is left"
posix_py "$T_TMP/fill.py" "$(m 0)/e/g" 5000 2> /dev/null | sed 's/after [0-9]* files/after some files/'
echo "== both remove files"
t_rc rm "$(m 1)/d/f0"
t_rc rm "$(m 0)/e/g0"
t_rc sync
echo "== each removes the other's"
t_rc rm -rf "$(m 0)/d"
t_rc rm -rf "$(m 1)/e"
t_rc sync
echo "left: $(ls "$(m 0)" | wc -l) names on mount 0, $(ls "$(m 1)" | wc -l) on mount 1"
# Not yet checked here: that the space comes back for the client.  A
# client's current log btree is finalized (and so merged, its deleted
# items' blocks freed) only once it reaches forest_finalize_kib or holds
# back another tree's merge, and a client's hold that finds too little
# space can't ask for a merge: refilling right after this gets about a
# sixth of the first fill (issue 12's closing note, stop 23).
cd / || t_fail "cd /"
t_cumount 1 || t_fail "umount 1"
t_cumount 0 || t_fail "umount 0"
t_check
t_pass
