#!/bin/bash
# mirror.sh SRC OUT: makes OUT a tree of symbolic links to the sources in
# SRC (Kbuild, *.c, *.h, also in subdirectories), so that kbuild writes a
# kernel's objects into OUT and builds for several kernels coexist.  Links
# to sources that are gone are removed.
set -euo pipefail
src=$(cd "$1" && pwd)
out=$2
mkdir -p "$out"
find "$out" -type l ! -exec test -e {} \; -delete
cd "$src"
find . \( -name Kbuild -o -name '*.[ch]' \) ! -name '*.mod.c' ! -name compat-probes.h |
while read -r f; do
	mkdir -p "$out/$(dirname "$f")"
	ln -sfn "$src/$f" "$out/$f"
done
