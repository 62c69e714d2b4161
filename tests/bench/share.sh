#!/usr/bin/env bash
# make bench-share: the share of a Claude-Code-like session that runs on Cerebras, against the
# simulated Cerebras with its free-tier rules (10 requests a minute, 100 an hour and a day,
# 150K tokens a minute, 1M an hour and a day, continuous refill, input + budget booked on
# arrival) and Z.AI taking 3 requests at once, next to an offline oracle that knows the whole
# session. Two switchboards run side by side on their own mocks with the same session: the
# default (proactive) and proactive_routing: false (reactive, as LiteLLM). A measurement, not
# a test: it prints a table.
#
# Knobs: SHARE_SECONDS (session length, default 600: ten minutes), SHARE_SEED, SHARE_KEEP=1
# (keep the logs and results in /tmp).
set -euo pipefail
B=${1:-build-release}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
cd "$SRC"
B=$(cd "$B" && pwd)
T=$(mktemp -d /tmp/sbshare.XXXXXX)
PIDS=()
stop_all() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap 'stop_all; [ -n "${SHARE_KEEP:-}" ] && echo "kept $T" || rm -rf "$T"' EXIT
SECONDS_RUN=${SHARE_SECONDS:-600}
SEED=${SHARE_SEED:-12}
PY="python3 tests/bench/share.py"
LIMITS='{"rpm":10,"rph":100,"rpd":100,"tpm":150000,"tph":1000000,"tpd":1000000}'
MAX_WAIT=20
FLOOR=4096

wait_file() { for _ in $(seq 400); do [ -s "$1" ] && return 0; sleep 0.05; done; return 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

mock() { # NAME DIALECT ARGS...
    local name=$1 dialect=$2
    shift 2
    "$B/tests/mock_provider" --dialect "$dialect" --name "${name%%.*}" --port 0 \
        --port-file "$T/$name.port" --threads 64 "$@" >"$T/$name.log" 2>&1 &
    PIDS+=($!)
    wait_file "$T/$name.port" || { echo "mock $name did not start" >&2; exit 1; }
}

# Cerebras: fast (1500 tokens/s, first byte after 150 ms), free-tier limits; Z.AI: slower
# (100 tokens/s, first byte after 1 s), 3 requests at once; calibration: Cerebras unlimited.
start_mocks() { # MODE
    mock "cerebras.$1" openai --rpm 10 --rph 100 --rpd 100 --tpm 150000 --tph 1000000 \
        --tpd 1000000 --tps 1500 --first-byte-ms 150
    mock "zai.$1" anthropic --concurrency 3 --tps 100 --first-byte-ms 1000
    mock "calib.$1" openai
}

# The user's config: the free tier as published, Z.AI's plan concurrency.
write_config() { # MODE PROACTIVE
    cat >"$T/$1.yaml" <<YAML
model_list:
  - model_name: glm-4.6
    litellm_params:
      model: cerebras/zai-glm-4.6
      api_base: http://127.0.0.1:$(cat "$T/cerebras.$1.port")/v1
      api_key: bench
      rpm: 10
      rph: 100
      rpd: 100
      tpm: 150000
      tph: 1000000
      tpd: 1000000
  - model_name: zai-glm-4.6
    litellm_params:
      model: anthropic/glm-4.6
      api_base: http://127.0.0.1:$(cat "$T/zai.$1.port")/api/anthropic
      api_key: bench
      max_parallel_requests: 3
  - model_name: calib
    litellm_params:
      model: cerebras/zai-glm-4.6
      api_base: http://127.0.0.1:$(cat "$T/calib.$1.port")/v1
      api_key: bench
router_settings:
  fallbacks: [{"glm-4.6": ["zai-glm-4.6"]}]
  model_group_alias: {"claude-*": "glm-4.6"}
general_settings:
  master_key: sk-bench
switchboard_settings:
  proactive_routing: $2
  max_wait: $MAX_WAIT
  min_output_tokens: $FLOOR
  num_threads: 256
YAML
}

start_sb() { # MODE
    local port
    port=$(free_port)
    "$B/switchboard" --headless --config "$T/$1.yaml" --port "$port" >"$T/$1.sb.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 400); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.05; done
    echo "http://127.0.0.1:$port" >"$T/$1.url"
}

$PY trace --fixtures tests/fixtures/claude-code --seed "$SEED" --seconds "$SECONDS_RUN" --out "$T/trace.json"
for mode in proactive reactive; do
    start_mocks $mode
    write_config $mode $([ $mode = proactive ] && echo true || echo false)
    start_sb $mode
done
$PY calib --trace "$T/trace.json" --url "$(cat "$T/proactive.url")" \
    --mock "http://127.0.0.1:$(cat "$T/calib.proactive.port")" --key sk-bench --out "$T/calib.json"
$PY oracle --trace "$T/trace.json" --calib "$T/calib.json" --limits "$LIMITS" --floor $FLOOR \
    --max-wait $MAX_WAIT --out "$T/oracle.json" &
ORACLE=$!

echo "replaying ${SECONDS_RUN}s of session on both switchboards at once; please wait"
LOADS=()
for mode in proactive reactive; do
    $PY replay --trace "$T/trace.json" --url "$(cat "$T/$mode.url")" --key sk-bench \
        --out "$T/$mode.results.json" &
    LOADS+=($!)
done
for p in "${LOADS[@]}"; do wait "$p"; done
wait $ORACLE

RUNS=()
for mode in proactive reactive; do
    for m in cerebras zai; do
        curl -sf "http://127.0.0.1:$(cat "$T/$m.$mode.port")/_mock/stats" >"$T/$m.$mode.stats.json"
    done
    RUNS+=("$mode,$T/$mode.results.json,$T/cerebras.$mode.stats.json,$T/zai.$mode.stats.json")
done
$PY report --trace "$T/trace.json" --oracle "$T/oracle.json" "${RUNS[@]}"
