#!/usr/bin/env bash
# The user's own check: 20 parallel glm-4.6 requests with mock Cerebras limited to 5 per
# minute give 0 errors, some served by Cerebras and the rest by Z.AI; while Cerebras is out
# (cooling down, then waiting for its bucket: one request every 12 s), no request touches it.
source "$(dirname "$0")/lib.sh"
CEREBRAS_ARGS=(--rpm 5)
setup_default

body='{"model":"glm-4.6","messages":[{"role":"user","content":"hello"}],"max_tokens":50}'
jobs_=()
for i in $(seq 1 20); do
    sb_post /v1/chat/completions "$body" -D "$T/h$i" -o "$T/b$i" -w '%{http_code}\n' >"$T/s$i" &
    jobs_+=($!)
done
for j in "${jobs_[@]}"; do wait "$j" || true; done

# Cerebras is out now: new requests must not touch it.
status=$(curl -sf -H "Authorization: Bearer sk-1234" "$SB_URL/admin/state" |
    json_get "[p['status'] for p in d['providers'] if p['id']=='cerebras'][0]")
[[ $status == COOLDOWN || $status == "RPM FULL" ]] || fail "cerebras $status after its limit, want it out"
before=$(mock_stat cerebras requests)
for i in 1 2 3; do
    code=$(sb_post /v1/chat/completions "$body" -o /dev/null -w '%{http_code}')
    [ "$code" = 200 ] || fail "request during cooldown got $code"
done
after=$(mock_stat cerebras requests)
[ "$before" = "$after" ] || fail "cerebras got $((after - before)) requests while out ($status)"
pass "while out ($status) cerebras is skipped entirely ($before requests before and after)"

cerebras=0 zai=0
for i in $(seq 1 20); do
    [ "$(cat "$T/s$i")" = 200 ] || fail "request $i got HTTP $(cat "$T/s$i"): $(cat "$T/b$i")"
    python3 -c "import json,sys; d=json.load(open('$T/b$i')); assert d['choices'][0]['message']['content'], d" ||
        fail "request $i has no content"
    p=$(grep -i '^x-switchboard-provider:' "$T/h$i" | tr -d '\r' | awk '{print $2}')
    case $p in
    cerebras) cerebras=$((cerebras + 1)) ;;
    zai-glm-4.6 | zai*) zai=$((zai + 1)) ;;
    *) fail "request $i served by '$p'" ;;
    esac
done
[ $cerebras -ge 1 ] || fail "no request served by cerebras"
[ $cerebras -le 5 ] || fail "cerebras served $cerebras > its limit of 5"
[ $zai -ge 15 ] || fail "zai served only $zai"
pass "20 parallel: cerebras=$cerebras zai=$zai, 0 errors"

# The attempts trail names both when a 429 happened.
grep -qi '^x-switchboard-attempts:.*cerebras' "$T"/h* || fail "no attempts header names cerebras"
pass "the attempts trail names cerebras"
