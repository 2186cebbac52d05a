#!/bin/bash
# Idempotent set-up of the VM bench: extracts Debian's kernel image of the
# same ABI as the installed headers into .cache/vm/<ABI>/ (the image package
# is never installed: that would regenerate the host's initramfs) and builds
# its modules.dep so the runner can compute module load order.
#
#   test/vm/setup.sh            the default kernel (scripts/kernel-abi.sh)
#   test/vm/setup.sh ABI...     these ABIs (e.g. a module's vermagic)
#   test/vm/setup.sh --all      the default and 6.12 (what `make deps` does)
#
# Prints the (last) cache directory's absolute path on its last line.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

missing=()
for cmd in qemu-system-x86_64 depmod modprobe cpio dpkg-deb apt-get; do
	command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
done
[ -x /bin/busybox ] || missing+=(busybox-static)
if [ ${#missing[@]} -gt 0 ]; then
	echo "vm-setup: missing ${missing[*]}: run 'make deps' first" >&2
	exit 1
fi
# busybox (dynamic) and busybox-static both provide /bin/busybox; the
# initramfs has no libc, so it must be the static one.
if ldd /bin/busybox >/dev/null 2>&1; then
	echo "vm-setup: /bin/busybox is dynamically linked: install busybox-static ('make deps')" >&2
	exit 1
fi

abis=("$@")
if [ ${#abis[@]} -eq 0 ]; then
	abis=("$(scripts/kernel-abi.sh)")
elif [ "${abis[0]}" = --all ]; then
	abis=("$(scripts/kernel-abi.sh)" "$(scripts/kernel-abi.sh 6.12)")
fi

tmp=
trap 'rm -rf "$tmp"' EXIT
extract() {
	local abi=$1

	cache="$root/.cache/vm/$abi"
	stamp="$cache/.complete"
	if [ -f "$stamp" ]; then
		return 0
	fi

	echo "vm-setup: extracting linux-image-$abi into $cache" >&2
	rm -rf "$cache"
	mkdir -p "$cache"
	tmp=$(mktemp -d "$root/.cache/vm/dl.XXXXXX")
	# Prefer the exact version of the installed headers; fall back to the
	# candidate (same ABI means the same vermagic).
	hdr_ver=$(dpkg-query -W -f='${Version}' "linux-headers-$abi" 2>/dev/null || true)
	(
		cd "$tmp"
		if [ -z "$hdr_ver" ] || ! apt-get download -q "linux-image-$abi=$hdr_ver" >/dev/null 2>&1; then
			if ! apt-get download -q "linux-image-$abi" >/dev/null; then
				apt-get update -qq
				apt-get download -q "linux-image-$abi" >/dev/null
			fi
		fi
	)
	deb=$(ls "$tmp"/linux-image-*.deb)
	dpkg-deb -x "$deb" "$cache"
	[ -f "$cache/boot/vmlinuz-$abi" ] || { echo "vm-setup: no vmlinuz in $deb" >&2; exit 1; }
	# The package ships modules under lib/modules/<abi>; modules.dep is made by
	# its postinst, which we never run.
	depmod -b "$cache" "$abi"
	rm -rf "$tmp"
	touch "$stamp"
}

for abi in "${abis[@]}"; do
	extract "$abi"
done
echo "$cache"
