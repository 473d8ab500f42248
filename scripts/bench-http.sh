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

SERVER_PIDS=()
WRK_PID=
STATS=

check_settings() {
    require_count ROUNDS "$ROUNDS"
    require_count CONNECTIONS "$CONNECTIONS"
    require_count THREADS "$THREADS"
    [[ $SWITCHBOARD_CMD == *"{PORT}"* ]] || die "SWITCHBOARD_CMD must contain {PORT}: '$SWITCHBOARD_CMD'"
    require_tool wrk "install it with: apt-get install wrk"
    require_tool cc "install a C compiler with: apt-get install build-essential"
    require_tool pkg-config "install it with: apt-get install pkg-config"
    pkg-config --exists libmicrohttpd || die "libmicrohttpd not found by pkg-config; apt-get install libmicrohttpd-dev"
}

build() {
    mkdir -p "$BENCH_DIR"
    # shellcheck disable=SC2046  # pkg-config output must split into separate flags
    cc -O2 -Wall -Wextra -pthread -o "$BENCH_DIR/hello" "$ROOT/scripts/bench/hello.c" \
        $(pkg-config --cflags --libs libmicrohttpd)
    build_switchboard
}

# Stops a running wrk and every server started by this script: TERM, then KILL after five seconds.
stop_all() {
    local pid
    if [[ -n $WRK_PID ]]; then kill -TERM "$WRK_PID" 2>/dev/null || true; fi
    for pid in "${SERVER_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || continue
        for _ in {1..50}; do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
}

# A loopback port that nothing answers on (the servers set SO_REUSEADDR).
free_port() {
    local port
    for _ in {1..100}; do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    die "no free loopback port found"
}

# Whether GET /healthz on the port answers 200.
answers_ok() {
    (
        exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
        printf 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
        IFS= read -r -t 2 status_line <&3 || exit 1
        [[ $status_line == "HTTP/1."?" 200"* ]]
    ) 2>/dev/null
}

# start_server NAME COMMAND LOG: runs COMMAND (stdout and stderr to LOG) and records its pid
# in STARTED_PID. The command is run with exec so that the recorded pid is the server's.
start_server() {
    (cd "$ROOT" && exec bash -c "exec $2") >"$3" 2>&1 &
    STARTED_PID=$!
    SERVER_PIDS+=("$STARTED_PID")
    echo "bench-http: started $1 (pid $STARTED_PID): $2" >&2
}

# wait_ready NAME PID PORT LOG: waits up to ten seconds for GET /healthz to answer 200.
wait_ready() {
    for _ in {1..100}; do
        answers_ok "$3" && return
        kill -0 "$2" 2>/dev/null || die "$1 exited before answering; log $4:$(echo; tail -n 20 "$4")"
        sleep 0.1
    done
    die "$1 did not answer GET /healthz with 200 on port $3 within 10s; log $4:$(echo; tail -n 20 "$4")"
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
    trap stop_all EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

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
