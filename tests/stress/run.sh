#!/usr/bin/env bash
# make stress: a fixed number of requests of four kinds at once through one switchboard, at 64
# concurrent client connections and then more, with clients hanging up, against fast local mock
# providers (issue 16). Kinds: 1 KB OpenAI, 1 KB Anthropic (translated to the OpenAI-dialect
# provider), 1 KB OpenAI streamed, ~100 KB Claude Code requests (streamed, translated). Every
# 50th request of each client connection goes to a slow provider instead and the client hangs
# up after 1..100 ms. Fails on a crash, any sanitizer report, a transport error, a status
# other than 200 or a malformed answer (tests/stress/stress_client.c says what it checks), a
# request log that is not one JSON line per request, or an unclean exit on SIGTERM. Prints
# requests, req/s, errors, hang-ups, RSS and upstream connection reuse.
#
# Usage: run.sh MODE SWITCHBOARD TOOLS_DIR REQUESTS
#   MODE         release | asan | tsan: how to read the process's sanitizer output
#   SWITCHBOARD  the binary under test
#   TOOLS_DIR    a release build dir with tests/mock_provider and tests/stress_client
#   REQUESTS     total over all phases
#   STRESS_PHASES  concurrent client connections per phase (default "64 192"), each phase an
#                  equal share of REQUESTS
#   STRESS_TSAN_SUPP  a suppressions file for TSan (default none)
set -euo pipefail
MODE=$1
SB=$(realpath "$2")
TOOLS=$(cd "$3" && pwd)
N=$4
PHASES=${STRESS_PHASES:-64 192}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/sbstress.XXXXXX)
# switchboard's state file, default log and .env belong to this run, never the user's own
# (a running instance's state file would be replaced, and named as not exited cleanly).
export HOME=$T/home XDG_RUNTIME_DIR=$T/run XDG_STATE_HOME=$T/state
mkdir -p "$HOME" && mkdir -m 700 "$XDG_RUNTIME_DIR"
unset LITELLM_MASTER_KEY # the stress client sends no key
PIDS=()
SB_PID=
cleanup() {
    local rc=$?
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    if [ $rc -ne 0 ]; then
        echo "stress ($MODE) FAILED; files in $T"
        tail -n 30 "$T/sb.err" 2>/dev/null || true
    else
        rm -rf "$T"
    fi
    exit $rc
}
trap cleanup EXIT
fail() { echo "FAIL ($MODE): $*" >&2; exit 1; }
wait_file() { for _ in $(seq 400); do [ -s "$1" ] && return 0; sleep 0.05; done; return 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

MAXC=0
for c in $PHASES; do [ "$c" -gt "$MAXC" ] && MAXC=$c; done
# civetweb serves one connection per thread; a client that hung up holds its thread until
# switchboard notices, so leave room above the client count.
THREADS=$((MAXC + 64))
MOCK_THREADS=$((THREADS + 64))

# start_mock NAME [args...]: an OpenAI-dialect mock with room for millions of requests a day.
start_mock() {
    local name=$1
    shift
    "$TOOLS/tests/mock_provider" --dialect openai --name "$name" --port 0 --port-file "$T/$name.port" \
        --tpm 1000000000 --rpd 1000000000 --threads "$MOCK_THREADS" "$@" \
        >"$T/mock-$name.log" 2>&1 &
    PIDS+=($!)
    wait_file "$T/$name.port" || fail "mock $name did not start"
}
start_mock fast --reply-tokens 8
# The slow one answers after 30 ms and streams 40 tokens over 20 ms: a hang-up at 1..100 ms
# falls before the request is read, while switchboard waits, mid-stream, or after the end.
start_mock slow --first-byte-ms 30 --tps 2000
FAST=$(cat "$T/fast.port") SLOW=$(cat "$T/slow.port")
cat >"$T/config.yaml" <<YAML
model_list:
  - model_name: mock-model
    litellm_params: {model: openai/mock-model, api_base: "http://127.0.0.1:$FAST/v1", api_key: stress}
  - model_name: slow-model
    litellm_params: {model: openai/mock-model, api_base: "http://127.0.0.1:$SLOW/v1", api_key: stress}
switchboard_settings:
  num_threads: $THREADS
YAML
python3 "$SRC/tests/stress/bodies.py" "$T" "$SRC/tests/fixtures/claude-code/no_tool_search-01.json" \
    mock-model slow-model

mkdir -p "$T/tsan"
case $MODE in
asan)
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    ;;
tsan)
    TSAN_OPTIONS="halt_on_error=0:second_deadlock_stack=1:history_size=4:log_path=$T/tsan/tsan"
    [ -n "${STRESS_TSAN_SUPP:-}" ] && TSAN_OPTIONS="$TSAN_OPTIONS:suppressions=$STRESS_TSAN_SUPP"
    export TSAN_OPTIONS
    ;;
release) ;;
*) fail "unknown mode $MODE" ;;
esac
PORT=$(free_port)
"$SB" --headless --config "$T/config.yaml" --port "$PORT" --log-file "$T/requests.log" \
    >"$T/sb.out" 2>"$T/sb.err" &
SB_PID=$!
PIDS+=($SB_PID)
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.05; done
curl -sf "http://127.0.0.1:$PORT/health" >/dev/null || fail "switchboard did not start"
unset ASAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS # the tools are release builds

n_phases=$(wc -w <<<"$PHASES")
echo "stress ($MODE): $N requests in $n_phases phase(s) at $PHASES connections; switchboard pid $SB_PID, $THREADS threads"
SUMMARIES=()
for c in $PHASES; do
    per=$((c / 4))
    echo "phase: $c client connections ($per per kind), $((N / n_phases)) requests"
    KINDS=()
    for k in oai:/v1/chat/completions ant:/v1/messages oai_stream:/v1/chat/completions cc:/v1/messages; do
        name=${k%%:*} path=${k#*:}
        KINDS+=(--kind "$name:$per:$path:$T/$name.json:$T/${name}_hangup.json")
    done
    rc=0
    "$TOOLS/tests/stress_client" --base "http://127.0.0.1:$PORT" --requests $((N / n_phases)) \
        --hangup-every 50 --hangup-max-ms 100 --pid "$SB_PID" "${KINDS[@]}" \
        >"$T/phase-$c.json" || rc=$?
    cat "$T/phase-$c.json"
    SUMMARIES+=("$T/phase-$c.json")
    kill -0 "$SB_PID" 2>/dev/null || fail "switchboard died (see $T/sb.err)"
    [ $rc -eq 0 ] || fail "phase at $c connections: errors (above)"
done

# CPU seconds each process used (user + system), from /proc/PID/stat.
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$1/stat"; }
CPU="switchboard $(cpu_s "$SB_PID") s, mocks $(cpu_s "${PIDS[0]}") + $(cpu_s "${PIDS[1]}") s"
# Upstream connection reuse, from switchboard's own counters.
curl -sf "http://127.0.0.1:$PORT/metrics" >"$T/metrics.txt" || fail "GET /metrics"
RSS_END=$(awk '/VmRSS/ {print $2}' "/proc/$SB_PID/status")

# SIGTERM: a clean exit (ASan's leak check and TSan's report count decide the status).
kill -TERM "$SB_PID"
rc=0
wait "$SB_PID" || rc=$?
PIDS=("${PIDS[@]/$SB_PID/}")
[ $rc -eq 0 ] || fail "switchboard exited with status $rc on SIGTERM"
if grep -Eq 'Sanitizer|runtime error|LeakSanitizer' "$T/sb.err"; then
    cat "$T/sb.err"
    fail "sanitizer report"
fi
if ls "$T"/tsan/tsan.* >/dev/null 2>&1; then
    cat "$T"/tsan/tsan.*
    fail "ThreadSanitizer: $(grep -h '^SUMMARY' "$T"/tsan/tsan.* | sort | uniq -c | sort -rn)"
fi

python3 - "$T/requests.log" "$T/metrics.txt" "$RSS_END" "$MODE" "$CPU" "${SUMMARIES[@]}" <<'PY'
import json, re, sys
log, metrics, rss_end, mode, cpu, *phases = sys.argv[1:]
runs = [json.load(open(p)) for p in phases]
sent = sum(r["requests"] for r in runs)
ok = sum(r["ok"] for r in runs)
lines = bad = 0
with open(log, "rb") as f:
    for raw in f:
        lines += 1
        try:
            o = json.loads(raw)
            if "event" not in o and not isinstance(o.get("status"), int):
                bad += 1
        except ValueError:
            bad += 1
m = {}
for ln in open(metrics):
    g = re.match(r'(switchboard_provider_(?:connections|attempts)_total)\{provider="([^"]+)"(?:,result="[a-z_]+")?\} (\d+)', ln)
    if g:
        m.setdefault(g[2], {}).setdefault(g[1], 0)
        m[g[2]][g[1]] += int(g[3])
print(f"\n== stress ({mode}) summary")
for c, r in zip([p.rsplit("-", 1)[1][:-5] for p in phases], runs):
    kinds = ", ".join(f"{k} {v['requests']}" for k, v in r["kinds"].items())
    print(f"  {c:>4} connections: {r['requests']} requests in {r['seconds']:.0f} s = {r['rps']:.0f} req/s; "
          f"ok {r['ok']}, hang-ups {r['hangups']}, errors {r['errors']}; RSS start/peak/end "
          f"{r['rss_start_kb']/1024:.0f}/{r['rss_peak_kb']/1024:.0f}/{r['rss_end_kb']/1024:.0f} MB  ({kinds})")
print(f"  total {sent} requests, {ok} answered and checked, {sum(r['hangups'] for r in runs)} hang-ups, "
      f"{sum(r['errors'] for r in runs)} errors; RSS after {int(rss_end)/1024:.0f} MB; CPU {cpu}")
for dep, v in sorted(m.items()):
    a, c = v.get("switchboard_provider_attempts_total", 0), v.get("switchboard_provider_connections_total", 0)
    # attempts_total leaves out attempts the client hung up on; those close their connection
    reuse = f" ({100 * (a - c) / a:.2f}% reused a kept-alive one)" if a >= c > 0 else ""
    print(f"  upstream {dep}: {a} completed attempts, {c} new connections{reuse}")
print(f"  request log: {lines} lines, {bad} malformed")
if bad or lines < ok or lines > sent + 100:
    sys.exit(f"FAIL: the request log has {lines} lines ({bad} malformed) for {ok}..{sent} requests")
PY
echo "stress ($MODE): passed"
