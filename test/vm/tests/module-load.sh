# The module registers the scoutfs filesystem type, unloads cleanly and
# loads again.  The bench inserted it at boot.
echo "== loaded at boot"
grep -w scoutfs /proc/filesystems
lsmod | awk '$1 == "scoutfs" { print $1, "users", $3 }'
echo "== module info"
for field in license description author; do
	echo "$field: $(modinfo -F "$field" "$T_KO")"
done
echo "== unload"
t_rc rmmod scoutfs
grep -cw scoutfs /proc/filesystems
echo "== load again"
t_rc insmod "$T_KO"
grep -w scoutfs /proc/filesystems
t_pass
