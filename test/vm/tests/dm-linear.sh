# Mounts other than 0 see the volume through their own device-mapper linear
# devices (t_mount NR): each spans its whole disk and reads what was written
# through the disk itself.  Uses the last MiB of the meta disk only.
last=$(( $(blockdev --getsz "$T_META") / 2048 - 1 ))
echo "written through the disk" | dd of="$T_META" bs=1M seek="$last" conv=fsync 2>/dev/null
t_rc t_dm_linear t_meta_1 "$T_META"
echo "sectors: disk $(blockdev --getsz "$T_META") linear $(blockdev --getsz /dev/mapper/t_meta_1)"
dmsetup table t_meta_1
dd if=/dev/mapper/t_meta_1 bs=1M skip="$last" count=1 2>/dev/null | head -1
t_rc t_dm_remove t_meta_1
ls /dev/mapper
t_pass
