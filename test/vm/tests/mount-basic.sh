# Mount a new volume, look at it, unmount, mount again.
t_expect_dmesg "mounted fsid"
t_expect_dmesg "unmounted"
t_mkfs --force > /dev/null
t_rc t_mount
grep ' scoutfs ' /proc/mounts
ls -lan "$T_MNT" | tail -n +2 | awk '{ print $1, $2, $3, $4, $NF }'
stat -f -c 'type=%T bsize=%S namelen=%l' "$T_MNT"
t_rc sync
t_rc t_umount
grep -c ' scoutfs ' /proc/mounts
t_rc t_mount
t_rc t_umount
t_pass
