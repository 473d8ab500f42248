# common.sh: settings and helpers shared by the benchmark scripts (scripts/bench-*.sh). Source it after
# setting DEFAULT_CMD, the default command under test. Sets ROOT (the repository), BENCH_DIR (where
# benchmarks build and write), BENCH_NAME (the script's name, prefix of its messages) and
# SWITCHBOARD_CMD (from the environment, else DEFAULT_CMD).

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_DIR="$ROOT/.build/bench"
BENCH_NAME=$(basename "$0" .sh)
SWITCHBOARD_CMD=${SWITCHBOARD_CMD:-$DEFAULT_CMD}

# Servers started by start_server, and the wrk running in the background (stopped by stop_all).
SERVER_PIDS=()
WRK_PID=

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

# require_mhd_tools: wrk, a C compiler and libmicrohttpd for the C servers of the benchmarks.
require_mhd_tools() {
    require_tool wrk "install it with: apt-get install wrk"
    require_tool cc "install a C compiler with: apt-get install build-essential"
    require_tool pkg-config "install it with: apt-get install pkg-config"
    pkg-config --exists libmicrohttpd || die "libmicrohttpd not found by pkg-config; apt-get install libmicrohttpd-dev"
}

# build_mhd NAME: compiles scripts/bench/NAME.c against libmicrohttpd into $BENCH_DIR/NAME.
build_mhd() {
    mkdir -p "$BENCH_DIR"
    # shellcheck disable=SC2046  # pkg-config output must split into separate flags
    cc -O2 -Wall -Wextra -pthread -o "$BENCH_DIR/$1" "$ROOT/scripts/bench/$1.c" $(pkg-config --cflags --libs libmicrohttpd)
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

# Stops everything started (stop_all) when the script ends, also on INT and TERM.
stop_all_on_exit() {
    trap stop_all EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
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
    echo "$BENCH_NAME: started $1 (pid $STARTED_PID): $2" >&2
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
