#!/bin/bash
# The lint lane (make lint): every check that needs no VM and no test run.
#
#   scripts/lint.sh [PART...]     PART: ts sparse checkpatch gen-width (all by default)
#
#   ts          eslint (typescript-eslint), prettier --check, tsc --noEmit (npm run lint:ts)
#   sparse      the module built with sparse on every C file
#               (make C=2 CF=-D__CHECK_ENDIAN__; KDIR picks another kernel tree)
#   checkpatch  the kernel's checkpatch.pl --no-tree --file on the hand-written C
#               in kmod/src, less the deliberate exceptions below
#   gen-width   generated C (kmod/src/gen/, and any file in kmod/src marked
#               "Code generated ... DO NOT EDIT") within 100 columns
#
# Every part runs even when an earlier one failed; each finding is printed as
# path:line: ..., and the closing lines give each part's result and time.
# Exit status 0 only when every part is clean.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# Deliberate checkpatch exceptions: keep this list short and say why.
#
# Types ignored everywhere (none yet):
ignore_all=()

max_cols=100

is_generated() {
	head -n 5 "$1" | grep -q 'Code generated .* DO NOT EDIT'
}

# Hand-written C of the module: kmod/src/*.[ch], less kbuild's *.mod.c and
# generated files.
handwritten_c() {
	local f
	for f in kmod/src/*.c kmod/src/*.h; do
		[ -f "$f" ] || continue
		case "$f" in *.mod.c) continue ;; esac
		is_generated "$f" && continue
		echo "$f"
	done
}

generated_c() {
	local f
	for f in kmod/src/gen/*.c kmod/src/gen/*.h kmod/src/*.c kmod/src/*.h; do
		[ -f "$f" ] || continue
		case "$f" in *.mod.c) continue ;; esac
		case "$f" in kmod/src/gen/*) ;; *) is_generated "$f" || continue ;; esac
		echo "$f"
	done
}

part_ts() {
	if [ ! -d node_modules ]; then
		echo "lint ts: node_modules is missing: run 'make deps' (or npm ci)"
		return 1
	fi
	npm run --silent lint:ts
}

part_sparse() {
	if ! command -v sparse >/dev/null; then
		echo "lint sparse: sparse is not installed: run 'make deps'"
		return 1
	fi
	local out rc
	out=$(mktemp)
	# C=2 checks every file, built or not (C=1 would only check what it
	# recompiles); the objects are the module's own, as make module builds.
	make --no-print-directory -C kmod module C=2 CF=-D__CHECK_ENDIAN__ >"$out" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		sed "s|$root/||g" "$out"
		echo "lint sparse: the module did not build (make -C kmod module exited $rc)"
		rm -f "$out"
		return 1
	fi
	# sparse: FILE:LINE:COL: warning|error: ..., with continuation lines
	# FILE:LINE:COL:    expected/got ...
	local ours others
	ours=$(grep -E "^$root/[^:]+:[0-9]+:[0-9]+: " "$out" | sed "s|^$root/||")
	others=$(grep -E '^/[^:]+:[0-9]+:[0-9]+: (warning|error):' "$out" | grep -v "^$root/" | wc -l)
	rm -f "$out"
	if [ "$others" -gt 0 ]; then
		echo "lint sparse: $others findings in the kernel's own headers (not counted)"
	fi
	if [ -n "$ours" ]; then
		echo "$ours"
		local n
		n=$(echo "$ours" | grep -cE ': (warning|error): ')
		echo "lint sparse: $n findings"
		return 1
	fi
	return 0
}

part_checkpatch() {
	local cp
	cp=$(scripts/checkpatch-path.sh) || return 1
	local opts=(--no-tree --file --terse --show-types --no-summary --quiet --color=never)
	local t
	for t in "${ignore_all[@]}"; do
		opts+=(--ignore "$t")
	done
	local files=() out rc=0
	mapfile -t files < <(handwritten_c)
	# Paths as given (kmod/src/...) are what checkpatch prints and what its
	# file-name checks compare with, as in a kernel tree.
	out=$(perl "$cp" "${opts[@]}" "${files[@]}")
	out=$(echo "$out" | grep -E '^[^ ]+:[0-9]+: ')
	if [ -n "$out" ]; then
		echo "$out"
		echo "lint checkpatch: $(echo "$out" | wc -l) findings ($(basename "$(dirname "$cp")"))"
		rc=1
	fi
	return $rc
}

part_gen_width() {
	local f out=""
	while read -r f; do
		out+=$(expand -t 8 "$f" | awk -v f="$f" -v max=$max_cols \
			'length($0) > max { printf "%s:%d: %d columns (at most %d)\n", f, NR, length($0), max }')
	done < <(generated_c)
	out=$(echo "$out" | grep -v '^$')
	if [ -n "$out" ]; then
		echo "$out"
		echo "lint gen-width: $(echo "$out" | wc -l) generated lines over $max_cols columns (fix the emitters in codegen/, then npm run codegen)"
		return 1
	fi
	return 0
}

parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(ts sparse checkpatch gen-width)

results=()
failed=()
for p in "${parts[@]}"; do
	case "$p" in
	ts | sparse | checkpatch | gen-width) ;;
	*)
		echo "lint: unknown part '$p' (ts sparse checkpatch gen-width)" >&2
		exit 2
		;;
	esac
	echo "== lint $p"
	start=$(date +%s%N)
	"part_${p//-/_}"
	rc=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	secs=$((ms / 1000)).$((ms % 1000 / 100))
	if [ $rc -eq 0 ]; then
		results+=("$(printf 'lint %-10s ok      %5.1f s' "$p" "$secs")")
	else
		results+=("$(printf 'lint %-10s FAILED  %5.1f s' "$p" "$secs")")
		failed+=("$p")
	fi
done
printf '%s\n' "${results[@]}"
if [ ${#failed[@]} -gt 0 ]; then
	echo "lint: FAILED (${failed[*]})"
	exit 1
fi
echo "lint: ok"
