#!/usr/bin/env bash
# make bench: what switchboard adds over the mock provider reached directly, measured in the
# same run on loopback, printed as a table (issue 6). A measurement, not a test: nothing here
# asserts a timing. Usage: run.sh BUILD_DIR
#   BENCH_REQUESTS   requests per 1 KB latency row (default 2000; 50 KB rows use a fifth)
#   BENCH_HOLD       stream counts for the concurrency ramp (default "64 128 256 512 1024")
set -euo pipefail
B=${1:-build-release}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
cd "$SRC"
B=$(cd "$B" && pwd)
T=$(mktemp -d /tmp/sbbench.XXXXXX)
PIDS=()
stop_all() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap 'stop_all; rm -rf "$T"' EXIT
N=${BENCH_REQUESTS:-2000}
HOLD_STEPS=${BENCH_HOLD:-64 128 256 512 1024}
BC="$B/tests/bench_client"
RES="$T/results.jsonl"
# Holding 1024 streams takes ~2 sockets each in switchboard, plus the client's and the mock's.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

wait_file() { for _ in $(seq 200); do [ -s "$1" ] && return 0; sleep 0.05; done; return 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
note() { printf '%s\n' "$*" >&2; }

# start_mock NAME DIALECT [args...]: sets NAME_PORT.
start_mock() {
    local name=$1 dialect=$2
    shift 2
    # A huge reported TPM keeps switchboard's proactive token budget out of the way.
    "$B/tests/mock_provider" --dialect "$dialect" --name "$name" --port 0 --tpm 1000000000 \
        --port-file "$T/$name.port" "$@" >"$T/mock-$name.log" 2>&1 &
    PIDS+=($!)
    wait_file "$T/$name.port" || { echo "mock $name did not start" >&2; exit 1; }
    printf -v "${name^^}_PORT" '%s' "$(cat "$T/$name.port")"
    MOCKS+=("$name")
}
MOCKS=()
# The mocks report a daily request allowance (Cerebras' 14400); the bench sends more than that,
# so every row starts from fresh counters.
reset_mocks() {
    local m v
    for m in "${MOCKS[@]}"; do
        v="${m^^}_PORT"
        curl -sf -X POST "http://127.0.0.1:${!v}/_mock/reset" >/dev/null || true
    done
}

# start_sb CONFIG: starts switchboard headless; sets SB_PID and SB_PORT.
start_sb() {
    SB_PORT=$(free_port)
    "$B/switchboard" --headless --config "$1" --port "$SB_PORT" >"$T/sb.log" 2>&1 &
    SB_PID=$!
    PIDS+=($SB_PID)
    for _ in $(seq 200); do
        curl -sf "http://127.0.0.1:$SB_PORT/health" >/dev/null && return 0
        sleep 0.05
    done
    echo "switchboard did not start" >&2
    exit 1
}
stop_sb() { kill "$SB_PID" 2>/dev/null || true; wait "$SB_PID" 2>/dev/null || true; }

# Mocks: cerebras/zai answer at once; paced streams a chunk every 10 ms; held streams a chunk
# every 100 ms (the hold ramp); limited always answers 429 without a reset hint (failover).
start_mock cerebras openai --threads 256 --reply-tokens 150
start_mock zai anthropic --threads 256 --reply-tokens 150
start_mock paced openai --threads 64 --reply-tokens 150 --tps 300
start_mock held openai --threads 2100 --reply-tokens 150 --tps 30
start_mock limited openai --threads 64 --fault 429_plain
PACED_MS=10
HELD_MS=100
RAMP_MS=1000 # held streams open over this long, then all run at once for 4 s

deps_yaml() {
    cat <<YAML
model_list:
  - model_name: glm-4.6
    litellm_params: {model: cerebras/gpt-oss-120b, api_base: "http://127.0.0.1:$CEREBRAS_PORT/v1", api_key: bench}
  - model_name: zai-glm-4.6
    litellm_params: {model: anthropic/glm-4.6, api_base: "http://127.0.0.1:$ZAI_PORT/api/anthropic", api_key: bench}
  - model_name: paced
    litellm_params: {model: cerebras/gpt-oss-120b, api_base: "http://127.0.0.1:$PACED_PORT/v1", api_key: bench}
  - model_name: held
    litellm_params: {model: cerebras/gpt-oss-120b, api_base: "http://127.0.0.1:$HELD_PORT/v1", api_key: bench}
  - model_name: limited
    litellm_params: {model: cerebras/gpt-oss-120b, api_base: "http://127.0.0.1:$LIMITED_PORT/v1", api_key: bench}
router_settings:
  fallbacks: [{"glm-4.6": ["zai-glm-4.6"]}, {"limited": ["zai-glm-4.6"]}]
  # Every failover request must meet the 429 itself, not skip a cooled-down primary.
  cooldown_time: 0
YAML
}
deps_yaml >"$T/config.yaml" # default num_threads (128)
start_sb "$T/config.yaml"
sleep 1
RSS_IDLE=$(rss_kb "$SB_PID")
# Most of the RSS of an idle process is shared library pages (libcurl pulls in ~35 libraries),
# shared with every other process using them: the private part and PSS say more.
ANON_IDLE=$(awk '/RssAnon/ {print $2}' "/proc/$SB_PID/status")
PSS_IDLE=$(awk '/^Pss:/ {print $2}' "/proc/$SB_PID/smaps_rollup")
THREADS_IDLE=$(awk '/^Threads/ {print $2}' "/proc/$SB_PID/status")
SBU=http://127.0.0.1:$SB_PORT

python3 - "$T" <<'PY'
import json, sys
t = sys.argv[1]
filler = "lorem ipsum dolor sit amet " * 40
def dump(name, obj):
    json.dump(obj, open(f"{t}/{name}.json", "w"), separators=(",", ":"))
small = {"model": "glm-4.6", "max_tokens": 200, "messages": [{"role": "user", "content": filler[:900]}]}
dump("small", small)
dump("small_stream", dict(small, stream=True))
dump("paced_stream", dict(small, model="paced", stream=True))
dump("paced_stream_a", {"model": "paced", "max_tokens": 200, "stream": True,
                        "messages": [{"role": "user", "content": filler[:900]}]})
dump("held_stream", dict(small, model="held", stream=True))
dump("limited", dict(small, model="limited", stream=True))
dump("zai_small_stream", dict(small, model="zai-glm-4.6", stream=True))
cc = json.load(open("tests/fixtures/claude-code/tool_bash-01.json"))["body"]
dump("cc", dict(cc, model="glm-4.6"))
dump("cc_zai", dict(cc, model="zai-glm-4.6"))
PY

AUTH=(--header "Authorization: Bearer bench" --header "x-api-key: bench"
    --header "anthropic-version: 2023-06-01")
# capture MOCK_PORT PROXY_PATH PROXY_BODY OUT: sends one request through switchboard and saves
# the body the mock received, byte for byte as the mock parsed it, for the direct baseline.
capture() {
    curl -sf -o /dev/null -X POST "$SBU$2" -H 'content-type: application/json' \
        -H 'anthropic-version: 2023-06-01' --data-binary "@$3"
    curl -sf "http://127.0.0.1:$1/_mock/last" |
        python3 -c 'import json,sys; json.dump(json.load(sys.stdin)["body"], sys.stdout, separators=(",",":"), ensure_ascii=False)' >"$4"
}
capture "$CEREBRAS_PORT" /v1/chat/completions "$T/small.json" "$T/d_small.json"
capture "$CEREBRAS_PORT" /v1/chat/completions "$T/small_stream.json" "$T/d_small_stream.json"
capture "$CEREBRAS_PORT" /v1/messages "$T/cc.json" "$T/d_cc.json"
capture "$ZAI_PORT" /v1/messages "$T/cc_zai.json" "$T/d_cc_zai.json"
capture "$PACED_PORT" /v1/chat/completions "$T/paced_stream.json" "$T/d_paced_stream.json"
capture "$HELD_PORT" /v1/chat/completions "$T/held_stream.json" "$T/d_held_stream.json"
capture "$ZAI_PORT" /v1/chat/completions "$T/zai_small_stream.json" "$T/d_zai_small_stream.json"

MC=http://127.0.0.1:$CEREBRAS_PORT/v1/chat/completions
MZ=http://127.0.0.1:$ZAI_PORT/api/anthropic/v1/messages
MP=http://127.0.0.1:$PACED_PORT/v1/chat/completions
MH=http://127.0.0.1:$HELD_PORT/v1/chat/completions
ML=http://127.0.0.1:$LIMITED_PORT/v1/chat/completions
SBO=$SBU/v1/chat/completions
SBA=$SBU/v1/messages

# latency KIND NAME C REQS DIRECT_URL DIRECT_BODY PROXY_URL PROXY_BODY
latency() {
    local kind=$1 name=$2 c=$3 n=$4 d p
    [ "$n" -ge $((c * 8)) ] || n=$((c * 8)) # a few samples per connection at least
    note "  $name c=$c ..."
    reset_mocks
    d=$("$BC" --requests "$n" --warmup 20 --concurrency "$c" --url "$5" --body-file "$6" "${AUTH[@]}" 2>/dev/null) || true
    p=$("$BC" --requests "$n" --warmup 20 --concurrency "$c" --url "$7" --body-file "$8" "${AUTH[@]}" 2>/dev/null) || true
    printf '{"kind":"%s","name":"%s","c":%s,"direct":%s,"proxy":%s}\n' "$kind" "$name" "$c" \
        "${d:-null}" "${p:-null}" >>"$RES"
}

note "latency rows ($N requests per 1 KB row)"
for c in 1 16 64; do
    latency lat "1 KB OpenAI -> cerebras (o2o)" $c "$N" "$MC" "$T/d_small.json" "$SBO" "$T/small.json"
done
for c in 1 16 64; do
    latency lat "50 KB Claude Code -> cerebras (a2o, stream)" $c $((N / 5)) "$MC" "$T/d_cc.json" "$SBA" "$T/cc.json"
done
for c in 1 16 64; do
    latency lat "50 KB Claude Code -> zai (a2a, stream)" $c $((N / 5)) "$MZ" "$T/d_cc_zai.json" "$SBA" "$T/cc_zai.json"
done

note "streaming rows"
SN=$((N / 10 > 50 ? N / 10 : 50))
latency stream "OpenAI stream, no delay (o2o)" 1 "$SN" "$MC" "$T/d_small_stream.json" "$SBO" "$T/small_stream.json"
latency stream "Anthropic stream, no delay (a2o)" 1 "$SN" "$MC" "$T/d_small_stream.json" "$SBA" "$T/small_stream.json"
latency stream "OpenAI stream, ${PACED_MS} ms/chunk (o2o)" 4 $((SN / 2)) "$MP" "$T/d_paced_stream.json" "$SBO" "$T/paced_stream.json"
latency stream "Anthropic stream, ${PACED_MS} ms/chunk (a2o)" 4 $((SN / 2)) "$MP" "$T/d_paced_stream.json" "$SBA" "$T/paced_stream_a.json"

note "failover"
reset_mocks
# The primary answers 429 to every request (cooldown_time 0, so none is skipped): the time to
# the first byte through the fallback, against the same stream sent straight to the fallback
# through switchboard, and the mock's own 429 time.
fo=$("$BC" --requests 400 --warmup 20 --url "$SBO" --body-file "$T/limited.json" 2>/dev/null) || true
fz=$("$BC" --requests 400 --warmup 20 --url "$SBO" --body-file "$T/zai_small_stream.json" 2>/dev/null) || true
f429=$("$BC" --requests 400 --warmup 20 --url "$ML" --body-file "$T/d_small_stream.json" 2>/dev/null || true)
printf '{"kind":"failover","via_429":%s,"fallback_direct":%s,"mock_429":%s}\n' \
    "${fo:-null}" "${fz:-null}" "${f429:-null}" >>"$RES"
RSS_AFTER_LAT=$(rss_kb "$SB_PID")
stop_sb

# hold STEP: the ramp. Direct first, then a switchboard with num_threads for this many
# streams (civetweb serves one connection per thread).
hold_step() {
    local n=$1 threads d p idle after
    threads=$((n + 16))
    note "  hold $n streams (num_threads $threads) ..."
    d=$("$BC" --hold "$n" --pacing-ms $HELD_MS --ramp-ms $RAMP_MS --url "$MH" --body-file "$T/d_held_stream.json" 2>/dev/null) || true
    { deps_yaml; printf 'switchboard_settings:\n  num_threads: %s\n' "$threads"; } >"$T/hold.yaml"
    start_sb "$T/hold.yaml"
    sleep 1
    idle=$(rss_kb "$SB_PID")
    p=$("$BC" --hold "$n" --pacing-ms $HELD_MS --ramp-ms $RAMP_MS --rss-pid "$SB_PID" \
        --url "http://127.0.0.1:$SB_PORT/v1/chat/completions" --body-file "$T/held_stream.json" 2>/dev/null) || true
    sleep 2
    after=$(rss_kb "$SB_PID")
    stop_sb
    printf '{"kind":"hold","n":%s,"threads":%s,"direct":%s,"proxy":%s,"rss_idle":%s,"rss_after":%s}\n' \
        "$n" "$threads" "${d:-null}" "${p:-null}" "$idle" "$after" >>"$RES"
}
note "concurrent streams (a chunk every $HELD_MS ms, 50 chunks, opened over $RAMP_MS ms)"
for n in $HOLD_STEPS; do hold_step "$n"; done

printf '{"kind":"meta","requests":%s,"cores":%s,"rss_idle":%s,"anon_idle":%s,"pss_idle":%s,"threads_idle":%s,"rss_after_latency":%s,"paced_ms":%s,"held_ms":%s,"ramp_ms":%s,"load":"%s"}\n' \
    "$N" "$(nproc)" "$RSS_IDLE" "$ANON_IDLE" "$PSS_IDLE" "$THREADS_IDLE" "$RSS_AFTER_LAT" $PACED_MS $HELD_MS $RAMP_MS \
    "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RES"
python3 "$SRC/tests/bench/table.py" "$RES"
