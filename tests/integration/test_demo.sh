#!/usr/bin/env bash
# `switchboard --demo`: no keys, simulated providers in-process. curl gets answers in both
# dialects; within about a minute the generated traffic makes Cerebras serve, run out
# (a 429 COOLDOWN or RPM FULL from its headers) and Z.AI serve meanwhile, with no 5xx to any
# client. Stopping is prompt even with traffic in flight.
source "$(dirname "$0")/lib.sh"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$T" && exec "$SB_BIN" --demo --headless --port "$port" --grace 2 >"$T/switchboard.log" 2>&1) &
SB_PID=$!
PIDS+=($SB_PID)
SB_URL=$(wait_url "$T/switchboard.log") || fail "demo did not start"
wait_for curl -sf "$SB_URL/health" || fail "demo /health never answered"
grep -q "DEMO" "$T/switchboard.log" || fail "startup line does not say DEMO"
pass "demo started with no keys at $SB_URL"

body=$(curl -sS -m 20 -X POST "$SB_URL/v1/messages" -H 'content-type: application/json' \
    -H 'anthropic-version: 2023-06-01' \
    -d '{"model":"claude-sonnet-4-5","max_tokens":200,"messages":[{"role":"user","content":"hi"}]}')
echo "$body" | json_get "d['type']=='message' and d['content'][0]['type']=='text' and len(d['content'][0]['text'])>0" |
    grep -qx True || fail "Anthropic request not answered: $body"
body=$(curl -sS -m 20 -X POST "$SB_URL/v1/chat/completions" -H 'content-type: application/json' \
    -d '{"model":"glm-4.6","messages":[{"role":"user","content":"hi"}]}')
echo "$body" | json_get "len(d['choices'][0]['message']['content'])>0" | grep -qx True ||
    fail "OpenAI request not answered: $body"
code=$(curl -sS -m 20 -o "$T/stream.txt" -w '%{http_code}' -X POST "$SB_URL/v1/messages" \
    -H 'content-type: application/json' -H 'anthropic-version: 2023-06-01' \
    -d '{"model":"claude-sonnet-4-5","max_tokens":200,"stream":true,"messages":[{"role":"user","content":"hi"}]}')
[ "$code" = 200 ] && grep -q 'event: message_stop' "$T/stream.txt" || fail "stream not answered ($code)"
pass "curl gets answers in both dialects, streaming too"

# One poll of /admin/state: prints "cerebras_ok cerebras_out zai_ok worst_status".
probe() {
    curl -sf -m 5 "$SB_URL/admin/state" | python3 -c '
import json, sys
d = json.load(sys.stdin)
p = {x["id"]: x for x in d["providers"]}
c = p["cerebras"]
out = int(c["status"] in ("COOLDOWN", "RPM FULL", "PROBING") or c["rate_limited"] > 0)
zai = sum(x["ok"] for x in d["providers"] if x["name"] == "zai" and x["group"] == "zai-glm")
worst = max([r["status"] for r in d["requests_log"]] or [0])
print(c["ok"], out, zai, worst)'
}

deadline=$((SECONDS + 70))
saw_ok=0 saw_out=0 saw_zai=0
while [ $SECONDS -lt $deadline ]; do
    read -r c_ok c_out z_ok worst < <(probe) || fail "admin state unreadable"
    [ "$worst" -lt 500 ] || fail "a request got $worst: $(grep -E ' 5[0-9][0-9] ' "$T/switchboard.log" | head -3)"
    [ "$c_ok" -gt 0 ] && saw_ok=1
    [ $saw_ok = 1 ] && [ "$c_out" = 1 ] && saw_out=1
    [ $saw_out = 1 ] && [ "$z_ok" -gt 0 ] && saw_zai=1
    [ $saw_zai = 1 ] && break
    sleep 0.5
done
[ $saw_ok = 1 ] || fail "cerebras never served"
[ $saw_out = 1 ] || fail "cerebras never ran out (no 429, COOLDOWN or RPM FULL)"
[ $saw_zai = 1 ] || fail "zai never served during the fallback"
pass "traffic: cerebras served, ran out, zai took over"

line=$(LANG=C.UTF-8 "$SB_BIN" statusline </dev/null)
case $line in *demo*) ;; *) fail "statusline of the demo: '$line'" ;; esac
pass "statusline sees the demo: $line"

kill -TERM "$SB_PID"
deadline=$((SECONDS + 15))
while kill -0 "$SB_PID" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || fail "demo did not stop within 15 s"
    sleep 0.1
done
rc=0
wait "$SB_PID" || rc=$?
[ $rc = 0 ] || fail "demo exited with $rc"
pass "demo stops promptly with traffic in flight"
