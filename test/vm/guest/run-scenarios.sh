# Guest side of the scenario suite, sourced by the boot script that
# test/vm/suite.ts writes.  Runs each scenario in $T_SCENARIOS in a fresh sh
# with funcs.sh sourced, and records in /results/scenarios/<name>/: output
# (stdout+stderr), status, dmesg (kernel lines logged during it), seconds,
# and what funcs.sh helpers declared (dmesg-expect, dmesg-allow, skip,
# crashed).  After a t_crash the host boots again with T_RESUME (the
# scenario to run again) and T_RESUME_CRASHES (its T_CRASHES).
# A scenario is killed after $T_SCENARIO_TIMEOUT seconds.  The host compares; the results disk is saved after every scenario so a
# later hang or panic does not lose the earlier ones.
. /etc/vmlib.sh

uptime_cs() {
	# /proc/uptime in hundredths of a second.
	read -r up _ < /proc/uptime
	echo "${up%.*}${up#*.}"
}

for name in $T_SCENARIOS; do
	dir=/results/scenarios/$name
	tmp=/tmp/t/$name
	mkdir -p "$dir" "$tmp"
	vm_dmesg_drain > /dev/null
	echo "vm: scenario $name"
	start=$(uptime_cs)
	(
		cd "$tmp" || exit 1
		# a crash scenario booted again after t_crash: how many times it crashed
		T_CRASHES=0
		[ "$name" = "${T_RESUME:-}" ] && T_CRASHES=$T_RESUME_CRASHES
		export T_NAME="$name" T_TMP="$tmp" T_RESULT="$dir" T_CRASHES
		exec timeout -s KILL "$T_SCENARIO_TIMEOUT" \
			sh -c '. "$T_VM/funcs.sh" && . "$T_VM/tests/$T_NAME.sh"'
	) < /dev/null > "$dir/output" 2>&1
	echo $? > "$dir/status"
	end=$(uptime_cs)
	echo $((end - start)) > "$dir/centiseconds"
	vm_dmesg_drain > "$dir/dmesg"
	echo "vm: scenario $name exited with $(cat "$dir/status")"
	vm_save_results
done
