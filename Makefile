# scoutfs top-level targets.  `make help` lists them.
SHELL := /bin/bash

.PHONY: help deps build codegen codegen-check module module-6.12 lint lint-ts \
	lint-sparse lint-checkpatch lint-gen-width test test-fast test-unit test-vm \
	demo vm-setup vm-shell bench fuzz soak clean

help:
	@echo "make deps          install host packages (apt) and node modules (npm ci)"
	@echo "make codegen       regenerate kmod/src/gen and utils/src/gen from format/"
	@echo "make codegen-check fail if generated files or format/format.lock are stale"
	@echo "make build         compile the TypeScript utilities into build/"
	@echo "make module        build kmod/src/scoutfs.ko against the Debian headers (6.1)"
	@echo "make module KVER=ABI  build kmod/build/ABI/scoutfs.ko for /lib/modules/ABI/build"
	@echo "make module-6.12   the same for Debian 12's 6.12 kernel (linux-headers-6.12-amd64)"
	@echo "make lint          lint lane: eslint+prettier+tsc, sparse, checkpatch, generated C width"
	@echo "                   (one part: make lint-ts, lint-sparse, lint-checkpatch, lint-gen-width)"
	@echo "make test          everything: the fast lane (codegen-check, lint, build, unit tests),"
	@echo "                   then, only if it passed, the VM suites"
	@echo "make test-fast     the fast lane only (no VM)"
	@echo "make test-unit     jest unit and generator tests only (no VM)"
	@echo "make test-vm       VM scenario suites only"
	@echo "make demo          quick start in a VM (installs what it needs)"
	@echo "make vm-shell      interactive guest shell with the module loaded"
	@echo "make bench         benchmarks (results in bench-results/)"
	@echo "make fuzz          fuzz the module with mutated images in VMs (FUZZ_CASES, FUZZ_SEED; bench-results/fuzz.md)"
	@echo "make soak          power-cut soak: workload, sysrq-b, check, verify fsync'd data (SOAK_CYCLES, SOAK_SEED; bench-results/soak.md)"

deps:
	bash scripts/setup-host.sh

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund

codegen: node_modules/.package-lock.json
	npm run --silent codegen

codegen-check: node_modules/.package-lock.json
	npm run --silent codegen -- --check

build: node_modules/.package-lock.json
	npm run --silent build

module:
	$(MAKE) -C kmod module

module-6.12:
	$(MAKE) -C kmod module KVER=$$(scripts/kernel-abi.sh 6.12)

# The lint lane (scripts/lint.sh; README "The lint lane"); KDIR=... lints
# against another kernel tree.
lint: node_modules/.package-lock.json
	@bash scripts/lint.sh

lint-ts lint-sparse lint-checkpatch lint-gen-width: node_modules/.package-lock.json
	@bash scripts/lint.sh $(@:lint-%=%)

# The fast lane (codegen-check, lint, build, unit) and then, if it passed,
# the VM suites; scripts/test-lanes.sh prints each lane's result and time.
test: deps
	@bash scripts/test-lanes.sh

test-fast: deps
	@bash scripts/test-lanes.sh --fast

test-unit: build module module-6.12
	npx jest --ci --selectProjects unit

test-vm: build module module-6.12
	npx jest --ci --selectProjects vm

vm-setup:
	bash test/vm/setup.sh

demo: deps build module
	bash test/vm/demo.sh

vm-shell: build module
	bash test/vm/shell.sh

bench: build module
	bash test/vm/bench.sh

clean:
	rm -rf build
	$(MAKE) -C kmod clean

# The fuzzer (test/fuzz/): FUZZ_CASES (2000), FUZZ_SEED, FUZZ_ONLY, FUZZ_BASE; results in bench-results/fuzz.{json,md}
fuzz: build module
	node_modules/.bin/ts-node --transpile-only test/fuzz/fuzz.ts

# The power-cut soak (test/soak/): SOAK_CYCLES (100), SOAK_SEED, SOAK_DELAY (A,B s); results in bench-results/soak.{json,md}
soak: build module
	node_modules/.bin/ts-node --transpile-only test/soak/soak.ts
