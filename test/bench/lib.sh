# Shell functions of the benchmark guest scripts (sourced from $T_ROOT).

# The memory of this VM is slow the first time it is used after
# drop_caches freed it (the host backs it again: measured, a 256 MiB tmpfs
# write takes 2.8 s, and 6.7 s after a cold remount), and the phase that
# first allocates pays for it: a scoutfs 256 MiB write took 7.9 s after a
# cold remount and 3.9 s when tmpfs had been filled first.  So memory is
# used once, outside any timed phase, at the start and after every drop.
warm_memory() {
	mkdir -p /mnt/warm
	mount -t tmpfs -o size=95% tmpfs /mnt/warm
	free=$(awk '/MemFree/ { print int($2 / 1024) }' /proc/meminfo)
	dd if=/dev/zero of=/mnt/warm/fill bs=1M count=$((free - 256)) 2> /dev/null || true
	umount /mnt/warm
}
