# common.sh: settings and helpers shared by the benchmark scripts (scripts/bench-*.sh). Source it after
# setting DEFAULT_CMD, the default command under test. Sets ROOT (the repository), BENCH_DIR (where
# benchmarks build and write), BENCH_NAME (the script's name, prefix of its messages) and
# SWITCHBOARD_CMD (from the environment, else DEFAULT_CMD).

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_DIR="$ROOT/.build/bench"
BENCH_NAME=$(basename "$0" .sh)
SWITCHBOARD_CMD=${SWITCHBOARD_CMD:-$DEFAULT_CMD}

die() {
    echo "$BENCH_NAME: $*" >&2
    exit 1
}

require_tool() {
    command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed; $2"
}

# require_count NAME VALUE [MIN]: stops unless VALUE is an integer >= MIN (0 or 1; default 1).
require_count() {
    if [[ ${3:-1} == 0 ]]; then
        [[ $2 =~ ^[0-9]+$ ]] || die "$1 must be a non-negative integer, got '$2'"
    else
        [[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1 must be a positive integer, got '$2'"
    fi
}

# Builds switchboard (release) unless SWITCHBOARD_CMD replaces the default command under test.
build_switchboard() {
    if [[ $SWITCHBOARD_CMD == "$DEFAULT_CMD" ]]; then
        echo "$BENCH_NAME: building switchboard (release)" >&2
        (cd "$ROOT" && swift build -c release --product switchboard) >&2
    else
        echo "$BENCH_NAME: SWITCHBOARD_CMD is set; not building switchboard" >&2
    fi
}

# Median of the numbers given as arguments, with two decimals.
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR % 2) printf "%.2f\n", v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2
    }'
}

# --- Servers under wrk (bench-http.sh, bench-gateway.sh) ---------------------------------------------
# Pids of the servers started with start_server, and of a running wrk; stop_all stops them.
SERVER_PIDS=()
WRK_PID=

# The knobs both wrk benchmarks share, with their defaults (see the scripts' headers).
use_wrk_settings() {
    ROUNDS=${ROUNDS:-3}
    DURATION=${DURATION:-10s}
    CONNECTIONS=${CONNECTIONS:-32}
    THREADS=${THREADS:-2}
    WARMUP=${WARMUP:-3s}
}

# Checks those knobs and the tools and libraries the wrk benchmarks need.
check_wrk_settings() {
    require_count ROUNDS "$ROUNDS"
    require_count CONNECTIONS "$CONNECTIONS"
    require_count THREADS "$THREADS"
    require_tool wrk "install it with: apt-get install wrk"
    require_tool cc "install a C compiler with: apt-get install build-essential"
    require_tool pkg-config "install it with: apt-get install pkg-config"
    pkg-config --exists libmicrohttpd || die "libmicrohttpd not found by pkg-config; apt-get install libmicrohttpd-dev"
}

# build_c_server NAME: compiles scripts/bench/NAME.c (a libmicrohttpd server) to $BENCH_DIR/NAME.
build_c_server() {
    mkdir -p "$BENCH_DIR"
    # shellcheck disable=SC2046  # pkg-config output must split into separate flags
    cc -O2 -Wall -Wextra -pthread -o "$BENCH_DIR/$1" "$ROOT/scripts/bench/$1.c" \
        $(pkg-config --cflags --libs libmicrohttpd)
}

# Stops a running wrk and every server started by this script: TERM, then KILL after five seconds.
stop_all() {
    local pid
    if [[ -n $WRK_PID ]]; then kill -TERM "$WRK_PID" 2>/dev/null || true; fi
    for pid in "${SERVER_PIDS[@]}"; do stop_pid "$pid"; done
    SERVER_PIDS=()
}

# Has stop_all run when the script exits, INT and TERM included (exit statuses 130 and 143).
stop_all_on_exit() {
    trap stop_all EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# stop_pid PID: TERM, then KILL after five seconds; waits for it.
stop_pid() {
    kill -TERM "$1" 2>/dev/null || return 0
    for _ in {1..50}; do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# free_port [TAKEN...]: a loopback port that nothing answers on and that is none of TAKEN (the
# servers set SO_REUSEADDR). Chosen below the kernel's ephemeral range: a port there may be the local
# end of some outgoing connection, which nothing answers on yet binding to it fails ("Address already
# in use"; seen once with a busy sink).
free_port() {
    local port low=32768
    read -r low _ < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
    ((low > 11000)) || die "the ephemeral port range starts at $low: no room below it for benchmark ports"
    for _ in {1..100}; do
        port=$((10000 + RANDOM % (low - 10000)))
        [[ " $* " == *" $port "* ]] && continue
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

# start_server NAME PORT COMMAND LOG: runs COMMAND (stdout and stderr to LOG), records its pid in
# STARTED_PID and SERVER_PIDS, and waits up to ten seconds for GET /healthz on PORT to answer 200.
# The command is run with exec so that the recorded pid is the server's.
start_server() {
    (cd "$ROOT" && exec bash -c "exec $3") >"$4" 2>&1 &
    STARTED_PID=$!
    SERVER_PIDS+=("$STARTED_PID")
    echo "$BENCH_NAME: started $1 (pid $STARTED_PID): $3" >&2
    for _ in {1..100}; do
        answers_ok "$2" && return
        kill -0 "$STARTED_PID" 2>/dev/null || die "$1 exited before answering; log $4:$(echo; tail -n 20 "$4")"
        sleep 0.1
    done
    die "$1 did not answer GET /healthz with 200 on port $2 within 10s; log $4:$(echo; tail -n 20 "$4")"
}

# run_wrk OUTPUT WRK_ARGUMENTS...: runs wrk --latency with the arguments, output to OUTPUT. wrk runs
# in the background and is waited for, so INT/TERM stop the script (and wrk) at once.
run_wrk() {
    local output=$1
    shift
    wrk --latency "$@" >"$output" 2>&1 &
    WRK_PID=$!
    wait "$WRK_PID" || die "wrk $* failed:$(echo; cat "$output")"
    WRK_PID=
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

# Used by bench-incoming.sh.

# launch_server NAME COMMAND LOG: starts COMMAND in the background without waiting for it (servers that
# answer no GET /healthz; wait with wait_ready or a check of your own). Sets STARTED_PID.
launch_server() {
    (cd "$ROOT" && exec bash -c "exec $2") >"$3" 2>&1 &
    STARTED_PID=$!
    SERVER_PIDS+=("$STARTED_PID")
    echo "$BENCH_NAME: started $1 (pid $STARTED_PID): $2" >&2
}
# build_mhd NAME: compiles scripts/bench/NAME.c against libmicrohttpd into $BENCH_DIR/NAME.
build_mhd() {
    mkdir -p "$BENCH_DIR"
    # shellcheck disable=SC2046  # pkg-config output must split into separate flags
    cc -O2 -Wall -Wextra -pthread -o "$BENCH_DIR/$1" "$ROOT/scripts/bench/$1.c" $(pkg-config --cflags --libs libmicrohttpd)
}

# require_mhd_tools: wrk, a C compiler and libmicrohttpd for the C servers of the benchmarks.
require_mhd_tools() {
    require_tool wrk "install it with: apt-get install wrk"
    require_tool cc "install a C compiler with: apt-get install build-essential"
    require_tool pkg-config "install it with: apt-get install pkg-config"
    pkg-config --exists libmicrohttpd || die "libmicrohttpd not found by pkg-config; apt-get install libmicrohttpd-dev"
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
