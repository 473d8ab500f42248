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
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-3s}
EXPECTED_RATIO=0.85

STATS=

check_settings() {
    require_count ROUNDS "$ROUNDS"
    require_count CONNECTIONS "$CONNECTIONS"
    require_count THREADS "$THREADS"
    [[ $SWITCHBOARD_CMD == *"{PORT}"* ]] || die "SWITCHBOARD_CMD must contain {PORT}: '$SWITCHBOARD_CMD'"
    require_mhd_tools
}

build() {
    build_mhd hello
    build_switchboard
}

# measure DURATION PORT: runs wrk against the port and sets STATS to "rate mean_ms p99_ms errors".
# wrk runs in the background and is waited for, so INT/TERM stop the script (and wrk) at once.
measure() {
    local output="$BENCH_DIR/wrk.out"
    wrk --latency -t"$THREADS" -c"$CONNECTIONS" -d"$1" "http://127.0.0.1:$2/healthz" >"$output" 2>&1 &
    WRK_PID=$!
    wait "$WRK_PID" || die "wrk failed against port $2:$(echo; cat "$output")"
    WRK_PID=
    STATS=$(parse_wrk <"$output")
}

# Reads wrk output; prints requests/s, mean and p99 latency in ms, and errors (socket errors
# plus non-2xx/3xx answers). Fails if wrk printed no rate.
parse_wrk() {
    awk '
        function ms(text,   value) {
            value = text + 0
            if (text ~ /us$/) return value / 1000
            if (text ~ /ms$/) return value
            if (text ~ /s$/) return value * 1000
            return value
        }
        $1 == "Latency" && mean == "" { mean = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        $1 == "Requests/sec:" { rate = $2 }
        /Socket errors:/ { gsub(/[^0-9 ]/, " "); for (i = 1; i <= NF; i++) errors += $i }
        /Non-2xx or 3xx responses:/ { errors += $NF }
        END {
            if (rate == "") exit 1
            printf "%.2f %.3f %.3f %d\n", rate, mean, p99, errors
        }
    ' || die "could not read wrk output"
}

print_row() {
    printf '%-6s %-12s %12s %14s %14s %8s\n' "$@"
}

main() {
    check_settings
    build
    stop_all_on_exit

    local sb_port hello_port sb_pid hello_pid
    sb_port=$(free_port)
    hello_port=$(free_port)
    while [[ $hello_port == "$sb_port" ]]; do hello_port=$(free_port); done

    start_server switchboard "${SWITCHBOARD_CMD//\{PORT\}/$sb_port}" "$BENCH_DIR/switchboard.log"
    sb_pid=$STARTED_PID
    start_server hello "$BENCH_DIR/hello $hello_port" "$BENCH_DIR/hello.log"
    hello_pid=$STARTED_PID
    wait_ready switchboard "$sb_pid" "$sb_port" "$BENCH_DIR/switchboard.log"
    wait_ready hello "$hello_pid" "$hello_port" "$BENCH_DIR/hello.log"

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
