# scoutfs check is clean after mounts and unmounts of an unchanged volume
# and after a sync with nothing to commit, and refuses a mounted volume.
t_expect_dmesg "mounted fsid"
t_expect_dmesg "unmounted"

# t_check counts: the check's problems, then its summary without the
# metadata block counts (they depend on how many commits the timer made)

t_mkfs --force > /dev/null
echo "== mount, unmount"
t_mount && t_umount
t_check counts
echo "== mount, sync, unmount"
t_mount && sync && t_umount
t_check counts
echo "== three more mounts"
for i in 1 2 3; do t_mount && t_umount; done
t_check counts
echo "== check while mounted: refused"
t_mount
scoutfs check "$T_META" "$T_DATA" 2>&1
echo "rc=$?"
t_umount
t_check counts
t_pass
