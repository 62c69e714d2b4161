#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS each, seeded from the fixtures, and prints the
# executions and crashes per target. Exit status 1 when any target crashed (the reproducer is
# left in BUILD/fuzz/crashes/). Usage: run.sh BUILD_DIR [SECONDS] [TARGET...]
set -uo pipefail
B=${1:?build dir}
SECS=${2:-300}
shift $(($# >= 2 ? 2 : $#))
SRC=$(cd "$(dirname "$0")/../.." && pwd)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(fuzz_sse fuzz_xlate_req fuzz_xstream fuzz_xlate_resp fuzz_config fuzz_front)
F="$B/tests/fuzz"
W="$F/work"
rm -rf "$W/seeds"
mkdir -p "$W/corpus" "$W/crashes" "$W/logs"
python3 "$SRC/tests/fuzz/make_corpus.py" "$SRC" "$W/seeds" || exit 2
# Keep the leak checker on (a leak is a bug like any other); keep runs bounded in memory.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=0
printf '%-16s %12s %8s %8s %s\n' target executions exec/s crashes corpus
for t in "${TARGETS[@]}"; do
    mkdir -p "$W/corpus/$t" "$W/seeds/$t"
    log="$W/logs/$t.log"
    case $t in
    fuzz_sse | fuzz_xstream) dict=sse.dict ;;
    fuzz_config) dict=yaml.dict ;;
    *) dict=json.dict ;;
    esac
    # -fork would survive crashes and keep going; a plain run stops at the first one, which
    # is what a test wants. New interesting inputs go to the (build-dir) corpus.
    "$F/$t" "$W/corpus/$t" "$W/seeds/$t" -max_total_time="$SECS" -rss_limit_mb=2048 \
        -timeout=25 -max_len=131072 -print_final_stats=1 -artifact_prefix="$W/crashes/$t-" \
        -dict="$SRC/tests/fuzz/$dict" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    crashes=$(grep -cE '^(==[0-9]+==ERROR|SUMMARY: (Address|Undefined|Leak)|.*runtime error:|==[0-9]+== ERROR: libFuzzer)' "$log")
    [ $rc -ne 0 ] && [ "$crashes" -eq 0 ] && crashes=1
    ncorp=$(find "$W/corpus/$t" -type f | wc -l)
    printf '%-16s %12s %8s %8s %s\n' "$t" "${execs:-?}" "${speed:-?}" "$crashes" "$ncorp"
    if [ $rc -ne 0 ]; then
        failed=1
        echo "  $t failed (exit $rc); log $log; reproducer:"
        ls -1 "$W/crashes/$t-"* 2>/dev/null | sed 's/^/    /'
        grep -m5 -E 'ERROR|runtime error|SUMMARY' "$log" | sed 's/^/    /'
    fi
done
exit $failed
