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
