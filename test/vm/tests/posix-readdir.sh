# readdir: creation order, d_off positions never reused (after removes,
# renames and links), telldir/seekdir across concurrent creates and
# removes, and the same listing after a remount.
. "$T_VM/tests/posix-lib"
posix_mkfs_mount
cd "$T_MNT" || t_fail "cd"

mkdir d
for n in a b c d e f g h i j k l; do touch d/$n; done
echo "== positions"
posix_tool doff d | tr '\n' ' '; echo
rm d/c d/d
touch d/c
mv d/a d/z
ln d/b d/b2
mkdir d/sub
echo "== after remove, create, rename, link, mkdir"
posix_tool doff d | tr '\n' ' '; echo
echo "== seekdir"
posix_tool seekdir d
echo "== after remount"
posix_remount
cd "$T_MNT" || t_fail "cd"
posix_tool doff d | tr '\n' ' '; echo
echo "== check"
posix_umount_check
t_pass
