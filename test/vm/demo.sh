#!/bin/bash
# `make demo`: boots the VM and runs the quick start (guest/demo.sh), step by
# step, on the live console.  It stops at the first step that is not
# implemented yet and says which; see guest/demo.sh for the exit status.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
bash test/vm/setup.sh > /dev/null
[ -f kmod/src/scoutfs.ko ] || { echo "demo: kmod/src/scoutfs.ko missing: run 'make module'" >&2; exit 1; }
[ -f build/utils/src/cli.js ] || { echo "demo: the scoutfs CLI is not built: run 'make build'" >&2; exit 1; }
echo "demo: booting Debian's kernel under qemu (about 10-20 s)..."
exec node_modules/.bin/ts-node --transpile-only test/vm/cli.ts run --console --no-insmod test/vm/guest/demo.sh
