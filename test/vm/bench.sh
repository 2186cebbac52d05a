#!/bin/bash
# `make bench`: benchmarks in the VM; results in bench-results/.
#   test/vm/bench.sh          both
#   test/vm/bench.sh fs       scoutfs vs ext4 workloads (issue 4): fs-core.{json,md}
#   test/vm/bench.sh walk     change index vs find -newer (issue 5): walk.{json,md}
#   test/vm/bench.sh cluster  three mounts of one volume vs one (issue 12): cluster.{json,md}
set -euo pipefail
cd "$(dirname "$0")/../.."
bash test/vm/setup.sh
what=${1:-all}
if [ "$what" = all ] || [ "$what" = fs ]; then
	npx ts-node --transpile-only test/vm/bench.ts
fi
if [ "$what" = all ] || [ "$what" = walk ]; then
	npx ts-node --transpile-only test/vm/bench-walk.ts
fi
if [ "$what" = all ] || [ "$what" = cluster ]; then
	npx ts-node --transpile-only test/vm/bench-cluster.ts
fi
