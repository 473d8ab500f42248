#!/usr/bin/env bash
# bench-translate.sh: Salpre -> CallingBox translation throughput of `switchboard translate`
# against a straightforward Python implementation of the same mapping
# (scripts/bench/translate_baseline.py). Run by `make bench-translate`.
#
# The input (EVENTS Salpre bodies over many interleaved calls, scripts/bench/gen_salpre.py) is
# generated once into .build/bench/. Rounds alternate between the two translators (the order flips
# every round), each pinned to one core with taskset and timed end to end with a monotonic clock;
# the script prints every round, the median events/s (input events per second) of each, the ratio
# switchboard/python and whether the aim is met. Last it checks, once, that both outputs have the
# same number of lines and that a sample of lines are equal as JSON; a mismatch is reported loudly
# (first differing line, paths that differ) but does not fail the benchmark.
#
# Environment:
#   EVENTS=200000     input events
#   ROUNDS=3          rounds per translator
#   SEED=1            generator seed
#   CPU=0             the core both translators are pinned to
#   CHECK_LINES=10000 lines of the outputs compared as JSON (0: all)
#   SWITCHBOARD_CMD   command under test, {IN} and {OUT} are replaced by the files; default
#                     ".build/release/switchboard translate --from salpre --to callingbox --in {IN} --out {OUT}",
#                     in which case switchboard is built first (swift build -c release).
#                     Set it to "python3 scripts/bench/translate_baseline.py {IN} {OUT}" to check the
#                     script (ratio ~1.0, outputs equal).
set -euo pipefail

DEFAULT_CMD=".build/release/switchboard translate --from salpre --to callingbox --in {IN} --out {OUT}"
# shellcheck source=scripts/bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench/common.sh"
EVENTS=${EVENTS:-200000}
ROUNDS=${ROUNDS:-3}
SEED=${SEED:-1}
CPU=${CPU:-0}
CHECK_LINES=${CHECK_LINES:-10000}
AIM=200000

INPUT="$BENCH_DIR/salpre-$EVENTS-seed$SEED.jsonl"
SB_OUT="$BENCH_DIR/translate-switchboard.jsonl"
PY_OUT="$BENCH_DIR/translate-python.jsonl"
SECONDS_TAKEN=

check_settings() {
    require_count ROUNDS "$ROUNDS"
    require_count EVENTS "$EVENTS"
    require_count SEED "$SEED" 0
    require_count CPU "$CPU" 0
    require_count CHECK_LINES "$CHECK_LINES" 0
    [[ $SWITCHBOARD_CMD == *"{IN}"* && $SWITCHBOARD_CMD == *"{OUT}"* ]] ||
        die "SWITCHBOARD_CMD must contain {IN} and {OUT}: '$SWITCHBOARD_CMD'"
    require_tool python3 "install it with: apt-get install python3"
    require_tool taskset "install it with: apt-get install util-linux"
    taskset -c "$CPU" true 2>/dev/null || die "cannot pin to core $CPU (taskset -c $CPU failed); set CPU"
}

build() {
    mkdir -p "$BENCH_DIR"
    build_switchboard
    echo "bench-translate: generating $EVENTS Salpre events (seed $SEED) into $INPUT" >&2
    python3 "$ROOT/scripts/bench/gen_salpre.py" --events "$EVENTS" --seed "$SEED" --out "$INPUT"
}

# run NAME OUT COMMAND...: runs the command pinned to $CPU, from the repository root, and sets
# SECONDS_TAKEN to its wall time. Stops the benchmark if it fails (its stderr is in a log).
run() {
    local name=$1 out=$2 log="$BENCH_DIR/translate-$1.log" timing
    shift 2
    rm -f "$out"
    timing=$(cd "$ROOT" && taskset -c "$CPU" python3 scripts/bench/timed.py "$@" 2>"$log") ||
        die "$name failed (exit status $?); log $log:$(echo; tail -n 20 "$log")"
    [[ -f $out ]] || die "$name wrote no output file $out"
    SECONDS_TAKEN=$timing
}

run_switchboard() {
    local command=${SWITCHBOARD_CMD//\{IN\}/$INPUT}
    command=${command//\{OUT\}/$SB_OUT}
    # shellcheck disable=SC2086  # the command is split into words on purpose
    run switchboard "$SB_OUT" $command
}

run_python() {
    run python "$PY_OUT" python3 scripts/bench/translate_baseline.py "$INPUT" "$PY_OUT"
}

# The outputs are compared once: the python baseline is the reference.
check_outputs() {
    echo
    echo "output check (python baseline = expected, switchboard = actual):"
    if python3 "$ROOT/scripts/bench/compare_jsonl.py" --sample "$CHECK_LINES" "$PY_OUT" "$SB_OUT"; then
        echo "outputs agree"
    else
        echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
        echo "!!! OUTPUTS DIFFER: switchboard and the python baseline do not do the same mapping      !!!"
        echo "!!! (see above; outputs kept in $BENCH_DIR)"
        echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    fi
    echo
}

print_row() {
    printf '%-6s %-12s %10s %12s\n' "$@"
}

main() {
    check_settings
    build
    trap 'exit 130' INT
    trap 'exit 143' TERM

    echo "$EVENTS Salpre events -> CallingBox, one core (taskset -c $CPU), $ROUNDS rounds per translator, alternating"
    print_row round translator seconds "events/s"
    local round name rate order
    local -a sb_rates=() py_rates=()
    for ((round = 1; round <= ROUNDS; round++)); do
        order="switchboard python"
        ((round % 2 == 0)) && order="python switchboard"
        for name in $order; do
            "run_$name"
            rate=$(awk -v n="$EVENTS" -v s="$SECONDS_TAKEN" 'BEGIN { printf "%.0f", (s > 0) ? n / s : 0 }')
            print_row "$round" "$name" "$(printf '%.3f' "$SECONDS_TAKEN")" "$rate"
            if [[ $name == python ]]; then py_rates+=("$rate"); else sb_rates+=("$rate"); fi
        done
    done

    local sb_median py_median
    sb_median=$(printf '%.0f' "$(median "${sb_rates[@]}")")
    py_median=$(printf '%.0f' "$(median "${py_rates[@]}")")
    echo
    echo "median switchboard: $sb_median events/s"
    echo "median python:      $py_median events/s"
    awk -v s="$sb_median" -v p="$py_median" -v aim="$AIM" 'BEGIN {
        printf "ratio switchboard/python: %.2f\n", (p > 0) ? s / p : 0
        printf "aim >= %d events/s on one core: %s\n", aim, (s >= aim) ? "met" : "NOT met"
    }'
    check_outputs
}

main "$@"
