#!/bin/bash
# Idempotent host set-up on Debian 12: apt packages, node modules, and the VM
# kernel image cache.  Re-running it when everything is present does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Two kernels: 6.1 (linux-headers-amd64, the default) and 6.12
# (linux-headers-6.12-amd64).  The 6.12 headers package depends on its
# image package (linux-image-<ABI> | ...-unsigned), so apt installs that
# image on the host too; --no-install-recommends cannot avoid it.  The VM
# boots its own extracted copy (test/vm/setup.sh) either way.
# sparse and linux-source-6.12 (for its scripts/checkpatch.pl) are for make lint.
pkgs=(build-essential gcc make kmod cpio linux-headers-amd64 linux-headers-6.12-amd64
      qemu-system-x86 busybox-static dmsetup e2fsprogs python3 sparse linux-source-6.12)
missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup-host: installing ${missing[*]}"
	SUDO=
	[ "$(id -u)" -ne 0 ] && SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# A headers metapackage may have moved to a new ABI; make sure the
# versioned headers it points at are really there.
for series in "" 6.12; do
	abi=$(scripts/kernel-abi.sh $series)
	if [ ! -d "/lib/modules/$abi/build" ]; then
		echo "setup-host: headers for $abi missing; installing linux-headers-$abi"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			"linux-headers-$abi"
	fi
done

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	npm ci --no-audit --no-fund
fi

# checkpatch.pl and its word lists, out of the linux-source tarball, once.
scripts/checkpatch-path.sh >/dev/null

if [ -f test/vm/setup.sh ]; then
	bash test/vm/setup.sh --all
fi
