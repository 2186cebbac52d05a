#!/bin/bash
# make test after make deps: the fast lane first, then the VM suites.
# make test-fast (--fast): the fast lane only.
#
#   fast lane   codegen-check (generated files and format.lock up to date),
#               lint (make lint: TypeScript, sparse, checkpatch, generated C width),
#               build (make build module module-6.12), unit (jest's unit project)
#   vm          jest's vm project (qemu guests), only when the fast lane passed
#
# Every fast-lane step runs even when an earlier one failed, so one run
# shows every quick problem; a failure there stops before any VM boots.
# Each lane's result and time go to build/test-lanes.tsv and, with jest's
# result files, into the closing summary (scripts/test-summary.js).
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
lanes=build/test-lanes.tsv
: >"$lanes"
rm -f build/jest-unit.json build/jest-vm.json

# lane NAME RESULTS_JSON_OR_- COMMAND...
lane() {
	local name=$1 json=$2 start rc ms secs
	shift 2
	echo "== $name: $*"
	start=$(date +%s%N)
	"$@"
	rc=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	secs=$((ms / 1000)).$((ms % 1000 / 100))
	printf '%s\t%s\t%.1f\t%s\n' "$name" "$([ $rc -eq 0 ] && echo ok || echo failed)" \
		"$secs" "$json" >>"$lanes"
	return $rc
}

fast_ok=1
lane codegen-check - make --no-print-directory codegen-check || fast_ok=0
lane lint - make --no-print-directory lint || fast_ok=0
lane build - make --no-print-directory build module module-6.12 || fast_ok=0
lane unit build/jest-unit.json \
	npx jest --ci --selectProjects unit --json --outputFile=build/jest-unit.json || fast_ok=0

if [ "${1:-}" = --fast ]; then
	printf 'vm\tnot run\t0\t-\tmake test-fast\n' >>"$lanes"
elif [ $fast_ok -eq 1 ]; then
	lane vm build/jest-vm.json \
		npx jest --ci --selectProjects vm --json --outputFile=build/jest-vm.json
else
	printf 'vm\tnot run\t0\t-\tthe fast lane failed\n' >>"$lanes"
fi

node scripts/test-summary.js --lanes "$lanes"
