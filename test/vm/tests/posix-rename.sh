# rename: within and across directories, over files and empty
# directories, RENAME_NOREPLACE and RENAME_EXCHANGE (also of a file with a
# directory across directories), the errors, and link counts throughout.
. "$T_VM/tests/posix-lib"
posix_mkfs_mount
cd "$T_MNT" || t_fail "cd"

mkdir -p d1/sub d2 d3/full
echo one > d1/f1
echo two > d2/f2
echo three > d1/f3
echo four > d3/full/x

echo "== files"
posix_tool - <<'CMDS'
e rename d1/f1 d1/g1
e rename d1/g1 d2/g1
e rename d2/g1 d2/f2
e rename d1/nothere d2/x
e rename d2/f2 d2/f2
e rename d2/f2 d1
e rename d1 d2/f2
stat d1 d2 d2/f2
CMDS
cat d2/f2

echo "== directories"
posix_tool - <<'CMDS'
e rename d1/sub d2/sub
stat . d1 d2 d2/sub
e rename d3/full d2/sub
stat d2/sub d2/sub/x d3
e rename d2/sub d3/full
e rename d2/sub d3/full
e mkdir d1/empty
e rename d3/full d1/empty
e rename d1/empty d3/full
e rename d3 d3/full/inside
stat d1 d2 d3 d3/full
CMDS
ls -a d1 d2 d3 d3/full | tr '\n' ' '; echo

echo "== noreplace and exchange"
posix_tool - <<'CMDS'
e noreplace d1/f3 d2/f2
e noreplace d1/f3 d3/f3
e exchange d3/f3 d3/full
stat d3/f3 d3/full d3
e exchange d3/f3 d1
stat d1 d3/f3 d3/f3/x
e exchange d3/full d3/nothere
e exchange d2/f2 d3/f3
stat d2 d3 d2/f2 d3/f3
CMDS
cat d3/full d2/f2
ls -aR . | tr '\n' ' '; echo

echo "== hard links"
ln d2/f2 d2/link
posix_tool - <<'CMDS'
e rename d2/link d2/f2
stat d2/f2 d2/link
e rename d2/f2 d3/moved
stat d3/moved d2/link
CMDS

echo "== after remount"
posix_remount
cd "$T_MNT" || t_fail "cd"
posix_tool stat d2 d3 d3/f3 d3/moved d3/full
ls -aR . | tr '\n' ' '; echo
echo "== check"
posix_umount_check
t_pass
