#!/usr/bin/env bash
# make bench: added latency of switchboard over the mock provider reached directly, measured
# in the same run on loopback. Prints a table; it is a measurement, not a test.
set -euo pipefail
B=${1:-build-release}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
cd "$SRC"
T=$(mktemp -d /tmp/sbbench.XXXXXX)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill $p 2>/dev/null || true; done; rm -rf "$T"' EXIT
N=${BENCH_REQUESTS:-2000}

wait_file() { for _ in $(seq 200); do [ -s "$1" ] && return 0; sleep 0.05; done; return 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

"$B/tests/mock_provider" --dialect openai --name cerebras --port 0 --port-file "$T/c.port" --threads 128 >/dev/null 2>&1 &
PIDS+=($!)
"$B/tests/mock_provider" --dialect anthropic --name zai --port 0 --port-file "$T/z.port" --threads 128 >/dev/null 2>&1 &
PIDS+=($!)
wait_file "$T/c.port"; wait_file "$T/z.port"
CP=$(cat "$T/c.port") ZP=$(cat "$T/z.port")
cat >"$T/config.yaml" <<YAML
model_list:
  - model_name: glm-4.6
    litellm_params: {model: cerebras/zai-glm-4.6, api_base: "http://127.0.0.1:$CP/v1", api_key: bench}
  - model_name: zai-glm-4.6
    litellm_params: {model: anthropic/glm-4.6, api_base: "http://127.0.0.1:$ZP/api/anthropic", api_key: bench}
router_settings:
  fallbacks: [{"glm-4.6": ["zai-glm-4.6"]}]
switchboard_settings:
  num_threads: 160
YAML
SP=$(free_port)
"$B/switchboard" --headless --config "$T/config.yaml" --port "$SP" >"$T/sb.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$SP/health" >/dev/null && break; sleep 0.05; done

python3 - "$T" <<'PY'
import json, sys
t = sys.argv[1]
filler = "lorem ipsum dolor sit amet " * 30
small = {"model": "glm-4.6", "max_tokens": 20, "messages": [{"role": "user", "content": filler[:900]}]}
json.dump(small, open(f"{t}/small.json", "w"))
small_s = dict(small, stream=True)
json.dump(small_s, open(f"{t}/small_stream.json", "w"))
fx = json.load(open("tests/fixtures/claude-code/tool_bash-01.json"))["body"]
json.dump(fx, open(f"{t}/cc.json", "w"))
fx_z = dict(fx, model="zai-glm-4.6")
json.dump(fx_z, open(f"{t}/cc_zai.json", "w"))
# What the providers receive directly: the same shapes, already in their dialect.
json.dump(dict(small, model="zai-glm-4.6"), open(f"{t}/small_direct.json", "w"))
PY

run() { "$B/tests/bench_client" --requests "$N" --warmup 50 "$@" 2>/dev/null || true; }
AUTH=(--header "Authorization: Bearer bench")
row() { # name concurrency direct_url direct_body proxy_url proxy_body
    local d p
    d=$(run --url "$3" --body-file "$4" --concurrency "$2" "${AUTH[@]}" --header "x-api-key: bench" --header "anthropic-version: 2023-06-01")
    p=$(run --url "$5" --body-file "$6" --concurrency "$2")
    python3 - "$1" "$2" "$d" "$p" <<'PY'
import json, sys
name, c, d, p = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
print(f"{name:<44} c={c:<3} direct p50 {d['p50']:7.3f} p99 {d['p99']:7.3f} | proxy p50 {p['p50']:7.3f} p99 {p['p99']:7.3f} | "
      f"added p50 {p['p50']-d['p50']:+.3f} ms p99 {p['p99']-d['p99']:+.3f} ms | ttfb added p50 {p['ttfb_p50']-d['ttfb_p50']:+.3f} ms"
      + (f" | errors {d['errors']}/{p['errors']}" if d['errors'] or p['errors'] else ""))
PY
}

echo "switchboard bench: $N requests per row, loopback, mock without pacing ($(nproc) cores)"
MC=http://127.0.0.1:$CP/v1/chat/completions
MZ=http://127.0.0.1:$ZP/api/anthropic/v1/messages
SBO=http://127.0.0.1:$SP/v1/chat/completions
SBA=http://127.0.0.1:$SP/v1/messages
for c in 1 16 64; do
    row "1 KB OpenAI -> cerebras (o2o)" $c "$MC" "$T/small_direct.json" "$SBO" "$T/small.json"
done
for c in 1 16 64; do
    row "1 KB OpenAI stream -> cerebras" $c "$MC" "$T/small_stream.json" "$SBO" "$T/small_stream.json"
done
N=$((N / 4))
for c in 1 16; do
    row "50 KB Claude Code -> cerebras (a2o stream)" $c "$MC" "$T/small_stream.json" "$SBA" "$T/cc.json"
    row "50 KB Claude Code -> zai (a2a stream)" $c "$MZ" "$T/cc_zai.json" "$SBA" "$T/cc_zai.json"
done
echo "RSS of switchboard after the run: $(awk '/VmRSS/ {print $2, $3}' /proc/${PIDS[2]}/status)"
