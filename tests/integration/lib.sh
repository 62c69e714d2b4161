# Shared helpers for integration tests: start mock providers and the real switchboard binary
# on free loopback ports, poll with deadlines, and stop only the processes we started.
set -euo pipefail

: "${SB_BIN:?SB_BIN must point at the switchboard binary}"
: "${SB_MOCK:?SB_MOCK must point at the mock_provider binary}"
SB_SRC=${SB_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
SB_FIXTURES=${SB_FIXTURES:-$SB_SRC/tests/fixtures}

T=$(mktemp -d /tmp/sbtest.XXXXXX)
PIDS=()
export HOME=$T/home XDG_RUNTIME_DIR=$T/run XDG_STATE_HOME=$T/state
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
unset CEREBRAS_API_KEY ZAI_API_KEY LITELLM_MASTER_KEY
# a developer's Redis must not join the tests' instances (tests that share start their own)
unset REDIS_URL REDIS_HOST REDIS_PORT REDIS_PASSWORD

cleanup() {
    local rc=$?
    for p in "${PIDS[@]:-}"; do
        [ -n "$p" ] && kill "$p" 2>/dev/null || true
    done
    for p in "${PIDS[@]:-}"; do
        [ -n "$p" ] && wait "$p" 2>/dev/null || true
    done
    if [ $rc -ne 0 ]; then
        echo "---- test failed; logs in $T ----"
        for f in "$T"/*.log; do [ -f "$f" ] && { echo "== $f"; tail -n 40 "$f"; }; done
    else
        rm -rf "$T"
    fi
    exit $rc
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# wait_for CMD... : polls until CMD succeeds, 10 s deadline (SB_WAIT to change).
wait_for() {
    local deadline=$((SECONDS + ${SB_WAIT:-10}))
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -ge $deadline ] && return 1
        sleep 0.05
    done
}

# start_mock NAME DIALECT [args...] : starts a mock provider; sets ${NAME}_PORT.
start_mock() {
    local name=$1 dialect=$2
    shift 2
    "$SB_MOCK" --dialect "$dialect" --name "$name" --port 0 --port-file "$T/$name.port" \
        "$@" >"$T/mock-$name.log" 2>&1 &
    PIDS+=($!)
    wait_for test -s "$T/$name.port" || fail "mock $name did not start"
    printf -v "${name^^}_PORT" '%s' "$(cat "$T/$name.port")"
}

# model_entry GROUP MODEL API_BASE KEY_VAR : one model_list entry; lines a caller prints
# next (six spaces in) add to its litellm_params.
model_entry() {
    printf '  - model_name: %s\n    litellm_params:\n      model: %s\n      api_base: %s\n      api_key: os.environ/%s\n' "$@"
}
# cerebras_entry GROUP [HOST:PORT] and zai_entry GROUP MODEL [HOST:PORT] : deployments of the
# mocks (CEREBRAS_PORT, ZAI_PORT), or of another address.
cerebras_entry() { model_entry "$1" cerebras/gpt-oss-120b "http://${2:-127.0.0.1:$CEREBRAS_PORT}/v1" CEREBRAS_API_KEY; }
zai_entry() { model_entry "$1" "anthropic/$2" "http://${3:-127.0.0.1:$ZAI_PORT}/api/anthropic" ZAI_API_KEY; }

# write_config FILE : the user's setup pointing at the mocks (CEREBRAS_PORT, ZAI_PORT).
write_config() {
    {
        echo "model_list:"
        cerebras_entry glm-4.6
        echo "      max_tokens: 16000"
        zai_entry zai-glm-4.6 glm-4.6
        zai_entry glm-4.5-air glm-4.5-air
        cat <<YAML
router_settings:
  fallbacks: [{"glm-4.6": ["zai-glm-4.6"]}]
  allowed_fails: 1
  cooldown_time: 60
  num_retries: 2
  model_group_alias: {"claude-*haiku*": "glm-4.5-air", "claude-*": "glm-4.6"}
general_settings:
  master_key: sk-1234
${EXTRA_YAML:-}
YAML
    } >"$1"
}

# seed_config FILE : the seed's 2025 config.yaml (assets/config.seed-2025.yaml: Cerebras'
# retired zai-glm-4.6, Z.AI's glm-4.6 and glm-4.5-air) with only its providers' addresses
# pointed at the mocks (CEREBRAS_PORT, ZAI_PORT).
seed_config() {
    python3 - "$SB_SRC/assets/config.seed-2025.yaml" "$1" "$CEREBRAS_PORT" "$ZAI_PORT" <<'PY'
import sys
s = open(sys.argv[1]).read()
line = "      model: cerebras/zai-glm-4.6\n"
assert s.count(line) == 1 and s.count("https://api.z.ai/api/anthropic") == 2
s = s.replace(line, line + "      api_base: http://127.0.0.1:%s/v1\n" % sys.argv[3])
s = s.replace("https://api.z.ai/api/anthropic", "http://127.0.0.1:%s/api/anthropic" % sys.argv[4])
open(sys.argv[2], "w").write(s)
PY
}

# start_sb [args...] : starts switchboard headless on a free port; sets SB_URL.
start_sb() {
    local port
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    CEREBRAS_API_KEY=${CEREBRAS_KEY-ck-test} ZAI_API_KEY=${ZAI_KEY-zk-test} \
        "$SB_BIN" --headless --config "$T/config.yaml" --port "$port" "$@" \
        >"$T/switchboard.log" 2>&1 &
    SB_PID=$!
    PIDS+=($SB_PID)
    SB_URL=$(wait_url "$T/switchboard.log") || fail "switchboard did not start"
    wait_for curl -sf "$SB_URL/health" || fail "switchboard /health never answered"
}

wait_url() {
    local log=$1 deadline=$((SECONDS + 10)) url
    while [ $SECONDS -lt $deadline ]; do
        url=$(grep -o 'listening on http://[0-9.:]*' "$log" 2>/dev/null | head -1 | sed 's/listening on //')
        [ -n "$url" ] && { echo "$url"; return 0; }
        sleep 0.05
    done
    return 1
}

# Standard setup: both mocks with keys, config, switchboard.
setup_default() {
    start_mock cerebras openai --key ck-test "${CEREBRAS_ARGS[@]}"
    start_mock zai anthropic --key zk-test "${ZAI_ARGS[@]}"
    write_config "$T/config.yaml"
    start_sb
}
CEREBRAS_ARGS=()
ZAI_ARGS=()

# mock_stat NAME FIELD : a counter from the mock's /_mock/stats.
mock_stat() {
    local port_var="${1^^}_PORT"
    curl -sf "http://127.0.0.1:${!port_var}/_mock/stats" |
        python3 -c "import json,sys; print(json.load(sys.stdin)['$2'])"
}

mock_fault() {
    local port_var="${1^^}_PORT"
    curl -sf -X POST "http://127.0.0.1:${!port_var}/_mock/fault" -d "{\"mode\":\"$2\"}" >/dev/null
}

# sb_post PATH BODY [curl args...] : POST with the master key; body to stdout.
sb_post() {
    local path=$1 body=$2
    shift 2
    curl -sS -H "Authorization: Bearer sk-1234" -H "Content-Type: application/json" \
        -X POST "$SB_URL$path" --data-binary "$body" "$@"
}

# json_get EXPR : evaluates a Python expression on the JSON from stdin as `d`.
json_get() {
    python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"
}
