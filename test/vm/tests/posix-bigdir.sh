# A directory of 100,000 files: create, list, stat, remove, with a
# remount in between; then the directory is empty and the volume checks
# clean.
. "$T_VM/tests/posix-lib"
posix_mkfs_mount
cd "$T_MNT" || t_fail "cd"
mkdir big
posix_tool - <<'CMDS'
many big 100000 create
many big 100000 list
CMDS
posix_remount
cd "$T_MNT" || t_fail "cd"
posix_tool - <<'CMDS'
many big 100000 stat
stat big
many big 100000 remove
stat big
e rmdir big
CMDS
echo "== check"
posix_umount_check
t_pass
