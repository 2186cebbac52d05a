# xattrs: user., trusted. and security. names; XATTR_CREATE/REPLACE;
# values up to 65536 bytes (65537 is E2BIG); listxattr; removal; on
# directories and symlinks; persistence across a remount.
. "$T_VM/tests/posix-lib"
posix_mkfs_mount
cd "$T_MNT" || t_fail "cd"
touch f
mkdir d
ln -s f l
long=$(printf 'x%.0s' $(seq 250))

posix_tool - <<CMDS | sed "s/$long/<250 x>/g"
e setx f user.a 5 a 0
e getx f user.a
e setx f user.a 7 a2 create
e setx f user.b 7 b replace
e setx f user.a 7 a2 replace
e getx f user.a
e setx f user.b 0 b create
e getx f user.b
e setx f trusted.t 100 t 0
e setx f security.s 1000 s 0
e setx f other.x 1 x 0
e getx f user.none
e listx f
e getx f trusted.t
e getx f security.s
e setx f user.big 65536 big 0
e getx f user.big
pattern 65536 big
e setx f user.toobig 65537 big 0
e setx f user.mid 5000 mid 0
e getx f user.mid
e setx f user.$long 900 long 0
e getx f user.$long
e setx f user.${long}yy 1 long 0
e rmx f user.a
e rmx f user.a
e getx f user.a
e rmx f user.big
e listx f
e setx d user.d 10 d 0
e getx d user.d
e lsetx l trusted.l 10 l 0
e lgetx l trusted.l
e getx l trusted.l
e lsetx l user.l 10 l 0
e lgetx l user.l
CMDS
i=0
while [ $i -lt 200 ]; do
	echo "e setx f user.many$i 300 m$i 0"
	i=$((i + 1))
done | posix_tool - | grep -v ': OK$'
posix_tool e listx f | wc -w

echo "== after remount"
posix_remount
cd "$T_MNT" || t_fail "cd"
posix_tool - <<CMDS | sed "s/$long/<250 x>/g"
e getx f user.b
e getx f user.mid
e getx f trusted.t
e getx f user.$long
e getx f user.many199
e getx d user.d
e lgetx l trusted.l
CMDS
posix_tool e listx f | wc -w
rm f
echo "== check"
posix_umount_check
t_pass
