#!/bin/bash
# Print the path of a usable checkpatch.pl (the kernel's style checker) with
# its spelling.txt and const_structs.checkpatch beside it.
#
# Debian's linux-headers packages do not ship checkpatch.pl; the
# linux-source-6.12 package (installed by `make deps`) has it inside its
# tarball, so the three files are extracted once into
# .cache/checkpatch/<package version>/.  $CHECKPATCH overrides the search
# (a kernel tree's scripts/checkpatch.pl, say).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

if [ -n "${CHECKPATCH:-}" ]; then
	[ -f "$CHECKPATCH" ] || { echo "checkpatch: CHECKPATCH=$CHECKPATCH does not exist" >&2; exit 1; }
	echo "$CHECKPATCH"
	exit 0
fi

# A kernel tree or headers package that carries scripts/checkpatch.pl.
for f in /usr/src/linux-headers-*-common/scripts/checkpatch.pl \
	 /usr/src/linux-source-*/scripts/checkpatch.pl; do
	if [ -f "$f" ]; then
		echo "$f"
		exit 0
	fi
done

# The newest linux-source tarball.
tarball=$(ls -1 /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$tarball" ]; then
	echo "checkpatch: no checkpatch.pl and no /usr/src/linux-source-*.tar.xz: run 'make deps' (installs linux-source-6.12)" >&2
	exit 1
fi
pkg=$(basename "$tarball" .tar.xz)
ver=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || stat -c %Y "$tarball")
dir="$root/.cache/checkpatch/$pkg-${ver//\~/_}"
if [ ! -f "$dir/.complete" ]; then
	echo "checkpatch: extracting checkpatch.pl from $tarball into $dir" >&2
	rm -rf "$dir"
	mkdir -p "$dir"
	tar -xJf "$tarball" -C "$dir" --strip-components=2 \
		"$pkg/scripts/checkpatch.pl" "$pkg/scripts/spelling.txt" \
		"$pkg/scripts/const_structs.checkpatch"
	touch "$dir/.complete"
fi
echo "$dir/checkpatch.pl"
