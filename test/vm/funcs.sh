# Helpers sourced by every scenario (busybox sh in the guest).
#
# Set by the bench:
#   T_NAME    scenario name            T_TMP     its scratch dir (cwd)
#   T_ROOT    project root in guest    T_VM      $T_ROOT/test/vm
#   T_KO      scoutfs.ko in the guest  T_RESULT  its results dir (internal)
#   T_CRASHES times this scenario crashed itself (t_crash) before this boot
# Set here:
#   T_META, T_DATA   the volume's devices     T_MNT   mount point of mount 0
#   T_QUORUM_PORT    first quorum port (slot N listens on port + N)

# Defaults for an interactive `make vm-shell` that sources this file.
: "${T_TMP:=/tmp}" "${T_RESULT:=/tmp}"

T_META=/dev/vm/meta
T_DATA=/dev/vm/data
T_MNT=/mnt/scoutfs
T_QUORUM_PORT=12345

# ---------------------------------------------------------------- verdicts

t_pass() {
	exit 0
}

t_fail() {
	echo "t_fail: $*"
	exit 1
}

# Skip with a reason: the scenario's output is not compared.
t_skip() {
	echo "$*" > "$T_RESULT/skip"
	exit 101
}

# Run a command, print its exit status on one line: "rc=N cmd...".
t_rc() {
	"$@"
	echo "rc=$? $*"
}

# ------------------------------------------------------------------ dmesg

# Kernel lines logged during a scenario fail it unless declared here.
# t_expect_dmesg TEXT: a line containing TEXT must appear (and is allowed).
t_expect_dmesg() {
	printf '%s\n' "$1" >> "$T_RESULT/dmesg-expect"
}

# t_allow_dmesg TEXT: lines containing TEXT may appear.
t_allow_dmesg() {
	printf '%s\n' "$1" >> "$T_RESULT/dmesg-allow"
}

# ----------------------------------------------------------- mkfs / mount

# "-Q nr,127.0.0.1,port" for slots 0..N-1 (default 1 slot).
t_quorum_args() {
	_n=${1:-1}
	_i=0
	while [ "$_i" -lt "$_n" ]; do
		printf -- '-Q %s,127.0.0.1,%s ' "$_i" $((T_QUORUM_PORT + _i))
		_i=$((_i + 1))
	done
}

# t_mkfs [-n SLOTS] [mkfs args...]: make a volume on T_META and T_DATA.
t_mkfs() {
	_slots=1
	if [ "$1" = -n ]; then
		_slots=$2
		shift 2
	fi
	# shellcheck disable=SC2046 # one word per argument is intended
	scoutfs mkfs $(t_quorum_args "$_slots") "$@" "$T_META" "$T_DATA"
}

# Devices and mount point of mount NR: mount 0 uses the disks themselves,
# others their own device-mapper linear devices over the same disks (as
# several hosts would see one volume).
t_meta_dev() {
	if [ "${1:-0}" -eq 0 ]; then echo "$T_META"; else echo "/dev/mapper/t_meta_$1"; fi
}

t_data_dev() {
	if [ "${1:-0}" -eq 0 ]; then echo "$T_DATA"; else echo "/dev/mapper/t_data_$1"; fi
}

t_mnt() {
	if [ "${1:-0}" -eq 0 ]; then echo "$T_MNT"; else echo "$T_MNT.$1"; fi
}

# t_dm_linear NAME DEV: a linear device-mapper device spanning DEV.
t_dm_linear() {
	[ -b "/dev/mapper/$1" ] && return 0
	DM_DISABLE_UDEV=1 dmsetup create "$1" --noudevsync \
		--table "0 $(blockdev --getsz "$2") linear $2 0"
}

t_dm_remove() {
	[ -b "/dev/mapper/$1" ] || return 0
	DM_DISABLE_UDEV=1 dmsetup remove --noudevsync "$1"
}

# t_mount [NR [extra options]]: mount NR (default 0) with quorum slot NR.
t_mount() {
	_nr=${1:-0}
	_opts=${2:+,$2}
	if [ "$_nr" -ne 0 ]; then
		t_dm_linear "t_meta_$_nr" "$T_META" || return 1
		t_dm_linear "t_data_$_nr" "$T_DATA" || return 1
	fi
	mkdir -p "$(t_mnt "$_nr")"
	mount -t scoutfs -o "metadev_path=$(t_meta_dev "$_nr"),quorum_slot_nr=$_nr$_opts" \
		"$(t_data_dev "$_nr")" "$(t_mnt "$_nr")"
}

# t_umount [NR]: unmount NR and drop its device-mapper devices.
t_umount() {
	_nr=${1:-0}
	umount "$(t_mnt "$_nr")" || return 1
	if [ "$_nr" -ne 0 ]; then
		t_dm_remove "t_meta_$_nr"
		t_dm_remove "t_data_$_nr"
	fi
}

# Several mounts of one volume in one VM, as several hosts would see it:
# mount NR at $T_MNT.cNR through its own device-mapper devices c_meta_NR
# and c_data_NR (the disks themselves can't be claimed while
# device-mapper uses them).
t_cmnt() {
	echo "$T_MNT.c$1"
}

# t_cmount NR [OPTS]
t_cmount() {
	t_dm_linear "c_meta_$1" "$T_META" || return 1
	t_dm_linear "c_data_$1" "$T_DATA" || return 1
	mkdir -p "$(t_cmnt "$1")"
	mount -t scoutfs -o "metadev_path=/dev/mapper/c_meta_$1${2:+,$2}" "/dev/mapper/c_data_$1" \
		"$(t_cmnt "$1")"
}

t_cumount() {
	umount "$(t_cmnt "$1")" || return 1
	t_dm_remove "c_meta_$1"
	t_dm_remove "c_data_$1"
}

t_remount() {
	t_umount "${1:-0}" && t_mount "$@"
}

t_sync() {
	sync
}

# t_check [counts]: check the volume offline and print its exit status,
# any problems and the summary line: with "counts", the inode, item and
# data block counts (the volatile free counts left out), else the verdict.
t_check() {
	scoutfs check "$T_META" "$T_DATA" > "$T_TMP/ck" 2>&1
	echo "check rc=$?"
	grep -v '^checked ' "$T_TMP/ck"
	if [ "$1" = counts ]; then
		sed -n 's/^checked \([0-9]* inodes, [0-9]* items\), .*), \([0-9]* data blocks in use\) (.*: /checked \1, \2: /p' "$T_TMP/ck"
	else
		sed -n 's/^checked .*: /check: /p' "$T_TMP/ck"
	fi
}

# Reboot at once without syncing; the host must boot the same disks again
# (see Vm.boot in runner.ts).  Results so far are saved first.  In the
# suite, the scenario then runs again in a new boot with T_CRASHES=1 (2
# after a second crash, ...), so a crash scenario reads:
#   if [ "$T_CRASHES" -eq 0 ]; then ...; t_crash; fi; ...after the crash...
# Its output and kernel lines are those of all its boots, in order.
t_crash() {
	: > "$T_RESULT/crashed"
	# shellcheck disable=SC1091 # in the initramfs
	. /etc/vmlib.sh && vm_dmesg_drain >> "$T_RESULT/dmesg"
	vm-crash
}
