# Attributes: chmod, chown, utimens with nanoseconds, the birth time kept
# across changes and a remount; truncate down and up with the partial
# block zeroed (also as mmap sees it); EFBIG past the largest file size
# (16 TiB).
. "$T_VM/tests/posix-lib"
posix_mkfs_mount
cd "$T_MNT" || t_fail "cd"

echo "== chmod chown utimens"
touch f
mkdir d
b0=$(posix_tool btime f)
chmod 4751 f
chown 1234:5678 f
chmod 1777 d
chown 42:43 d
posix_tool - <<'CMDS'
stat f d
utimens f 1000000000123456789 2000000000987654321
times f
utimens d 5 999999999
times d
CMDS
echo "== birth time"
sleep 1
echo data >> f
chmod 600 f
[ "$(posix_tool btime f)" = "$b0" ] && echo "btime kept" || echo "btime changed"
[ "$b0" != none ] && echo "btime present" || echo "btime missing"

echo "== truncate"
posix_tool - <<'CMDS'
e pwrite t 0 10000 t
e truncate t 5000
stat t
read t 0 5000
expect t 0 5000 t
e truncate t 12000
read t 4096 904
read t 5000 7000
e truncate t 0
stat t
e truncate t 8192
read t 0 8192
stat t
e pwrite m 0 8192 m
e truncate m 6000
e truncate m 8192
e mmapr m 6000 2192
read m 6000 2192
e truncate t -1
CMDS

echo "== largest size"
posix_tool - <<'CMDS'
e creat big
e truncate big 17592186044416
e truncate big 17592186044417
e pwrite big 17592186044415 1
e pwrite big 17592186044416 1
e fallocate big keep 17592186044415 2
stat big
CMDS

# f's mtime is "now" since the append above: compare it across the remount
posix_tool times f > "$T_TMP/f.times"
echo "== after remount"
posix_remount
cd "$T_MNT" || t_fail "cd"
[ "$(posix_tool times f)" = "$(cat "$T_TMP/f.times")" ] && echo "f: times kept across remount" || echo "f: times changed across remount"
posix_tool - <<'CMDS'
stat f d t m big
times d
read t 0 8192
read m 6000 2192
CMDS
[ "$(posix_tool btime f)" = "$b0" ] && echo "btime kept" || echo "btime changed"
echo "== check"
posix_umount_check
t_pass
