#!/bin/bash
# `make vm-shell`: an interactive busybox shell in the guest on this
# terminal, with scoutfs.ko loaded, /dev/vm/meta and /dev/vm/data attached
# (64 GiB sparse, fresh each time), the host root read-only at /host and
# the scoutfs CLI on PATH.  Exit the shell (or Ctrl-A x) to power off.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
bash test/vm/setup.sh > /dev/null
exec node_modules/.bin/ts-node --transpile-only test/vm/cli.ts shell "$@"
