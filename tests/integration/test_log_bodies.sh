#!/usr/bin/env bash
# --log-file writes one JSON line per request with the attempt trail and no bodies; with
# --log-bodies the line also carries the client's request body and the provider's answer
# (cut at 64 KiB with a mark). Never a key or a header, either way.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"
CEREBRAS_KEY=ck-secret-cerebras-123 ZAI_KEY=zk-secret-zai-456
start_mock cerebras openai --key ck-secret-cerebras-123
start_mock zai anthropic --key zk-secret-zai-456
write_config "$T/config.yaml"

# line_field LOG N EXPR : EXPR on the N-th JSON line of LOG (request lines only) as `d`.
line_field() {
    python3 - "$1" "$2" "$3" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
reqs = [l for l in lines if "event" not in l]
d = reqs[int(sys.argv[2])]
print(eval(sys.argv[3]))
PY
}
no_secrets() {
    local s
    for s in ck-secret-cerebras-123 zk-secret-zai-456 sk-1234; do
        grep -q -- "$s" "$1" && fail "$s in $1"
    done
    grep -qi '"authorization"\|"x-api-key"\|"anthropic-version"' "$1" && fail "a header in $1"
    return 0
}

start_sb --log-file "$T/plain.jsonl"
sb_post /v1/chat/completions "$(OAI_BODY glm-4.6)" -o /dev/null -f || fail "request"
wait_for test -s "$T/plain.jsonl" || fail "no log line"
[ "$(line_field "$T/plain.jsonl" 0 "d['provider']")" = cerebras ] || fail "log provider"
[ "$(line_field "$T/plain.jsonl" 0 "'request_body' in d or 'response_body' in d")" = False ] ||
    fail "bodies logged without --log-bodies"
no_secrets "$T/plain.jsonl"
kill "$SB_PID"
wait "$SB_PID" 2>/dev/null || true
pass "--log-file without --log-bodies: the trail, no bodies, no keys"

start_sb --log-file "$T/bodies.jsonl" --log-bodies
MARK=needle-$RANDOM-$RANDOM
BODY=$(printf '{"model":"glm-4.6","max_tokens":40,"messages":[{"role":"user","content":"find the %s"}]}' "$MARK")
sb_post /v1/messages "$BODY" -o "$T/a.json" -f -H "anthropic-version: 2023-06-01" || fail "anthropic request"
nlines() { grep -vc '"event"' "$T/bodies.jsonl"; }
has_lines() { [ "$(nlines)" -ge "$1" ]; }
wait_for has_lines 1 || fail "no log line with bodies"
[ "$(line_field "$T/bodies.jsonl" 0 "json.loads(d['request_body'])['messages'][0]['content']")" = "find the $MARK" ] ||
    fail "request body not logged as sent"
[ "$(line_field "$T/bodies.jsonl" 0 "'choices' in d['response_body']")" = True ] ||
    fail "response body is not the provider's (OpenAI) answer: $(line_field "$T/bodies.jsonl" 0 "d.get('response_body')")"
pass "--log-bodies: the client's body and the provider's answer"

python3 -c "
import json
print(json.dumps({'model':'glm-4.6','stream':True,'messages':[{'role':'user','content':'x'*100000}]}))" >"$T/big.json"
curl -sf -H "Authorization: Bearer sk-1234" -H "Content-Type: application/json" \
    "$SB_URL/v1/chat/completions" --data-binary @"$T/big.json" -o "$T/big.out" || fail "big request"
wait_for has_lines 2 || fail "no log line for the big request"
[ "$(line_field "$T/bodies.jsonl" 1 "len(d['request_body'])")" = 65536 ] || fail "request body not cut at 64 KiB"
[ "$(line_field "$T/bodies.jsonl" 1 "d.get('request_body_truncated')")" = True ] || fail "cut not marked"
[ "$(line_field "$T/bodies.jsonl" 1 "'data:' in d['response_body']")" = True ] || fail "stream answer not logged"
pass "a body over 64 KiB is cut and marked; a streamed answer is logged as received"

mock_fault cerebras 429
mock_fault zai 500
sb_post /v1/chat/completions "$(OAI_BODY glm-4.6)" -o /dev/null || true
wait_for has_lines 3 || fail "no log line for the failed request"
[ "$(line_field "$T/bodies.jsonl" 2 "'Internal server error' in d['response_body']")" = True ] ||
    fail "error body of the last attempt not logged"
[ "$(line_field "$T/bodies.jsonl" 2 "len(d['attempts']) >= 2")" = True ] || fail "attempt trail missing"
no_secrets "$T/bodies.jsonl"
pass "a failed request logs the last provider error body; no keys or headers anywhere"
