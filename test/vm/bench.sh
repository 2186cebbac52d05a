#!/bin/bash
# `make bench`: scoutfs vs ext4 in one VM boot; results in bench-results/.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash test/vm/setup.sh
exec npx ts-node --transpile-only test/vm/bench.ts "$@"
