# Every kind of bad ioctl argument gets its errno and leaves the kernel
# log clean: unknown index, non-zero pads, nr_entries 0 (nothing
# written), first > last, bad user pointers (NULL and kernel addresses)
# for the struct and for the buffers it points to, undersized result
# buffers, unknown GET_ATTR_X bits, unknown and unimplemented commands,
# and the privilege checks of INO_PATH and GET_REFERRING_ENTRIES.
t_allow_dmesg "mounted fsid"
t_allow_dmesg "unmounted"
t_mkfs --force > /dev/null
t_mount 0 commit_interval_ms=300000 || t_fail "mount"
mkdir "$T_MNT/d" && touch "$T_MNT/d/f" && sync
probe() {
	node "$T_VM/tools/ioctl-probe.js" "$@"
}
probe errors "$T_MNT" "$T_MNT/d/f"
echo "# unprivileged"
probe unpriv "$T_MNT" "$(stat -c %i "$T_MNT/d/f")"
echo "# GET_ATTR_X replies: 32-bit words zero (0), set (x) or untouched (.)"
for mask in 1 2 0x21 0x40 0x80 0xff; do
	printf '%-5s ' "$mask"
	probe attr-x "$T_MNT/d/f" "$mask"
done
cd / && t_umount
t_pass
