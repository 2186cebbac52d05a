# Guest-side helpers shared by /init, vm-save-results and vm-crash.
# Installed in the initramfs as /etc/vmlib.sh; busybox sh.

# Append the kernel messages logged since the last drain to
# /results/dmesg, clear the ring buffer, and print them.  Every read of the
# kernel log goes through here, so /results/dmesg is the whole log.
vm_dmesg_drain() {
	dmesg -c > /tmp/.vm-dmesg.$$
	cat /tmp/.vm-dmesg.$$ >> /results/dmesg
	cat /tmp/.vm-dmesg.$$
	rm -f /tmp/.vm-dmesg.$$
}

# Write /results as a tar onto the results disk, durably.  Called after
# every scenario and before a crash, so the host gets what was done so far.
vm_save_results() {
	[ -b /dev/vm/results ] || return 0
	tar -cf - -C /results . | dd of=/dev/vm/results bs=64k conv=fsync 2>/dev/null
}

vm_power_off() {
	echo 4 > /proc/sys/kernel/printk
	vm_dmesg_drain > /dev/null
	vm_save_results
	sync
	echo o > /proc/sysrq-trigger
	sleep 60
}

# Reboot at once without syncing; qemu runs with -no-reboot, so it exits
# and the host can boot the same disks again.
vm_crash() {
	echo "vm: crashing by sysrq-b"
	: > /results/crashed
	vm_dmesg_drain > /dev/null
	vm_save_results
	echo b > /proc/sysrq-trigger
	sleep 60
}
