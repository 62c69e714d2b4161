#!/usr/bin/env bash
# Bad input gets a clear error in the endpoint's own format with the right status, never a
# crash; local endpoints (count_tokens, probes, health) never reach a provider.
source "$(dirname "$0")/lib.sh"
EXTRA_YAML='switchboard_settings:
  max_body_bytes: 200000'
setup_default

# expect STATUS API PATH BODY [curl args] : checks status and error shape.
expect() {
    local status=$1 api=$2 path=$3 body=$4
    shift 4
    local code
    # A server may answer (413) and close before a large upload ends; curl then reports a
    # send error although the answer arrived, so its exit status is not the verdict here.
    code=$(sb_post "$path" "$body" -o "$T/resp" -w '%{http_code}' "$@") || true
    [ "$code" = "$status" ] || fail "$path with ${body:0:60}: got $code, want $status: $(head -c 300 "$T/resp")"
    if [ "$api" = anthropic ]; then
        json_get "bool(d['type']=='error' and d['error']['type'] and d['error']['message'])" <"$T/resp" | grep -q True ||
            fail "$path: not an Anthropic error: $(head -c 300 "$T/resp")"
    else
        json_get "bool(d['error']['message'] and d['error']['type'])" <"$T/resp" | grep -q True ||
            fail "$path: not an OpenAI error: $(head -c 300 "$T/resp")"
    fi
}

for ep in "/v1/chat/completions openai" "/v1/messages anthropic"; do
    set -- $ep
    p=$1 api=$2
    expect 400 "$api" "$p" '{"model": "glm-4.6", "messages": ['
    expect 400 "$api" "$p" 'not json at all'
    expect 400 "$api" "$p" '[1,2,3]'
    expect 400 "$api" "$p" '{"messages":[{"role":"user","content":"hi"}],"max_tokens":5}'
    expect 400 "$api" "$p" '{"model":42,"messages":[{"role":"user","content":"hi"}],"max_tokens":5}'
    expect 400 "$api" "$p" '{"model":"glm-4.6","messages":"hi","max_tokens":5}'
    expect 400 "$api" "$p" '{"model":"glm-4.6","messages":[{"role":"user","content":42}],"max_tokens":5}'
    expect 400 "$api" "$p" '{"model":"glm-4.6","messages":[{"role":"user","content":"hi"}],"max_tokens":"many"}'
    expect 400 "$api" "$p" '{"model":"glm-4.6","stream":"yes","messages":[{"role":"user","content":"hi"}],"max_tokens":5}'
    expect 400 "$api" "$p" "$(printf '{"model":"glm-4.6","messages":[{"role":"user","content":"\xff\xfe"}],"max_tokens":5}')"
    expect 400 "$api" "$p" "$(python3 -c 'print("{\"a\":" * 5000 + "1" + "}" * 5000)')"
    expect 404 "$api" "$p" '{"model":"no-such-model","messages":[{"role":"user","content":"hi"}],"max_tokens":5}'
    python3 -c 'print("{\"model\":\"glm-4.6\",\"x\":\"" + "a"*300000 + "\"}")' >"$T/big.json"
    expect 413 "$api" "$p" "@$T/big.json" -H "Expect: 100-continue"
    code=$(curl -s -o "$T/resp" -w '%{http_code}' -H "Authorization: Bearer wrong" -X POST "$SB_URL$p" -d '{}')
    [ "$code" = 401 ] || fail "$p with a wrong key got $code"
    code=$(curl -s -o "$T/resp" -w '%{http_code}' -H "x-api-key: sk-12345" -X POST "$SB_URL$p" -d '{}')
    [ "$code" = 401 ] || fail "$p with a longer wrong key got $code"
    code=$(curl -s -o "$T/resp" -w '%{http_code}' -X POST "$SB_URL$p" -d '{}')
    [ "$code" = 401 ] || fail "$p without key got $code"
    code=$(curl -s -o "$T/resp" -w '%{http_code}' -H "Authorization: Bearer sk-1234" "$SB_URL$p")
    [ "$code" = 405 ] || fail "GET $p got $code"
    pass "$api endpoint: every bad input gets its own error format"
done
json_get "d['error']['type']=='not_found_error'" <<<"$(sb_post /v1/messages '{"model":"nope","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}')" |
    grep -q True || fail "unknown model on /v1/messages is not not_found_error"
sb_post /v1/messages '{"model":"glm-4.6","max_tokens":5,"messages":"hi"}' -o /dev/null -D "$T/h" -w '%{http_code}' >/dev/null
grep -qi '^x-should-retry: false' "$T/h" || fail "terminal 400 lacks x-should-retry: false"
pass "anthropic terminal errors carry x-should-retry: false"

code=$(curl -s -o /dev/null -w '%{http_code}' -H "x-api-key: sk-1234" "$SB_URL/v1/nothing-here")
[ "$code" = 404 ] || fail "unknown path got $code"
for p in / /api/hello; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -I "$SB_URL$p")
    [ "$code" = 200 ] || fail "HEAD $p got $code"
done
for p in /health /health/liveliness /health/readiness; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$SB_URL$p")
    [ "$code" = 200 ] || fail "GET $p got $code"
done
pass "probes and health answer without a key"

before=$(($(mock_stat cerebras requests) + $(mock_stat zai requests)))
for f in "$SB_FIXTURES"/claude-code/interactive-0[2-7].json; do
    body=$(python3 -c "import json,sys; print(json.dumps(json.load(open('$f'))['body']))")
    n=$(sb_post "/v1/messages/count_tokens?beta=true" "$body" | json_get "d['input_tokens']")
    bytes=${#body}
    [ "$n" -ge $((bytes / 4)) ] || fail "count_tokens $f: $n < bytes/4 ($bytes bytes)"
done
after=$(($(mock_stat cerebras requests) + $(mock_stat zai requests)))
[ "$before" = "$after" ] || fail "count_tokens reached a provider"
pass "count_tokens answered locally and conservatively"

models=$(curl -sf -H "Authorization: Bearer sk-1234" "$SB_URL/v1/models" | json_get "sorted(m['id'] for m in d['data'])")
[ "$models" = "['glm-4.5-air', 'glm-4.6', 'zai-glm-4.6']" ] || fail "models: $models"
pass "/v1/models lists the model groups"

code=$(sb_post /v1/chat/completions '{"model":"glm-4.6","messages":[{"role":"user","content":"still alive?"}]}' -o /dev/null -w '%{http_code}')
[ "$code" = 200 ] || fail "server stopped serving after bad input: $code"
kill -0 "$SB_PID" || fail "switchboard died"
pass "still serving"
