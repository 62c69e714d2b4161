#!/usr/bin/env bash
# Output budgets and cached tokens, end to end: Cerebras books input + max_completion_tokens on
# arrival, so when the 32000 a client asks for would not fit, switchboard lowers the budget to
# what fits (not below min_output_tokens) and the turn runs on Cerebras now; an answer that
# stops at such a lowered budget reaches the client as an honest max_tokens / length stop, and
# the log, /admin/state and /metrics say so. Cached prompt tokens are counted apart and give
# each provider's cache hit rate.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"

# 30000 tokens a minute: 500 come back every second
start_mock cerebras openai --key ck-test --tpm 30000
start_mock zai anthropic --key zk-test
{
    echo "model_list:"
    cerebras_entry glm-4.6
    echo "      tpm: 30000"
    zai_entry zai-glm-4.6 glm-4.6
    cat <<YAML
general_settings:
  master_key: sk-1234
switchboard_settings:
  min_output_tokens: 4096
  max_wait: 20
YAML
} >"$T/config.yaml"
start_sb --log-file "$T/requests.jsonl"

body() { # API REPLY_TOKENS
    local text="write the module [[reply_tokens=$2]]"
    if [ "$1" = anthropic ]; then
        printf '{"model":"glm-4.6","max_tokens":32000,"messages":[{"role":"user","content":"%s"}]}' "$text"
    else
        printf '{"model":"glm-4.6","max_tokens":32000,"messages":[{"role":"user","content":"%s"}]}' "$text"
    fi
}
req() { # API REPLY OUT
    local path=/v1/chat/completions
    [ "$1" = anthropic ] && path=/v1/messages
    sb_post "$path" "$(body "$1" "$2")" -D "$3.h" -o "$3.b" -w '%{http_code}' --max-time 60
}
last_budget() {
    curl -sf "http://127.0.0.1:$CEREBRAS_PORT/_mock/last" | json_get "d['body']['max_completion_tokens']"
}

# ---- the full 32000 does not fit 30000: the largest budget that does, on Cerebras now ----
code=$(req anthropic 200 "$T/a")
[ "$code" = 200 ] || fail "first: $code $(head -c 300 "$T/a.b")"
[ "$(header x-switchboard-provider "$T/a.h")" = cerebras ] || fail "not served by cerebras"
sent=$(last_budget)
[ "$sent" -ge 4096 ] && [ "$sent" -lt 30000 ] || fail "cerebras got max_completion_tokens $sent"
[[ $(header x-switchboard-output-budget "$T/a.h") == "$sent (lowered from 32000)" ]] ||
    fail "output budget header: $(header x-switchboard-output-budget "$T/a.h")"
json_get "d['stop_reason']" <"$T/a.b" | grep -qx end_turn || fail "a short answer did not end its turn"
[ "$(mstat cerebras rate_limited)" = 0 ] || fail "cerebras refused"
pass "32000 asked, $sent fits: sent to cerebras with $sent, no 429"

# ---- next (no fallback: it waits for room): the floor fits after a few seconds; the answer
# runs past it and stops there ----
code=$(req anthropic 6000 "$T/b")
[ "$code" = 200 ] || fail "second: $code $(head -c 300 "$T/b.b")"
[ "$(header x-switchboard-provider "$T/b.h")" = cerebras ] || fail "second not served by cerebras"
sent=$(last_budget)
[ "$sent" -ge 4096 ] && [ "$sent" -lt 6000 ] || fail "second budget $sent"
json_get "d['stop_reason']" <"$T/b.b" | grep -qx max_tokens || fail "stop: $(head -c 300 "$T/b.b")"
json_get "d['usage']['output_tokens']" <"$T/b.b" | grep -qx "$sent" || fail "output tokens not $sent"
[ "$(dep_field cerebras budget_cut)" = 1 ] || fail "budget_cut $(dep_field cerebras budget_cut)"
[ "$(dep_field cerebras budget_lowered)" = 2 ] || fail "budget_lowered $(dep_field cerebras budget_lowered)"
wait_for grep -q '"cut":true' "$T/requests.jsonl" || fail "the request log does not say the budget cut it"
grep '"cut":true' "$T/requests.jsonl" | grep -q '"asked":32000' || fail "log line: $(tail -1 "$T/requests.jsonl")"
curl -sf "${ADMIN[@]}" "$SB_URL/metrics" >"$T/metrics"
grep -qx 'switchboard_provider_budget_cut_total{provider="cerebras"} 1' "$T/metrics" ||
    fail "metrics: $(grep budget_ "$T/metrics")"
grep -qx 'switchboard_provider_budget_lowered_total{provider="cerebras"} 2' "$T/metrics" ||
    fail "metrics: $(grep budget_ "$T/metrics")"
python3 "$(dirname "$0")/prom_check.py" <"$T/metrics" || fail "metrics are not valid Prometheus text"
pass "6000-token answer at a lowered $sent: stop_reason max_tokens; log, /admin/state and /metrics count it"

# ---- OpenAI clients get finish_reason length (no budget that fits 30000 holds 40000) ----
code=$(req openai 40000 "$T/c")
[ "$code" = 200 ] || fail "openai: $code"
json_get "d['choices'][0]['finish_reason']" <"$T/c.b" | grep -qx length || fail "finish: $(head -c 300 "$T/c.b")"
[ "$(dep_field cerebras budget_cut)" = 2 ] || fail "budget_cut $(dep_field cerebras budget_cut)"
pass "an OpenAI client sees finish_reason length"

# ---- cached tokens: the same prompt twice reads the second from the cache ----
long=$(python3 -c 'print("x" * 6000)')
cbody="{\"model\":\"zai-glm-4.6\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"$long\"}]}"
for i in 1 2; do
    code=$(sb_post /v1/messages "$cbody" -o "$T/k$i.b" -w '%{http_code}' --max-time 30)
    [ "$code" = 200 ] || fail "cache request $i: $code"
done
json_get "d['usage']['cache_read_input_tokens'] > 0" <"$T/k2.b" | grep -q True ||
    fail "the second answer reports no cache read: $(head -c 300 "$T/k2.b")"
Z=$(dep_id zai-glm-4.6 zai)
state_json | json_get "[ (p['tokens_cached'], p['cache_hit_rate']) for p in d['providers'] if p['id']=='$Z'][0]" >"$T/cache"
python3 -c "import sys; c, r = eval(open('$T/cache').read()); sys.exit(0 if c > 0 and 0.2 < r < 0.6 else 1)" ||
    fail "zai tokens_cached / cache_hit_rate: $(cat "$T/cache")"
# to a file first: a grep -q that stops reading early fails curl (SIGPIPE) under pipefail
curl -sf "${ADMIN[@]}" "$SB_URL/metrics" >"$T/metrics" || fail "metrics"
grep -q "^switchboard_provider_cache_hit_ratio{provider=\"$Z\"} 0\.[2-5]" "$T/metrics" ||
    fail "metrics lack the cache hit ratio"
pass "cached tokens counted apart: zai hit rate $(cut -d, -f2 <"$T/cache" | tr -d ' )')"
stop_sb_clean
