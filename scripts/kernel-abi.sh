#!/bin/bash
# Print the Debian kernel ABI (e.g. 6.1.0-56-amd64) that the linux-headers-amd64
# metapackage currently resolves to.  The module is built against these headers
# and the VM boots the image of the same ABI.  Never hard-coded: it moves with
# Debian's security updates.
set -euo pipefail
if [ -n "${SCOUTFS_KERNEL_ABI:-}" ]; then
	echo "$SCOUTFS_KERNEL_ABI"
	exit 0
fi
dep=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null || true)
if [ -z "$dep" ]; then
	dep=$(apt-cache depends linux-headers-amd64 2>/dev/null | awk '/Depends:/ {print $2; exit}')
fi
abi=$(echo "$dep" | grep -o 'linux-headers-[0-9][^ ,]*-amd64' | head -1 | sed 's/^linux-headers-//')
if [ -z "$abi" ]; then
	echo "kernel-abi: cannot resolve linux-headers-amd64 (run 'make deps' first)" >&2
	exit 1
fi
echo "$abi"
