#!/bin/bash
# Print the Debian kernel ABI (e.g. 6.1.0-56-amd64) that a linux-headers
# metapackage currently resolves to.  The module is built against these
# headers and the VM boots the image of the same ABI.  Never hard-coded: it
# moves with Debian's security updates.
#   kernel-abi.sh          the default kernel: linux-headers-amd64 (6.1)
#                          (SCOUTFS_KERNEL_ABI overrides it)
#   kernel-abi.sh 6.12     the other one: linux-headers-6.12-amd64
set -euo pipefail
meta=linux-headers-amd64
if [ $# -gt 0 ] && [ -n "$1" ]; then
	meta="linux-headers-$1-amd64"
elif [ -n "${SCOUTFS_KERNEL_ABI:-}" ]; then
	echo "$SCOUTFS_KERNEL_ABI"
	exit 0
fi
dep=$(dpkg-query -W -f='${Depends}' "$meta" 2>/dev/null || true)
if [ -z "$dep" ]; then
	dep=$(apt-cache depends "$meta" 2>/dev/null | awk '/Depends:/ {print $2; exit}')
fi
abi=$(echo "$dep" | grep -o 'linux-headers-[0-9][^ ,]*-amd64' | head -1 | sed 's/^linux-headers-//')
if [ -z "$abi" ]; then
	echo "kernel-abi: cannot resolve $meta (run 'make deps' first)" >&2
	exit 1
fi
echo "$abi"
