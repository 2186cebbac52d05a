# Until mount lands, mounting a volume fails with EOPNOTSUPP and the module
# says why in the kernel log; nothing is left mounted.  This golden changes
# when mount is implemented.
t_expect_dmesg "scoutfs: mount is not implemented yet"
t_mount
echo "mount rc=$?"
grep -c ' scoutfs ' /proc/mounts
t_pass
