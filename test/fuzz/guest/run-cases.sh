# The fuzzer's case boot (busybox sh): runs guest/driver.py over $FUZZ_DIR
# and powers off at once when the driver's watchdog reports a hang (a sync
# at power-off could hang on the stuck mount too).
echo 10 > /proc/sys/kernel/hung_task_timeout_secs
echo 5 > /proc/sys/kernel/printk
rm -f /tmp/fuzz-hung /tmp/fuzz-exit
(
	PYTHONHOME=/host/usr PYTHONDONTWRITEBYTECODE=1 \
		/host/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 \
		--library-path /host/lib/x86_64-linux-gnu:/host/usr/lib/x86_64-linux-gnu \
		/host/usr/bin/python3 "$T_ROOT/test/fuzz/guest/driver.py" "$FUZZ_DIR"
	echo $? > /tmp/fuzz-exit
) &
while [ ! -e /tmp/fuzz-exit ] && [ ! -e /tmp/fuzz-hung ]; do sleep 1; done
if [ -e /tmp/fuzz-hung ]; then
	echo "fuzz: hang: powering off without syncing"
	. /etc/vmlib.sh
	echo hung > /results/hung
	vm_dmesg_drain > /dev/null
	vm_save_results
	echo o > /proc/sysrq-trigger
	sleep 60
fi
rc=$(cat /tmp/fuzz-exit)
echo "fuzz: driver exited $rc"
exit "$rc"
