# Cluster locks go through the server, which takes a mode back from a
# mount when another client asks for one that conflicts.  The other
# client here is a userspace peer on the protocol (tools/net-client.js)
# asking the mount's server for an inode group's lock.
#  - WRITE from another client: the mount writes back the file's pages,
#    commits (with commit_interval_ms long, only the invalidation can),
#    drops the pages and gives the lock up; its next stat waits until
#    the other client answers the invalidation the server sends it (the
#    client keeps it unanswered for a while: stall), then reads the file
#    again; another waiting task that is killed ends at once.
#  - READ from another client: the mount commits and keeps reading
#    (downgraded to READ), a write waits until the other client lets go.
#  - a client that ends its connection holding WRITE loses it.
#  - two other clients: the second waits for the first to answer; three
#    clients taking random modes on two groups while the mount writes
#    in one of them never hold conflicting modes at once (their logs of
#    what they held when, checked together).
#  - READ on the change index's lock while files are created (their
#    index items are written under it, inside transaction holds).
#  - requests the server refuses: a range that is not a lock range, a
#    request for the mode already held.
#  - a power cut after an invalidation: what it committed is there,
#    what was written after it (never committed) is not.
# Runs over two boots (t_crash).
t_expect_dmesg "mounted fsid"
t_allow_dmesg "unmounted"

client() {
	node "$T_VM/tools/net-client.js" 127.0.0.1 "$T_QUORUM_PORT" "$T_META" "$@"
}
ctr() {
	scoutfs counters -s "$1"
}
# wait_for FILE TEXT: until FILE holds TEXT (bounded: 30 s)
wait_for() {
	_i=0
	while ! grep -q "$2" "$1" 2> /dev/null; do
		_i=$((_i + 1))
		[ "$_i" -le 300 ] || t_fail "waited 30 s for '$2' in $1: $(cat "$1")"
		sleep 0.1
	done
}
# blocked PID WHAT FILE TEXT: once the other client's output FILE says it
# keeps the invalidation (TEXT), and half a second later, PID still runs:
# it waits for the lock
blocked() {
	wait_for "$3" "$4"
	sleep 0.5
	if kill -0 "$1" 2> /dev/null; then
		echo "$2 waits"
	else
		echo "$2 did not wait"
	fi
}

if [ "${T_CRASHES:-0}" -eq 0 ]; then
	t_expect_dmesg "end is not the last key of the range that start begins; refused"
	t_expect_dmesg "lock request from mode 2 to 2 on zone 16 first 1024 refused: request for the mode already held"
	t_mkfs --force > /dev/null
	t_mount 0 commit_interval_ms=300000 || t_fail "mount"
	export SCOUTFS_MOUNT_PATH="$T_MNT"
	cd "$T_MNT" || t_fail "cd"
	# inode numbers from 1024 on: every file below is in one inode group
	mkdir d
	echo hello > d/f
	yes data | head -c 1048576 > d/big
	sum=$(md5sum < d/big)
	ino=$(stat -c %i d/f)
	[ $((ino / 1024)) -eq $(($(stat -c %i d/big) / 1024)) ] && echo "one inode group"

	echo "== another client asks for WRITE"
	c0=$(ctr commits)
	i0=$(ctr lock_invalidations)
	client greet lock-ino WRITE "$ino" stall hold-until "$T_TMP/go1" unstall hold 300 \
		farewell > "$T_TMP/nc1" 2>&1 &
	nc=$!
	wait_for "$T_TMP/nc1" "lock-ino WRITE:"
	[ "$(ctr commits)" -gt "$c0" ] && echo "the mount committed before giving the lock up"
	echo "invalidations: $(($(ctr lock_invalidations) - i0))"
	stat -c '%s' d/f > "$T_TMP/stat1" &
	st=$!
	blocked "$st" "stat" "$T_TMP/nc1" "invalidation WRITE->READ waits"
	# a task waiting for a lock dies when killed, the wait or not
	stat d/f > /dev/null 2>&1 &
	k=$!
	sleep 0.3
	kill -KILL "$k"
	sleep 0.5
	if kill -0 "$k" 2> /dev/null; then echo "a killed waiter still waits"; else echo "a killed waiter ends"; fi
	wait "$k" 2> /dev/null
	touch "$T_TMP/go1"
	wait "$nc"
	wait "$st"
	cat "$T_TMP/nc1"
	echo "stat after: $(cat "$T_TMP/stat1")"
	cat d/f
	[ "$(md5sum < d/big)" = "$sum" ] && echo "big reads the same from disk"

	echo "== another client asks for READ"
	echo again >> d/f
	c0=$(ctr commits)
	client greet lock-ino READ "$ino" stall hold-until "$T_TMP/go2" unstall hold 300 \
		farewell > "$T_TMP/nc2" 2>&1 &
	nc=$!
	wait_for "$T_TMP/nc2" "lock-ino READ:"
	[ "$(ctr commits)" -gt "$c0" ] && echo "the mount committed before going down to READ"
	cat d/f
	echo more >> d/f &
	wr=$!
	blocked "$wr" "a write" "$T_TMP/nc2" "invalidation READ->NULL waits"
	touch "$T_TMP/go2"
	wait "$nc"
	wait "$wr"
	cat "$T_TMP/nc2"
	cat d/f

	echo "== a client that dies holding WRITE"
	client greet lock-ino WRITE "$ino" quit
	cat d/f

	echo "== another client takes the change index's lock while files are created"
	# index locks are taken inside transaction holds: the invalidation's
	# commit must not wait for a holder that waits for it
	seq=$(scoutfs statfs -s committed_seq)
	mkdir e
	(
		i=0
		while [ "$i" -lt 300 ]; do
			echo "$i" > "e/f$i"
			i=$((i + 1))
		done
		echo done > "$T_TMP/creates"
	) &
	cr=$!
	# (whether the mount takes it back during the hold varies: not shown)
	for r in 1 2 3; do
		client greet lock-index READ meta "$seq" hold 200 farewell | grep '^lock-index'
	done
	wait_for "$T_TMP/creates" done
	wait "$cr"
	echo "files created: $(ls e | wc -l)"

	echo "== two clients contend for one lock"
	far=5000000
	client greet lock-ino WRITE "$far" stall hold-until "$T_TMP/go3" unstall hold 300 \
		farewell > "$T_TMP/ncA" 2>&1 &
	ncA=$!
	wait_for "$T_TMP/ncA" "lock-ino WRITE:"
	client greet lock-ino READ "$far" farewell > "$T_TMP/ncB" 2>&1 &
	ncB=$!
	blocked "$ncB" "the second client" "$T_TMP/ncA" "invalidation WRITE->READ waits"
	touch "$T_TMP/go3"
	wait "$ncA"
	wait "$ncB"
	cat "$T_TMP/ncA" "$T_TMP/ncB"

	echo "== three clients and the mount contend for two groups"
	# random requests for 3 s each; every client logs what it held when,
	# and no two may ever have held conflicting modes at once
	for s in 1 2 3; do
		client greet hold-log "$T_TMP/holds$s" random-locks 3000 "$s" "$ino" "$far" \
			farewell > "$T_TMP/rnd$s" 2>&1 &
	done
	i=0
	while [ "$i" -lt 40 ]; do
		echo "$i" >> d/g
		stat -c %s d/f > /dev/null
		i=$((i + 1))
	done
	wait
	cat "$T_TMP/rnd1" "$T_TMP/rnd2" "$T_TMP/rnd3" | sort | uniq -c | sed 's/^ *//'
	node "$T_VM/tools/net-client.js" check-holds "$T_TMP/holds1" "$T_TMP/holds2" \
		"$T_TMP/holds3"
	tail -n 1 d/g

	echo "== refused requests"
	client greet lock-bad-range "$ino" lock-ino WRITE "$ino" lock-ino WRITE "$ino" farewell
	stat -c '%s' d/f

	echo "== a power cut after an invalidation"
	echo "$sum" > d/big.md5
	echo durable > d/durable
	client greet lock-ino READ "$ino" farewell
	echo lost > d/lost
	echo "crashing"
	t_crash
fi

echo "== after the crash"
t_mount || t_fail "mount after the crash"
cd "$T_MNT" || t_fail "cd"
cat d/f d/durable
[ "$(md5sum < d/big)" = "$(cat d/big.md5)" ] && echo "big is intact"
ls d
cd /
t_umount
t_check
t_pass
