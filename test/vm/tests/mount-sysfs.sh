# Each mount has /sys/fs/scoutfs/<fsid>.<rid>/ with its fsid, rid, data
# device, quorum slot, term and leadership, and counters/; `scoutfs
# counters` reads them for the mount a path is in.  The directory goes
# at unmount.
t_allow_dmesg "mounted fsid"
t_allow_dmesg "unmounted"
t_mkfs --force > /dev/null
t_mount 0 commit_interval_ms=300000 || t_fail "mount"
export SCOUTFS_MOUNT_PATH="$T_MNT"

fsid=$(scoutfs statfs -s fsid)
rid=$(scoutfs statfs -s rid)
dir=/sys/fs/scoutfs/$fsid.$rid
[ -d "$dir" ] && echo "directory named fsid.rid: yes"
[ "$(ls /sys/fs/scoutfs | wc -l)" -eq 1 ] && echo "one mount directory"
[ "$(cat "$dir/fsid")" = "$fsid" ] && echo "fsid matches statfs"
[ "$(cat "$dir/rid")" = "$rid" ] && echo "rid matches statfs"
echo "data_dev $(cat "$dir/data_dev" | sed 's/^vd./vdX/')"
echo "quorum_slot_nr $(cat "$dir/quorum_slot_nr")"
[ "$(cat "$dir/quorum_term")" -gt 0 ] && echo "quorum_term above 0"
echo "is_leader $(cat "$dir/is_leader")"
ls "$dir/counters"

before=$(scoutfs counters -s commits)
touch "$T_MNT/a" "$T_MNT/b"
sync
after=$(scoutfs counters -s commits)
[ "$after" -gt "$before" ] && echo "commits counted"
[ "$(scoutfs counters -s lock_uses)" -gt 0 ] && echo "lock uses counted"
scoutfs counters --json | grep -q '"commit_items":[1-9]' && echo "json has commit_items"
scoutfs counters -s nope 2>&1 | sed 's/, .*//'

t_umount || t_fail "umount"
[ -e "$dir" ] || echo "directory gone after unmount"
t_pass
