#!/bin/bash
# Runs the VM scenario suite (all of test/vm/sequence in one boot).
#   test/vm/run-tests.sh                 everything
#   test/vm/run-tests.sh -I module-load  scenarios matching a regex (-E excludes)
#   SCOUTFS_VM_BLESS=1 test/vm/run-tests.sh -I NAME   rewrite golden/NAME
#   test/vm/run-tests.sh --console       stream the guest console live
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
exec node_modules/.bin/ts-node --transpile-only test/vm/cli.ts suite "$@"
