#!/usr/bin/env bash
# make bench-proactive: reactive (LiteLLM-like) versus proactive routing on a Claude-Code-like
# workload, against a Cerebras mock limited like the free tier (10 requests and 150K tokens per
# minute, booking input + max_tokens up front) with a Z.AI mock as fallback. Both runs go at
# the same time on their own mocks and switchboards, with the same seeded workload, so the
# whole measurement takes one run's time. It is a measurement, not a test: it prints a table.
#
# Knobs: PROACTIVE_STEPS (main-agent steps per run, default 40: about 3 minutes), and
# PROACTIVE_SEED. The mocks use real 60 s windows: the router's windows are per minute, and a
# shortened mock window would measure a mismatch rather than the routing.
set -euo pipefail
B=${1:-build-release}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
cd "$SRC"
T=$(mktemp -d /tmp/sbproactive.XXXXXX)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$T"' EXIT
STEPS=${PROACTIVE_STEPS:-40}
SEED=${PROACTIVE_SEED:-7}

wait_file() { for _ in $(seq 200); do [ -s "$1" ] && return 0; sleep 0.05; done; return 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Cerebras: fast (about 1500 tokens/s, first byte after 150 ms); Z.AI: slower (100 tokens/s,
# first byte after 1 s), unlimited.
start_mocks() { # MODE
    "$B/tests/mock_provider" --dialect openai --name cerebras --port 0 --port-file "$T/$1.c.port" \
        --rpm 10 --tpm 150000 --window 60 --tps 1500 --first-byte-ms 150 --reply-tokens 300 \
        >"$T/$1.cerebras.log" 2>&1 &
    PIDS+=($!)
    "$B/tests/mock_provider" --dialect anthropic --name zai --port 0 --port-file "$T/$1.z.port" \
        --tps 100 --first-byte-ms 1000 --reply-tokens 300 >"$T/$1.zai.log" 2>&1 &
    PIDS+=($!)
    wait_file "$T/$1.c.port" && wait_file "$T/$1.z.port" || { echo "mocks did not start" >&2; exit 1; }
}

# A free-tier user's config: the Cerebras limits as published, and max_tokens clamped to 8192
# (Claude Code asks for 32000; Cerebras books the whole budget against the 150K tokens).
write_config() { # MODE PROACTIVE
    cat >"$T/$1.yaml" <<YAML
model_list:
  - model_name: glm-4.6
    litellm_params:
      model: cerebras/gpt-oss-120b
      api_base: http://127.0.0.1:$(cat "$T/$1.c.port")/v1
      api_key: bench
      rpm: 10
      tpm: 150000
      max_tokens: 8192
  - model_name: zai-glm-4.6
    litellm_params:
      model: anthropic/glm-4.6
      api_base: http://127.0.0.1:$(cat "$T/$1.z.port")/api/anthropic
      api_key: bench
router_settings:
  fallbacks: [{"glm-4.6": ["zai-glm-4.6"]}]
  model_group_alias: {"claude-*": "glm-4.6"}
general_settings:
  master_key: sk-bench
switchboard_settings:
  proactive_routing: $2
YAML
}

start_sb() { # MODE
    local port
    port=$(free_port)
    "$B/switchboard" --headless --config "$T/$1.yaml" --port "$port" >"$T/$1.sb.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.05; done
    echo "http://127.0.0.1:$port" >"$T/$1.url"
}

for mode in reactive proactive; do
    start_mocks $mode
    write_config $mode $([ $mode = proactive ] && echo true || echo false)
    start_sb $mode
done

echo "proactive routing bench: $STEPS main-agent steps per run (bursts of 3-5 sub-agents every"
echo "5 steps), 40-60 KB streamed Anthropic requests; Cerebras mock 10 req + 150K tokens per 60 s"
echo "window, max_tokens clamp 8192; Z.AI mock as fallback. Both runs in parallel; please wait."
LOAD_PIDS=()
for mode in reactive proactive; do
    python3 tests/bench/proactive_load.py --url "$(cat "$T/$mode.url")" --key sk-bench \
        --fixtures tests/fixtures/claude-code --seed "$SEED" --steps "$STEPS" >"$T/$mode.json" &
    LOAD_PIDS+=($!)
done
for p in "${LOAD_PIDS[@]}"; do wait "$p"; done

for mode in reactive proactive; do
    curl -sf "http://127.0.0.1:$(cat "$T/$mode.c.port")/_mock/stats" >"$T/$mode.mock.json"
    curl -sf -H "Authorization: Bearer sk-bench" "$(cat "$T/$mode.url")/admin/state" >"$T/$mode.state.json"
done

python3 - "$T" <<'PY'
import json, sys
t = sys.argv[1]
rows = {}
for mode in ("reactive", "proactive"):
    load = json.load(open(f"{t}/{mode}.json"))
    mock = json.load(open(f"{t}/{mode}.mock.json"))
    state = json.load(open(f"{t}/{mode}.state.json"))
    ok = sum(load["served"].values())
    cer = load["served"].get("cerebras", 0)
    ratio = [p.get("token_estimate_ratio") for p in state["providers"] if p["id"] == "cerebras"]
    rows[mode] = dict(n=load["requests"], r429=mock["rate_limited"], share=100.0 * cer / ok if ok else 0,
                      cer=cer, p50=load["ttfb_p50_ms"], p90=load["ttfb_p90_ms"], err=load["errors"],
                      secs=load["seconds"], samples=load["error_samples"], ratio=ratio[0] if ratio else None)
print(f"{'routing':<10} {'requests':>8} {'upstream 429s':>14} {'served by cerebras':>19} "
      f"{'p50 TTFB':>9} {'p90 TTFB':>9} {'client errors':>14} {'seconds':>8}")
for mode, r in rows.items():
    print(f"{mode:<10} {r['n']:>8} {r['r429']:>14} {r['share']:>11.1f}% ({r['cer']:>3}) "
          f"{r['p50']:>7.0f}ms {r['p90']:>7.0f}ms {r['err']:>14} {r['secs']:>8.0f}")
    for s in r["samples"]:
        print(f"    error: {s}")
a, b = rows["reactive"], rows["proactive"]
fewer = 100.0 * (a["r429"] - b["r429"]) / a["r429"] if a["r429"] else 0.0
print(f"upstream 429s: {fewer:.0f}% fewer with proactive routing (aim: >= 90%); Cerebras share "
      f"{b['share'] - a['share']:+.1f} points (aim: >= 0); input estimate scaled by "
      f"{b['ratio'] if b['ratio'] is not None else 'n/a'} after calibration")
PY
