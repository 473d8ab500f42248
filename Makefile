# Switchboard. `make run` and `make test` install what is missing, build, and run.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Debian packages the build needs (C libraries reached through system-library targets).
BUILD_PACKAGES := pkg-config libmicrohttpd-dev libcurl4-openssl-dev libsqlite3-dev libssl-dev libyajl-dev
# Extra packages for the tests: e2fsprogs makes the ext4 file system of the read-only store fault test.
TEST_PACKAGES := e2fsprogs
# Extra packages for benchmarks.
BENCH_PACKAGES := wrk

CONFIG ?= Config/switchboard.json
SWIFT ?= swift

# The interop suite (Tests/interop) runs the vendors' own Python SDKs against `switchboard sign`/`verify`.
PYTHON ?= python3
VENV := .venv
INTEROP_REQUIREMENTS := Tests/interop/requirements.txt
# Each of these test modules must contribute tests: a suite that collects nothing fails.
INTEROP_MODULES := test_callingbox,test_standardwebhooks,test_inkbox,test_delivery_sdks,test_callingbox_api,test_incoming_call,test_receiver_outage,test_hostile_rss,test_store_lock,test_docs,test_secret_rotation,test_delivery_recovery,test_management_limits,test_provider_signatures,test_rejections,test_leaks,test_telnyx_vonage_mappings,test_provider_calls,test_standardwebhooks_v1a,test_vapi_hmac,test_provider_answers
INTEROP_PYTEST = PYTHONDONTWRITEBYTECODE=1 $(VENV)/bin/python -m pytest -p no:cacheprovider \
	Tests/interop --require-modules $(INTEROP_MODULES)

.PHONY: help deps interop-deps bench-deps build release run install test test-system test-sanitizers fuzz interop bench-http bench-gateway bench-translate bench-incoming clean

help:
	@echo "make run              install what is missing, build (release), start the gateway with $(CONFIG)"
	@echo "make install          build (release), install to PREFIX (/usr/local): bin/switchboard, share/switchboard/{mappings,switchboard.example.json}"
	@echo "make test             install what is missing, build, run every test (Swift, then the SDK interop suite)"
	@echo "make interop          build, run only the interop suite against the vendors' Python SDKs (in $(VENV))"
	@echo "make test-system      20,000 events while the gateway is SIGKILLed and restarted (EVENTS=20000, ~2 min), then the attacks of docs/reliability.md (~3 min)"
	@echo "make test-sanitizers  every Swift test under ThreadSanitizer, then AddressSanitizer (a few minutes)"
	@echo "make fuzz             libFuzzer on the JSON reader, decoders, signatures, mappings (FUZZ_SECONDS=180 each)"
	@echo "make bench-http       HTTP throughput of 'switchboard serve' against a C libmicrohttpd hello server"
	@echo "make bench-gateway    ingest requests/s against the C hello server, deliveries/s, end-to-end latency at 1,000 events/s"
	@echo "make bench-translate  Salpre -> CallingBox events/s of 'switchboard translate' against a Python baseline"
	@echo "make bench-incoming   Inkbox incoming calls: the bridge's added latency, and /healthz while decisions wait"
	@echo "make clean            remove build output"

deps:
	@command -v $(SWIFT) >/dev/null || { echo "error: the Swift toolchain ('swift') is not on PATH; see README.md" >&2; exit 1; }
	@scripts/install-deps.sh $(BUILD_PACKAGES)

# A virtual environment with the pinned SDKs and pytest; rebuilt when the requirements change.
interop-deps: $(VENV)/.installed

$(VENV)/.installed: $(INTEROP_REQUIREMENTS)
	@command -v $(PYTHON) >/dev/null || scripts/install-deps.sh python3 python3-venv
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { rm -rf $(VENV); scripts/install-deps.sh python3-venv && $(PYTHON) -m venv $(VENV); } \
		|| { rm -rf $(VENV); echo "error: '$(PYTHON) -m venv' failed: this Python lacks venv/ensurepip; install it (Debian: apt-get install python3-venv) or pass PYTHON=/path/to/python3" >&2; exit 1; }
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r $(INTEROP_REQUIREMENTS)
	@touch $@

bench-deps: deps
	@scripts/install-deps.sh $(BENCH_PACKAGES)

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product switchboard

run: release
	@mkdir -p var
	.build/release/switchboard serve --config $(CONFIG)

# `make install PREFIX=/usr/local`: the binary finds <prefix>/share/switchboard/mappings by itself.
# INSTALL_BINARY installs another build instead of building the release one (the tests use the debug one).
PREFIX ?= /usr/local
RELEASE_BINARY := .build/release/switchboard
INSTALL_BINARY ?= $(RELEASE_BINARY)
SHARE_DIR = $(DESTDIR)$(PREFIX)/share/switchboard

install: $(if $(filter $(RELEASE_BINARY),$(INSTALL_BINARY)),release)
	install -d $(DESTDIR)$(PREFIX)/bin $(SHARE_DIR)/mappings/tests
	install -m 755 $(INSTALL_BINARY) $(DESTDIR)$(PREFIX)/bin/switchboard
	install -m 644 mappings/*.json mappings/README.md $(SHARE_DIR)/mappings/
	install -m 644 mappings/tests/*.json $(SHARE_DIR)/mappings/tests/
	install -m 644 Config/switchboard.production.json $(SHARE_DIR)/switchboard.example.json

test: deps interop-deps
	@scripts/install-deps.sh $(TEST_PACKAGES)
	$(SWIFT) build --build-tests
	@scripts/clean-test-mounts.sh
	$(SWIFT) test --skip-build
	$(INTEROP_PYTEST)

# The system tests (SIGKILL storm, attacks: docs/reliability.md) use the release binary and the interop venv.
test-system: release interop-deps
	PYTHONDONTWRITEBYTECODE=1 $(VENV)/bin/python scripts/system/crash_test.py
	PYTHONDONTWRITEBYTECODE=1 $(VENV)/bin/python scripts/system/routing_cost.py
	PYTHONDONTWRITEBYTECODE=1 $(VENV)/bin/python scripts/system/attack_connections.py
	PYTHONDONTWRITEBYTECODE=1 $(VENV)/bin/python scripts/system/endpoint_isolation.py
	# The leak, log-flood and bounds tests of `make test`, again against the release binary.
	SWITCHBOARD_BIN=.build/release/switchboard PYTHONDONTWRITEBYTECODE=1 $(VENV)/bin/python -m pytest -p no:cacheprovider \
		Tests/interop/test_leaks.py Tests/interop/test_rejections.py Tests/interop/test_management_limits.py

# ThreadSanitizer runs the tests one at a time: its slowdown would otherwise trip the tests' bounded waits.
# AddressSanitizer skips the tests that spawn processes (Foundation's Process.run trips ASan itself).
# LeakSanitizer is on, with the reports explained in scripts/sanitizers/lsan.supp suppressed; see docs/reliability.md.
SANITIZER_SKIP := ServeProcessTests|aCrashMidAttempt|ReadOnlyFileSystemTests
test-sanitizers: deps
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan
	$(SWIFT) test --skip-build --sanitize=thread --scratch-path .build-tsan --no-parallel
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan
	ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/scripts/sanitizers/lsan.supp:print_suppressions=0 \
		$(SWIFT) test --skip-build --sanitize=address --scratch-path .build-asan --skip "$(SANITIZER_SKIP)"

fuzz: deps
	scripts/fuzz.sh

interop: build interop-deps
	$(INTEROP_PYTEST)

bench-http: bench-deps
	scripts/bench-http.sh

bench-gateway: bench-deps
	scripts/bench-gateway.sh

bench-translate: deps
	scripts/bench-translate.sh

bench-incoming: bench-deps
	scripts/bench-incoming.sh

clean:
	rm -rf .build .build-* var
