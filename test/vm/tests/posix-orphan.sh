# Unlinked but open files keep their items (and an orphan item) until
# their last close, which deletes them and frees their blocks; O_TMPFILE
# files are orphans until linked in, and deleted at close if they never
# are.
. "$T_VM/tests/posix-lib"
t_allow_dmesg "drop_caches"
posix_mkfs_mount
cd "$T_MNT" || t_fail "cd"

mkdir d
posix_tool - <<'CMDS'
e pwrite held 0 1048576 held
tmpfile d named
CMDS
cat d/named
ino=$(stat -c %i held)
exec 3< held
rm held
posix_tool e open held
head -c 16 <&3 | od -A n -t x1 | wc -w
posix_print > "$T_TMP/items"
echo "while open: orphan items: $(grep -c "orphan ino $ino\$" "$T_TMP/items")"
echo "while open: extent items: $(grep -c "^ *FS\\.$ino\\.DATA_EXTENT" "$T_TMP/items")"
exec 3<&-
posix_tool tmpfile-drop d 1048576
posix_print > "$T_TMP/items"
echo "after close: orphan items: $(grep -c "orphan ino" "$T_TMP/items")"
echo "after close: items of the inode: $(grep -c "^ *FS\\.$ino\\." "$T_TMP/items")"
echo "after close: index items: $(grep -c "_seq [0-9]* ino $ino\$" "$T_TMP/items")"
posix_tool stat d/named
ls d

echo "== check"
posix_umount_check
t_pass
