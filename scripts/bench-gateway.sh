#!/usr/bin/env bash
# bench-gateway.sh: the gateway end to end under load. Run by `make bench-gateway`.
#
# Starts `switchboard serve` with a temporary configuration (SQLite file under .build/bench/,
# synchronous=full, a Salpre source authenticated by a header token, loopback destinations allowed),
# a C libmicrohttpd sink (scripts/bench/sink.c: answers every POST 200 and records arrival time and
# delivery id) and the C hello server of bench-http (scripts/bench/hello.c), each on a free loopback
# port, and subscribes one CallingBox-style and one OneInbox-style endpoint to the sink. Then:
#
#   A. throughput: rounds of wrk alternate between hello (GET /healthz) and POST /v1/ingest/salpre with
#      scripts/bench/ingest.lua (realistic Salpre events of many interleaved calls, every request a new
#      event); prints each round, the median rates, the ratio ingest/hello (aim >= 0.4, every 202
#      durable), then waits for the delivery queue to drain and prints deliveries/s (delivered / time
#      from the first to the last arrival at the sink; also the rate while only draining).
#   B. latency at a fixed rate: scripts/bench/gateway_bench.py send (Python asyncio, open loop over
#      keep-alive connections) posts RATE new events/s for LATENCY_SECONDS; after the queue drains,
#      the end-to-end latency of every delivery (arrival at the sink - events.received_at, joined
#      through deliveries.id and deliveries.event_id) is printed as p50/p95/p99 (aim p95 <= 25 ms).
#
# Every server is stopped on exit, whatever happens. Files: .build/bench/gateway-*.
#
# Environment:
#   ROUNDS=3            rounds per server in phase A
#   DURATION=10s        wrk duration of one round
#   CONNECTIONS=32      wrk connections
#   THREADS=2           wrk threads
#   WARMUP=3s           wrk warm-up per server before the first round
#   RATE=1000           events/s in phase B
#   LATENCY_SECONDS=10  length of phase B
#   DRAIN_TIMEOUT=600   seconds to wait for the delivery queue to drain after each phase
#   LOG_LEVEL=info      the gateway's log level (info writes one access-log line per request)
#   DELIVERY_CONCURRENCY  delivery.max_concurrency_per_endpoint (unset: the gateway's default)
#   SWITCHBOARD_CMD     command under test, {PORT} and {CONFIG} are replaced; default
#                       ".build/release/switchboard serve --config {CONFIG} --port {PORT}", in which
#                       case switchboard is built first (swift build -c release).
set -euo pipefail

DEFAULT_CMD=".build/release/switchboard serve --config {CONFIG} --port {PORT}"
# shellcheck source=scripts/bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench/common.sh"
use_wrk_settings
RATE=${RATE:-1000}
LATENCY_SECONDS=${LATENCY_SECONDS:-10}
DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-600}
LOG_LEVEL=${LOG_LEVEL:-info}
DELIVERY_CONCURRENCY=${DELIVERY_CONCURRENCY:-}
PYTHON=${PYTHON:-python3}
AIM_RATIO=0.4
AIM_P95_MS=25

API_KEY=sk_bench_gateway
TOKEN_HEADER=X-Salpre-Token
TOKEN=bench-salpre-token
ONEINBOX_EVENTS='["call.started","call.ended","call.analyzed","call.failed","call.recording.available","transcript.partial","transcript.final","call.incoming"]'
PREFIX="$BENCH_DIR/gateway"
CONFIG="$PREFIX.json"
DB="$PREFIX.sqlite"
TEMPLATES="$PREFIX-events.tsv"
SINK_OUT="$PREFIX-sink.txt"
GATEWAY_LOG="$PREFIX.log"
WRK_OUT="$PREFIX-wrk.out"

GW_PORT=
GW_PID=
SINK_PID=
STATS=
STATUSES=

check_settings() {
    check_wrk_settings
    require_count RATE "$RATE"
    require_count LATENCY_SECONDS "$LATENCY_SECONDS"
    require_count DRAIN_TIMEOUT "$DRAIN_TIMEOUT"
    [[ -z $DELIVERY_CONCURRENCY ]] || require_count DELIVERY_CONCURRENCY "$DELIVERY_CONCURRENCY"
    ((THREADS <= 64)) || die "THREADS must be at most 64"
    [[ $SWITCHBOARD_CMD == *"{PORT}"* && $SWITCHBOARD_CMD == *"{CONFIG}"* ]] \
        || die "SWITCHBOARD_CMD must contain {PORT} and {CONFIG}: '$SWITCHBOARD_CMD'"
    require_tool curl "install it with: apt-get install curl"
    require_tool "$PYTHON" "install it with: apt-get install python3"
    "$PYTHON" -c 'import sqlite3' 2>/dev/null || die "$PYTHON lacks the sqlite3 module"
}

# write_config PORT: the gateway's configuration for this run.
write_config() {
    local concurrency=
    [[ -n $DELIVERY_CONCURRENCY ]] && concurrency="\"max_concurrency_per_endpoint\": $DELIVERY_CONCURRENCY,"
    cat >"$CONFIG" <<EOF
{
  "//": "Written by scripts/bench-gateway.sh for one run; removed and rewritten by the next.",
  "listen": {"host": "127.0.0.1", "port": $1},
  "store": {"path": "$DB", "synchronous": "full"},
  "api_keys": ["$API_KEY"],
  "org_default_secret": "whsec_bench_gateway_only",
  "delivery": {"timeout_ms": 5000, "retry_schedule_seconds": [0, 1, 5, 30, 60], "jitter": 0.2,
               $concurrency
               "allow_private_networks": true},
  "sources": [
    {"name": "salpre", "format": "salpre",
     "auth": {"scheme": "header-token", "header": "$TOKEN_HEADER", "value": "$TOKEN"}}
  ],
  "mappings": "$ROOT/mappings",
  "log": {"level": "$LOG_LEVEL"}
}
EOF
}

# api METHOD PATH [BODY]: a management API call; prints the answer, fails unless it is 2xx.
api() {
    curl -sS --fail-with-body -X "$1" -H "Authorization: Bearer $API_KEY" -H 'Content-Type: application/json' \
        ${3:+--data "$3"} "http://127.0.0.1:$GW_PORT$2"
}

# start_gateway: starts switchboard with CONFIG on GW_PORT and waits until it answers.
start_gateway() {
    local command=${SWITCHBOARD_CMD//\{PORT\}/$GW_PORT}
    start_server switchboard "$GW_PORT" "${command//\{CONFIG\}/$CONFIG}" "$GATEWAY_LOG"
    GW_PID=$STARTED_PID
}

# subscribe SINK_PORT: one CallingBox-style and one OneInbox-style endpoint, every event, to the sink.
subscribe() {
    local sink="http://127.0.0.1:$1"
    api POST /v1/webhook_endpoints "{\"url\": \"$sink/callingbox\", \"enabled_events\": [\"*\"]}" >/dev/null \
        || die "could not create the CallingBox-style endpoint (POST /v1/webhook_endpoints)"
    api POST /v1/webhooks "{\"name\": \"bench sink\", \"url\": \"$sink/oneinbox\", \"events\": $ONEINBOX_EVENTS}" >/dev/null \
        || die "could not create the OneInbox-style endpoint (POST /v1/webhooks)"
}

# metric NAME: the value of an unlabelled metric from GET /metrics.
metric() {
    curl -sS "http://127.0.0.1:$GW_PORT/metrics" | awk -v name="$1" '$1 == name { print $2; found = 1 } END { exit !found }'
}

# cpu_seconds PID: user + system CPU time the process has used.
cpu_seconds() {
    awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f\n", ($12 + $13) / hz }' "/proc/$1/stat"
}

# drain: waits until no delivery is pending, printing the depth every five seconds.
drain() {
    local depth waited=0
    while :; do
        depth=$(metric switchboard_delivery_queue_depth) || die "GET /metrics has no switchboard_delivery_queue_depth"
        [[ $depth == 0 ]] && break
        ((waited % 5 == 0)) && echo "$BENCH_NAME: waiting for the delivery queue to drain: $depth pending" >&2
        ((waited < DRAIN_TIMEOUT)) || die "the delivery queue did not drain within ${DRAIN_TIMEOUT}s ($depth pending)"
        sleep 1
        waited=$((waited + 1))
    done
}

# snapshot_sink: has the sink write its records so far to SINK_OUT and waits for the file.
snapshot_sink() {
    rm -f "$SINK_OUT"
    kill -USR1 "$SINK_PID"
    for _ in {1..100}; do
        [[ -f $SINK_OUT ]] && return
        sleep 0.1
    done
    die "the sink wrote no $SINK_OUT"
}

# sql QUERY: one value from the gateway's store (read-only; WAL lets it read while the gateway runs).
sql() {
    "$PYTHON" -c 'import sqlite3, sys
c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
print(c.execute(sys.argv[2]).fetchone()[0])' "$DB" "$1"
}

# measure_hello DURATION PORT / measure_ingest DURATION ROUND: wrk; STATS = "rate mean_ms p99_ms errors",
# STATUSES = "202=N 200=N other=N" (ingest).
measure_hello() {
    run_wrk "$WRK_OUT" -t"$THREADS" -c"$CONNECTIONS" -d"$1" "http://127.0.0.1:$2/healthz"
    STATS=$(parse_wrk <"$WRK_OUT")
}

measure_ingest() {
    BENCH_EVENTS=$TEMPLATES BENCH_HEADER="$TOKEN_HEADER: $TOKEN" BENCH_ROUND=$2 \
        run_wrk "$WRK_OUT" -t"$THREADS" -c"$CONNECTIONS" -d"$1" -s "$ROOT/scripts/bench/ingest.lua" \
        "http://127.0.0.1:$GW_PORT/v1/ingest/salpre"
    STATS=$(parse_wrk <"$WRK_OUT")
    STATUSES=$(awk '$1 == "statuses" { print $2, $3, $4 }' "$WRK_OUT")
    [[ -n $STATUSES ]] || die "ingest.lua printed no statuses:$(echo; cat "$WRK_OUT")"
}

# count_lines TEXT: lines of the gateway's log that contain TEXT.
count_lines() {
    grep -cF -- "$1" "$GATEWAY_LOG" || true
}

print_row() {
    printf '%-6s %-7s %12s %14s %14s  %s\n' "$@"
}

main() {
    check_settings
    build_c_server hello
    build_c_server sink
    build_switchboard
    rm -f "$DB" "$DB-wal" "$DB-shm" "$SINK_OUT"
    "$PYTHON" "$ROOT/scripts/bench/gateway_bench.py" prepare --events 20000 --out "$TEMPLATES"
    stop_all_on_exit

    local sink_port hello_port
    GW_PORT=$(free_port)
    sink_port=$(free_port "$GW_PORT")
    hello_port=$(free_port "$GW_PORT" "$sink_port")
    write_config "$GW_PORT"
    start_server sink "$sink_port" "$BENCH_DIR/sink $sink_port $SINK_OUT" "$PREFIX-sink.log"
    SINK_PID=$STARTED_PID
    start_server hello "$hello_port" "$BENCH_DIR/hello $hello_port" "$PREFIX-hello.log"
    start_gateway
    subscribe "$sink_port"

    # --- A: throughput -------------------------------------------------------------------------------
    echo "$BENCH_NAME: warming up ($WARMUP each)" >&2
    local start_a cpu_a
    start_a=$(date +%s.%N)
    cpu_a=$(cpu_seconds "$GW_PID")
    measure_hello "$WARMUP" "$hello_port"
    measure_ingest "$WARMUP" 0

    echo "A. throughput: wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS rounds per server, alternating"
    echo "   hello: GET /healthz on the C server; ingest: POST /v1/ingest/salpre, a new Salpre event each (synchronous=full)"
    print_row round server "requests/s" "mean lat (ms)" "p99 lat (ms)" "answers (queue depth after)"
    local round name rate mean p99 errors order depth
    local -a ingest_rates=() hello_rates=() ingest_p99s=()
    for ((round = 1; round <= ROUNDS; round++)); do
        order="ingest hello"
        ((round % 2 == 0)) && order="hello ingest"
        for name in $order; do
            if [[ $name == hello ]]; then
                measure_hello "$DURATION" "$hello_port"
                read -r rate mean p99 errors <<<"$STATS"
                print_row "$round" hello "$rate" "$mean" "$p99" "errors $errors"
                hello_rates+=("$rate")
            else
                measure_ingest "$DURATION" "$round"
                read -r rate mean p99 errors <<<"$STATS"
                depth=$(metric switchboard_delivery_queue_depth || echo "?")
                print_row "$round" ingest "$rate" "$mean" "$p99" "$STATUSES socket/non-2xx $errors (queue $depth)"
                ingest_rates+=("$rate")
                ingest_p99s+=("$p99")
            fi
        done
    done
    local ingest_end ingest_median hello_median
    ingest_end=$(date +%s.%N)
    ingest_median=$(median "${ingest_rates[@]}")
    hello_median=$(median "${hello_rates[@]}")
    echo
    echo "median ingest: $ingest_median requests/s, p99 $(median "${ingest_p99s[@]}") ms"
    echo "median hello:  $hello_median requests/s"
    awk -v s="$ingest_median" -v h="$hello_median" -v e="$AIM_RATIO" 'BEGIN {
        ratio = (h > 0) ? s / h : 0
        printf "ratio ingest/hello: %.3f (aim >= %.2f: %s)\n", ratio, e, (ratio >= e) ? "met" : "NOT met"
    }'
    echo "events stored: $(sql 'SELECT count(*) FROM events'), deliveries created: $(sql 'SELECT count(*) FROM deliveries')"

    drain
    local end_a
    end_a=$(date +%s.%N)
    snapshot_sink
    local all drained
    all=$("$PYTHON" "$ROOT/scripts/bench/gateway_bench.py" deliveries --sink "$SINK_OUT" --since "$start_a")
    drained=$("$PYTHON" "$ROOT/scripts/bench/gateway_bench.py" deliveries --sink "$SINK_OUT" --since "$ingest_end")
    echo "deliveries: $(sql "SELECT count(*) FROM deliveries WHERE status = 'delivered'") delivered," \
        "$(sql "SELECT count(*) FROM deliveries WHERE status <> 'delivered'") not," \
        "$(sql 'SELECT count(*) FROM attempts') attempts"
    awk -v all="$all" -v drained="$drained" 'BEGIN {
        split(all, a, /[ =]/); split(drained, d, /[ =]/)
        printf "deliveries/s: %s (%s deliveries arrived at the sink over %s s, first to last; %d requests repeated one)\n", a[8], a[2], a[6], a[4] - a[2]
        if (d[2] < 2) print "  after the last ingest round: nothing was left to drain"
        else printf "  after the last ingest round (draining only): %s/s (%s arrivals over %s s)\n", d[8], d[2], d[6]
    }'
    awk -v c0="$cpu_a" -v c1="$(cpu_seconds "$GW_PID")" -v t0="$start_a" -v t1="$end_a" 'BEGIN {
        printf "gateway CPU in phase A: %.1f s over %.1f s (%.2f cores)\n", c1 - c0, t1 - t0, (c1 - c0) / (t1 - t0)
    }'

    # --- B: latency at a fixed rate ----------------------------------------------------------------
    echo
    echo "B. latency: $RATE new events/s for ${LATENCY_SECONDS}s (gateway_bench.py send: Python asyncio, open loop, 32 keep-alive connections)"
    local start_b cpu_b sent
    start_b=$(date +%s.%N)
    cpu_b=$(cpu_seconds "$GW_PID")
    sent=$("$PYTHON" "$ROOT/scripts/bench/gateway_bench.py" send --events "$TEMPLATES" --port "$GW_PORT" \
        --header "$TOKEN_HEADER: $TOKEN" --rate "$RATE" --duration "$LATENCY_SECONDS" --connections 32 --round 1000)
    echo "sender: $sent"
    drain
    awk -v c0="$cpu_b" -v c1="$(cpu_seconds "$GW_PID")" -v t0="$start_b" -v t1="$(date +%s.%N)" 'BEGIN {
        printf "gateway CPU in phase B: %.1f s over %.1f s (%.2f cores)\n", c1 - c0, t1 - t0, (c1 - c0) / (t1 - t0)
    }'
    snapshot_sink
    local latency
    latency=$("$PYTHON" "$ROOT/scripts/bench/gateway_bench.py" latency --sink "$SINK_OUT" --db "$DB" --since "$start_b")
    echo "end-to-end (received -> at the sink): $latency"
    awk -v line="$latency" -v aim="$AIM_P95_MS" 'BEGIN {
        n = split(line, f, /[ =]/)
        for (i = 1; i < n; i += 2) v[f[i]] = f[i + 1]
        printf "end-to-end p50 %s ms, p95 %s ms, p99 %s ms (aim p95 <= %d ms at the rate: %s)\n",
            v["p50_ms"], v["p95_ms"], v["p99_ms"], aim, (v["p95_ms"] + 0 <= aim && v["missing"] == 0) ? "met" : "NOT met"
    }'
    echo "gateway log $GATEWAY_LOG: $(count_lines '"level":"error"') error lines, $(count_lines '"level":"warn"') warn lines"
}

main "$@"
