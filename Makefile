# Switchboard. `make run` and `make test` install what is missing, build, and run.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Debian packages the build needs (C libraries reached through system-library targets).
BUILD_PACKAGES := pkg-config libmicrohttpd-dev libcurl4-openssl-dev libsqlite3-dev libssl-dev libyajl-dev
# Extra packages for benchmarks.
BENCH_PACKAGES := wrk

CONFIG ?= Config/switchboard.json
SWIFT ?= swift

.PHONY: help deps bench-deps build release run test bench-http bench-translate clean

help:
	@echo "make run              install what is missing, build (release), start the gateway with $(CONFIG)"
	@echo "make test             install what is missing, build, run every test"
	@echo "make bench-http       HTTP throughput of 'switchboard serve' against a C libmicrohttpd hello server"
	@echo "make bench-translate  Salpre -> CallingBox events/s of 'switchboard translate' against a Python baseline"
	@echo "make clean            remove build output"

deps:
	@command -v $(SWIFT) >/dev/null || { echo "error: the Swift toolchain ('swift') is not on PATH; see README.md" >&2; exit 1; }
	@scripts/install-deps.sh $(BUILD_PACKAGES)

bench-deps: deps
	@scripts/install-deps.sh $(BENCH_PACKAGES)

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product switchboard

run: release
	@mkdir -p var
	.build/release/switchboard serve --config $(CONFIG)

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench-http: bench-deps
	scripts/bench-http.sh

bench-translate: deps
	scripts/bench-translate.sh

clean:
	rm -rf .build .build-* var
