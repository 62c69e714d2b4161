#!/usr/bin/env bash
# make soak: SECONDS of mixed traffic (both APIs, streaming and not, fallbacks through the
# cerebras mock's rpm limit and fault flips, clients hanging up) against a release build of
# switchboard and two mock providers. Prints RSS, open descriptors and threads of switchboard
# at the start, after warm-up, every minute and at the end, with request and error counts;
# fails when RSS doubled after warm-up, descriptors or threads grew, or a client got a broken
# answer (tests/soak/soak.py says what counts). Usage: run.sh BUILD_DIR [SECONDS]
set -euo pipefail
B=${1:-build-release}
SECS=${2:-600}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
B=$(cd "$B" && pwd)
T=$(mktemp -d /tmp/sbsoak.XXXXXX)
PIDS=()
cleanup() {
    local rc=$?
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    if [ $rc -ne 0 ]; then
        echo "soak failed; switchboard log: $T/sb.log"
        tail -n 20 "$T/sb.log"
    else
        rm -rf "$T"
    fi
    exit $rc
}
trap cleanup EXIT

wait_file() { for _ in $(seq 200); do [ -s "$1" ] && return 0; sleep 0.05; done; return 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Cerebras allows 40 requests per 10 s, so under load it keeps running out and Z.AI takes over.
"$B/tests/mock_provider" --dialect openai --name cerebras --port 0 --port-file "$T/c.port" \
    --key ck-soak --rpm 40 --window 10 --threads 64 --tps 2000 >"$T/mock-c.log" 2>&1 &
PIDS+=($!)
"$B/tests/mock_provider" --dialect anthropic --name zai --port 0 --port-file "$T/z.port" \
    --key zk-soak --threads 64 --tps 2000 >"$T/mock-z.log" 2>&1 &
PIDS+=($!)
wait_file "$T/c.port" && wait_file "$T/z.port" || { echo "mocks did not start"; exit 1; }
CP=$(cat "$T/c.port") ZP=$(cat "$T/z.port")
cat >"$T/config.yaml" <<YAML
model_list:
  - model_name: glm-4.6
    litellm_params: {model: cerebras/gpt-oss-120b, api_base: "http://127.0.0.1:$CP/v1", api_key: ck-soak, max_tokens: 16000}
  - model_name: zai-glm-4.6
    litellm_params: {model: anthropic/glm-4.6, api_base: "http://127.0.0.1:$ZP/api/anthropic", api_key: zk-soak}
router_settings:
  fallbacks: [{"glm-4.6": ["zai-glm-4.6"]}]
  model_group_alias: {"claude-*": "glm-4.6"}
  allowed_fails: 1
  cooldown_time: 3
  num_retries: 1
  timeout: 10
  stream_timeout: 3
general_settings:
  master_key: sk-soak
switchboard_settings:
  num_threads: 64
  connect_timeout: 2
  stream_idle_timeout: 3
YAML
SP=$(free_port)
"$B/switchboard" --headless --config "$T/config.yaml" --port "$SP" >"$T/sb.log" 2>&1 &
SB=$!
PIDS+=($SB)
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$SP/health" >/dev/null && break; sleep 0.05; done
curl -sf "http://127.0.0.1:$SP/health" >/dev/null || { echo "switchboard did not start"; exit 1; }

echo "soak: ${SECS}s of mixed traffic against switchboard (pid $SB) on port $SP"
python3 "$SRC/tests/soak/soak.py" --port "$SP" --pid "$SB" --seconds "$SECS" \
    --mock-ports "cerebras=$CP,zai=$ZP" \
    --fixture <(python3 -c 'import json,sys; json.dump(json.load(open(sys.argv[1]))["body"], sys.stdout)' \
        "$SRC/tests/fixtures/claude-code/tool_bash-01.json")
kill -0 "$SB" 2>/dev/null || { echo "FAIL: switchboard is gone"; exit 1; }
