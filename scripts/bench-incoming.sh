#!/usr/bin/env bash
# bench-incoming.sh: Inkbox incoming calls through the bridge against a local decision endpoint with a
# fixed delay (scripts/bench/decision_endpoint.c). Run by `make bench-incoming`. Not a test: it prints
# figures and whether the aims are met.
#
# 1. Added latency: wrk keeps CONNECTIONS incoming calls in flight for DURATION (each request signed as
#    Inkbox signs it, each request id used once); the decision endpoint answers after DELAY_MS. The
#    bridge's added latency is wrk's round trip minus DELAY_MS (p50, p99). Aim: p99 <= 2 ms.
# 2. Other routes while decisions wait: the rate of GET /healthz (wrk, HEALTH_CONNECTIONS connections,
#    HEALTH_DURATION) when idle, then while PENDING decisions are parked (a second wrk keeps PENDING calls
#    in flight against an endpoint that holds each for HOLD_MS). Aim: busy/idle >= 0.8.
#
# Environment: CONNECTIONS=200 DELAY_MS=200 DURATION=10s THREADS=2 PENDING=500 HOLD_MS=2000
#              HEALTH_CONNECTIONS=8 HEALTH_DURATION=5s; SWITCHBOARD_CMD (default: the release build,
#              built first) is run with "--config FILE".
set -euo pipefail

DEFAULT_CMD=".build/release/switchboard serve"
# shellcheck source=scripts/bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench/common.sh"
CONNECTIONS=${CONNECTIONS:-200}
DELAY_MS=${DELAY_MS:-200}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
PENDING=${PENDING:-500}
HOLD_MS=${HOLD_MS:-2000}
HEALTH_CONNECTIONS=${HEALTH_CONNECTIONS:-8}
HEALTH_DURATION=${HEALTH_DURATION:-5s}
SECRET="whsec_bench_inkbox_key"
WORK="$BENCH_DIR/incoming"

check_settings() {
    for name in CONNECTIONS DELAY_MS THREADS PENDING HOLD_MS HEALTH_CONNECTIONS; do require_count "$name" "${!name}"; done
    [[ $DURATION =~ ^[1-9][0-9]*s$ && $HEALTH_DURATION =~ ^[1-9][0-9]*s$ ]] || die "DURATION and HEALTH_DURATION must be whole seconds, e.g. 10s"
    require_mhd_tools
    require_tool python3 "install it with: apt-get install python3"
}

build() {
    mkdir -p "$WORK"
    build_mhd decision_endpoint
    build_switchboard
}

# write_config GATEWAY_PORT ENDPOINT_PORT: two Inkbox sources, "bench" (DELAY_MS) and "hold" (HOLD_MS).
write_config() {
    rm -f "$WORK"/gw.sqlite*
    local endpoint="http://127.0.0.1:$2/d"
    cat >"$WORK/switchboard.json" <<JSON
{"listen": {"host": "127.0.0.1", "port": $1, "connection_limit": 4096, "connection_limit_per_ip": 4096},
 "store": {"path": "$WORK/gw.sqlite"},
 "mappings": "$ROOT/mappings",
 "delivery": {"allow_private_networks": true},
 "sources": [
  {"name": "bench", "format": "inkbox", "auth": {"scheme": "inkbox", "secret": "$SECRET"},
   "incoming_call": {"decision": {"url": "$endpoint/$DELAY_MS", "format": "callingbox", "secret": "whsec_bench_decide",
                                  "timeout_ms": $((DELAY_MS + 2000))},
                     "fallback": {"action": "reject"}}},
  {"name": "hold", "format": "inkbox", "auth": {"scheme": "inkbox", "secret": "$SECRET"},
   "incoming_call": {"decision": {"url": "$endpoint/$HOLD_MS", "format": "callingbox", "secret": "whsec_bench_decide",
                                  "timeout_ms": $((HOLD_MS + 3000))},
                     "fallback": {"action": "reject"}}}]}
JSON
}

# wait_listening NAME PID PORT LOG: waits up to ten seconds for the port to accept connections.
wait_listening() {
    for _ in {1..100}; do
        (exec 3<>"/dev/tcp/127.0.0.1/$3") 2>/dev/null && return
        kill -0 "$2" 2>/dev/null || die "$1 exited; log $4:$(echo; tail -n 20 "$4")"
        sleep 0.1
    done
    die "$1 is not listening on port $3 after 10s"
}

# calls FILE SOURCE CONNECTIONS DURATION: wrk with incoming.lua; prints its RESULT line's fields.
calls() {
    wrk -t"$THREADS" -c"$3" -d"$4" --timeout 15s -s "$ROOT/scripts/bench/incoming.lua" \
        "http://127.0.0.1:$GATEWAY_PORT" -- "$1" "/v1/ingest/$2" "$THREADS" >"$WORK/wrk-$2.out" 2>&1 ||
        die "wrk failed:$(echo; cat "$WORK/wrk-$2.out")"
    grep '^RESULT' "$WORK/wrk-$2.out" | cut -d' ' -f2- || die "no RESULT from wrk:$(echo; cat "$WORK/wrk-$2.out")"
}

# health_rate: GET /healthz requests per second over HEALTH_DURATION.
health_rate() {
    wrk -t1 -c"$HEALTH_CONNECTIONS" -d"$HEALTH_DURATION" "http://127.0.0.1:$GATEWAY_PORT/healthz" >"$WORK/wrk-health.out" 2>&1 ||
        die "wrk failed against /healthz"
    awk '$1 == "Requests/sec:" { print $2 }' "$WORK/wrk-health.out"
}

# field NAME "k=v k=v ...": the value of NAME.
field() { tr ' ' '\n' <<<"$2" | awk -F= -v k="$1" '$1 == k { print $2 }'; }

main() {
    check_settings
    build
    stop_all_on_exit
    local endpoint_port
    GATEWAY_PORT=$(free_port)
    endpoint_port=$(free_port)
    while [[ $endpoint_port == "$GATEWAY_PORT" ]]; do endpoint_port=$(free_port); done
    write_config "$GATEWAY_PORT" "$endpoint_port"
    launch_server decision_endpoint "$BENCH_DIR/decision_endpoint $endpoint_port" "$WORK/endpoint.log"
    wait_listening decision_endpoint "$STARTED_PID" "$endpoint_port" "$WORK/endpoint.log"
    launch_server switchboard "$SWITCHBOARD_CMD --config $WORK/switchboard.json" "$WORK/switchboard.log"
    wait_ready switchboard "$STARTED_PID" "$GATEWAY_PORT" "$WORK/switchboard.log"

    local seconds=${DURATION%s} health_seconds=${HEALTH_DURATION%s}
    echo "$BENCH_NAME: signing requests" >&2
    python3 "$ROOT/scripts/bench/sign_incoming.py" "$SECRET" $((CONNECTIONS * 2 * 1000 / DELAY_MS + 500)) "$WORK/warm.txt"
    python3 "$ROOT/scripts/bench/sign_incoming.py" "$SECRET" $((CONNECTIONS * seconds * 1000 / DELAY_MS * 5 / 4 + 1000)) "$WORK/calls.txt"
    python3 "$ROOT/scripts/bench/sign_incoming.py" "$SECRET" $((PENDING * (health_seconds + 8) * 1000 / HOLD_MS + 2 * PENDING)) "$WORK/hold.txt"

    echo "$BENCH_NAME: warming up (2s)" >&2
    calls "$WORK/warm.txt" bench "$CONNECTIONS" 2s >/dev/null
    echo "$BENCH_NAME: $CONNECTIONS concurrent incoming calls for $DURATION, decision endpoint delay $DELAY_MS ms" >&2
    local result p50 p99
    result=$(calls "$WORK/calls.txt" bench "$CONNECTIONS" "$DURATION")
    p50=$(field p50_us "$result")
    p99=$(field p99_us "$result")

    echo "$BENCH_NAME: GET /healthz idle, then with $PENDING decisions pending (held $HOLD_MS ms each)" >&2
    local idle busy in_flight hold_result
    idle=$(health_rate)
    calls "$WORK/hold.txt" hold "$PENDING" "$((health_seconds + 6))s" >"$WORK/hold.result" &
    WRK_PID=$!
    sleep 3
    in_flight=$(exec 3<>"/dev/tcp/127.0.0.1/$GATEWAY_PORT" &&
        printf 'GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >&3 &&
        awk '/^switchboard_http_requests_in_flight/ { print $2 }' <&3)
    busy=$(health_rate)
    wait "$WRK_PID" || die "wrk against the hold source failed"
    WRK_PID=
    hold_result=$(cat "$WORK/hold.result")

    echo
    echo "incoming calls:  $result"
    echo "held calls:      $hold_result"
    awk -v p50="$p50" -v p99="$p99" -v d="$DELAY_MS" 'BEGIN {
        a50 = p50 / 1000 - d; a99 = p99 / 1000 - d
        printf "added latency (round trip - %d ms): p50 %.2f ms, p99 %.2f ms (aim p99 <= 2 ms: %s)\n", d, a50, a99, (a99 <= 2 ? "met" : "NOT met")
    }'
    awk -v i="$idle" -v b="$busy" -v n="$in_flight" -v p="$PENDING" 'BEGIN {
        r = (i > 0) ? b / i : 0
        printf "GET /healthz: idle %.0f/s, with %s requests in flight (%d decisions held) %.0f/s, ratio %.3f (aim >= 0.8: %s)\n", i, n, p, b, r, (r >= 0.8 ? "met" : "NOT met")
    }'
}

main "$@"
