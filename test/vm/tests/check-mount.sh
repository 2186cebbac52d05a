# scoutfs check is clean after mounts and unmounts of an unchanged volume
# and after a sync with nothing to commit.
t_expect_dmesg "mounted fsid"
t_expect_dmesg "unmounted"

# the check's problems, then its summary without the metadata block
# counts (they depend on how many commits the timer made)
ck() {
	scoutfs check "$T_META" "$T_DATA" > "$T_TMP/ck" 2>&1
	echo "check rc=$?"
	grep -v '^checked ' "$T_TMP/ck"
	sed -n 's/^checked \([0-9]* inodes, [0-9]* items\), .*), \([0-9]* data blocks in use\) (.*: /checked \1, \2: /p' "$T_TMP/ck"
}

t_mkfs --force > /dev/null
echo "== mount, unmount"
t_mount && t_umount
ck
echo "== mount, sync, unmount"
t_mount && sync && t_umount
ck
echo "== three more mounts"
for i in 1 2 3; do t_mount && t_umount; done
ck
t_pass
