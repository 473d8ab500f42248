#!/usr/bin/env bash
# make fuzz: builds the libFuzzer driver (AddressSanitizer on) and runs each fuzz target for
# FUZZ_SECONDS (default 180) from the seed corpus in Tests/FuzzCorpus/<target>.
#   FUZZ_SECONDS=600 FUZZ_TARGETS="json signatures" make fuzz
# The growing corpus lives in var/fuzz/<target>; a crash, leak or timeout is written to
# var/fuzz/artifacts/<target>/. Reproduce one without the fuzzer:
#   swift run switchboard-fuzz <target> var/fuzz/artifacts/<target>/crash-...
# then copy it into Tests/FuzzCorpus/<target>/ so `make test` replays it for ever.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-180}
targets=${FUZZ_TARGETS:-"json decoders signatures mapping"}
binary=.build-fuzz/debug/switchboard-fuzz

echo "building the fuzz driver (-sanitize=fuzzer,address)…"
# The gold linker warns once per ASan symbol it cannot export; the warnings are harmless noise.
swift build --product switchboard-fuzz --scratch-path .build-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING 2>&1 | grep -v "Cannot export local symbol" || true
[ -x "$binary" ] || { echo "fuzz: the build failed" >&2; exit 1; }

failed=()
for target in $targets; do
    corpus=var/fuzz/$target
    artifacts=var/fuzz/artifacts/$target/
    mkdir -p "$corpus" "$artifacts"
    echo "== $target: ${seconds}s"
    status=0
    SWITCHBOARD_FUZZ_TARGET=$target \
    LSAN_OPTIONS=suppressions=scripts/fuzz/lsan.supp:print_suppressions=0 \
        "$binary" -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$artifacts" -print_final_stats=1 "$corpus" "Tests/FuzzCorpus/$target" \
        > "var/fuzz/$target.log" 2>&1 || status=$?
    grep -E "^#[0-9]+[[:space:]]+DONE|^Done|stat::number_of_executed_units|stat::peak_rss_mb" "var/fuzz/$target.log" || true
    if [ "$status" -ne 0 ]; then
        grep -E "ERROR:|SUMMARY:|Test unit written" "var/fuzz/$target.log" || true
        failed+=("$target")
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: findings in: ${failed[*]} (logs in var/fuzz/, inputs in var/fuzz/artifacts/)" >&2
    exit 1
fi
echo "fuzz: no crash, leak or timeout in: $targets"
