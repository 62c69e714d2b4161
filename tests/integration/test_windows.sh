#!/usr/bin/env bash
# Context windows: config.yaml's model_info.max_input_tokens (LiteLLM's key; a free tier's
# smaller window) and what discovery and the provider table know. A request too large for the
# fast model goes straight to its fallback without a Cerebras attempt; /v1/models tells clients
# the largest window each group reaches.
source "$(dirname "$0")/lib.sh"

start_mock cerebras openai --key ck-test
start_mock zai anthropic --key zk-test
{
    echo "model_list:"
    cerebras_entry glm-4.6
    cat <<YAML
      max_tokens: 1000
    model_info:
      max_input_tokens: 3000
YAML
    zai_entry zai-glm glm-5.2
    cerebras_entry solo
    cat <<YAML
    model_info:
      max_input_tokens: 3000
router_settings:
  fallbacks: [{"glm-4.6": ["zai-glm"]}]
general_settings:
  master_key: sk-1234
YAML
} >"$T/config.yaml"
start_sb

models=$(curl -sf -H "Authorization: Bearer sk-1234" "$SB_URL/v1/models")
python3 - "$models" <<'PY' || fail "/v1/models: $models"
import json, sys
d = {m["id"]: m for m in json.loads(sys.argv[1])["data"]}
# glm-4.6 reaches Z.AI's glm-5.2 (1M context) through its fallback
assert d["glm-4.6"]["context_window"] == 1000000, d["glm-4.6"]
assert d["glm-4.6"]["max_input_tokens"] == 1000000, d["glm-4.6"]
assert d["zai-glm"]["max_output_tokens"] == 131072, d["zai-glm"]
PY
models=$(curl -sf -H "Authorization: Bearer sk-1234" -H "anthropic-version: 2023-06-01" "$SB_URL/v1/models")
python3 -c 'import json,sys; d={m["id"]: m for m in json.loads(sys.argv[1])["data"]}; assert d["glm-4.6"]["max_input_tokens"] == 1000000 and d["glm-4.6"]["type"] == "model"' "$models" ||
    fail "/v1/models (Anthropic shape): $models"
pass "/v1/models: each group's windows, through its fallbacks"

served() { # BODY -> provider,attempts
    sb_post /v1/messages "$1" -D - -o /dev/null | tr -d '\r' |
        awk 'tolower($1)=="x-switchboard-provider:" {p=$2} tolower($1)=="x-switchboard-attempts:" {a=$2} END {print p","a}'
}
small='{"model":"glm-4.6","max_tokens":500,"messages":[{"role":"user","content":"hi"}]}'
[ "$(served "$small" | cut -d, -f1)" = cerebras/glm-4.6 ] || fail "a small request did not go to Cerebras"
before=$(mock_stat cerebras requests)
big=$(python3 -c 'import json; print(json.dumps({"model":"glm-4.6","max_tokens":500,"messages":[{"role":"user","content":"word " * 16000}]}))')
got=$(served "$big")
[ "${got%%,*}" = zai ] || fail "a request larger than Cerebras' window went to ${got%%,*}"
grep -q 'cerebras/glm-4.6=too-large' <<<"$got" || fail "attempts: $got"
[ "$(mock_stat cerebras requests)" = "$before" ] || fail "Cerebras was tried with a request larger than its window"
state=$(curl -sf -H "Authorization: Bearer sk-1234" "$SB_URL/admin/state")
python3 -c 'import json,sys; r=json.loads(sys.argv[1])["requests_log"][0]; a=r["attempts"][0]; assert a["provider"]=="cerebras/glm-4.6" and "input tokens, its window takes 3000" in a["note"], r' "$state" ||
    fail "the log does not say why Cerebras was skipped"
pass "a request over Cerebras' 3000-token window goes straight to Z.AI, no Cerebras attempt"

# When no later candidate would take it, it is tried anyway: the provider decides.
got=$(served "${big/glm-4.6/solo}")
[ "${got%%,*}" = cerebras/solo ] || fail "a group with no larger fallback skipped its only deployment: $got"
pass "the window check never leaves a request without a candidate"
