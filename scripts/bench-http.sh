#!/usr/bin/env bash
# bench-http.sh: compare Switchboard's GET /healthz throughput with a minimal C libmicrohttpd
# server (scripts/bench/hello.c) configured the same way. Run by `make bench-http`.
#
# Both servers run on free loopback ports; rounds of wrk alternate between them (the order
# flips every round) and the script prints every round, the median rate of each server and
# the ratio switchboard/hello. Both servers are stopped on exit, whatever happens.
#
# Environment:
#   ROUNDS=3          rounds per server
#   DURATION=10s      wrk duration of one round
#   CONNECTIONS=32    wrk connections
#   THREADS=2         wrk threads
#   WARMUP=3s         wrk warm-up per server before the first round
#   SWITCHBOARD_CMD   command under test, {PORT} is replaced by the chosen port; default
#                     ".build/release/switchboard serve --host 127.0.0.1 --port {PORT}", in
#                     which case switchboard is built first (swift build -c release).
#                     Set it to ".build/bench/hello {PORT}" to check the script (ratio ~1.0).
set -euo pipefail

DEFAULT_CMD=".build/release/switchboard serve --host 127.0.0.1 --port {PORT}"
# shellcheck source=scripts/bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench/common.sh"
use_wrk_settings
EXPECTED_RATIO=0.85

STATS=

check_settings() {
    check_wrk_settings
    [[ $SWITCHBOARD_CMD == *"{PORT}"* ]] || die "SWITCHBOARD_CMD must contain {PORT}: '$SWITCHBOARD_CMD'"
}

build() {
    build_c_server hello
    build_switchboard
}

# measure DURATION PORT: runs wrk against the port and sets STATS to "rate mean_ms p99_ms errors".
measure() {
    local output="$BENCH_DIR/wrk.out"
    run_wrk "$output" -t"$THREADS" -c"$CONNECTIONS" -d"$1" "http://127.0.0.1:$2/healthz"
    STATS=$(parse_wrk <"$output")
}

print_row() {
    printf '%-6s %-12s %12s %14s %14s %8s\n' "$@"
}

main() {
    check_settings
    build
    stop_all_on_exit

    local sb_port hello_port
    sb_port=$(free_port)
    hello_port=$(free_port "$sb_port")

    start_server switchboard "$sb_port" "${SWITCHBOARD_CMD//\{PORT\}/$sb_port}" "$BENCH_DIR/switchboard.log"
    start_server hello "$hello_port" "$BENCH_DIR/hello $hello_port" "$BENCH_DIR/hello.log"

    echo "bench-http: warming up ($WARMUP each)" >&2
    measure "$WARMUP" "$sb_port"
    measure "$WARMUP" "$hello_port"

    echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION GET /healthz, $ROUNDS rounds per server, alternating"
    print_row round server "requests/s" "mean lat (ms)" "p99 lat (ms)" errors
    local round name port rate mean p99 errors order
    local -a sb_rates=() hello_rates=()
    for ((round = 1; round <= ROUNDS; round++)); do
        order="switchboard hello"
        ((round % 2 == 0)) && order="hello switchboard"
        for name in $order; do
            port=$sb_port
            [[ $name == hello ]] && port=$hello_port
            measure "$DURATION" "$port"
            read -r rate mean p99 errors <<<"$STATS"
            print_row "$round" "$name" "$rate" "$mean" "$p99" "$errors"
            if [[ $name == hello ]]; then hello_rates+=("$rate"); else sb_rates+=("$rate"); fi
        done
    done

    local sb_median hello_median
    sb_median=$(median "${sb_rates[@]}")
    hello_median=$(median "${hello_rates[@]}")
    echo
    echo "median switchboard: $sb_median requests/s"
    echo "median hello:       $hello_median requests/s"
    awk -v s="$sb_median" -v h="$hello_median" -v e="$EXPECTED_RATIO" 'BEGIN {
        ratio = (h > 0) ? s / h : 0
        verdict = (ratio >= e) ? "met" : "NOT met"
        printf "ratio switchboard/hello: %.3f (expected ratio >= %.2f: %s)\n", ratio, e, verdict
    }'
}

main "$@"
