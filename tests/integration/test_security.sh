#!/usr/bin/env bash
# Secrets never leave switchboard: requests with distinctive provider and master keys,
# including ones that fail at the provider (401) and with a wrong client key, then every
# output is searched for the keys: stdout/stderr, the --log-file (with bodies), /admin/state,
# /metrics, the instance file, the status line, and every response. The default bind is
# loopback only.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"
CEREBRAS_KEY=csk-SECRET-cerebras-4f1e9a7c
ZAI_KEY=zai-SECRET-zhipu-77c2b0d1
MK=sk-master-SECRET-9d31e5
WRONG=sk-client-SECRET-wrong-18ab
SECRETS=("$CEREBRAS_KEY" "$ZAI_KEY" "$MK" "$WRONG" SECRET)
CEREBRAS_ARGS=(--key "$CEREBRAS_KEY")
ZAI_ARGS=(--key "$ZAI_KEY")
start_mock cerebras openai "${CEREBRAS_ARGS[@]}"
start_mock zai anthropic "${ZAI_ARGS[@]}"
write_fault_config "$T/config.yaml"
sed -i "s/master_key: sk-1234/master_key: $MK/" "$T/config.yaml"
SB_WAIT=30 start_sb --log-file "$T/requests.jsonl" --log-bodies
ADMIN=(-H "Authorization: Bearer $MK")
OUT=$T/out
mkdir -p "$OUT"
n=0

# call PATH BODY : a request with the master key; status in CODE, headers and body kept in $OUT.
call() {
    n=$((n + 1))
    CODE=$(curl -sS -D "$OUT/$n.h" -o "$OUT/$n.b" -w '%{http_code}' -H "Authorization: Bearer $MK" \
        -H "Content-Type: application/json" -X POST "$SB_URL$1" --data-binary "$2" --max-time 60) || true
}

for s in "" 1; do
    call /v1/messages "$(ANT_BODY glm-4.6 $s)"
    [ "$CODE" = 200 ] || fail "anthropic request failed: $CODE"
    call /v1/chat/completions "$(OAI_BODY glm-4.6 $s)"
    [ "$CODE" = 200 ] || fail "openai request failed: $CODE"
done
pass "requests with the distinctive keys served"

# The provider refuses the key (401): fallback, then an error that reaches the client.
mock_fault cerebras auth
call /v1/chat/completions "$(OAI_BODY glm-4.6)"
[ "$CODE" = 200 ] || fail "401 at cerebras did not fall back: $CODE"
grep -q "cerebras.*=401" "$OUT/$n.h" || fail "attempts do not show the 401: $(cat "$OUT/$n.h")"
mock_fault zai auth
for s in "" 1; do
    reset_all # a refused key marks the deployment AUTH FAILED until reset
    call /v1/messages "$(ANT_BODY glm-4.6 $s)"
    [[ $CODE =~ ^(401|403|502)$ ]] || fail "both providers refusing the key: $CODE $(cat "$OUT/$n.b")"
    reset_all
    call /v1/chat/completions "$(OAI_BODY zai-glm-4.6 $s)"
    [[ $CODE =~ ^(401|403|502)$ ]] || fail "zai refusing the key: $CODE $(cat "$OUT/$n.b")"
done
grep -qi "authorization\|api key\|auth" "$OUT/$n.b" || fail "the provider's auth error is not reported: $(cat "$OUT/$n.b")"
mock_fault cerebras none
mock_fault zai none
# A client with the wrong key, in both headers.
code=$(curl -s -D "$OUT/w1.h" -o "$OUT/w1.b" -w '%{http_code}' -H "Authorization: Bearer $WRONG" \
    -X POST "$SB_URL/v1/messages" -d "$(ANT_BODY glm-4.6)")
[ "$code" = 401 ] || fail "wrong client key: $code"
code=$(curl -s -D "$OUT/w2.h" -o "$OUT/w2.b" -w '%{http_code}' -H "x-api-key: $WRONG" \
    "$SB_URL/admin/state")
[ "$code" = 401 ] || fail "wrong key on /admin/state: $code"
pass "failing requests: provider 401s reported, wrong client keys refused"

# Everything switchboard shows.
curl -sf "${ADMIN[@]}" "$SB_URL/admin/state" >"$OUT/state.json" || fail "/admin/state"
curl -sf "${ADMIN[@]}" "$SB_URL/metrics" >"$OUT/metrics.txt" || fail "/metrics"
curl -sf "${ADMIN[@]}" "$SB_URL/v1/models" >"$OUT/models.json" || fail "/v1/models"
curl -sf "$SB_URL/health" >"$OUT/health.json" || fail "/health"
LANG=C.UTF-8 "$SB_BIN" statusline <<<'{"session_id":"x"}' >"$OUT/statusline.txt" 2>&1 || fail "statusline"
cp "$XDG_RUNTIME_DIR/switchboard.json" "$OUT/instance.json" 2>/dev/null || true
[ -s "$T/requests.jsonl" ] || fail "the log file is empty"
grep -q '"request_body"' "$T/requests.jsonl" || fail "--log-bodies logged no bodies"
settle cerebras zai
stop_sb_clean
files=("$OUT"/* "$T/requests.jsonl" "$T/switchboard.log")
for s in "${SECRETS[@]}"; do
    hits=$(grep -l -F -- "$s" "${files[@]}" || true)
    [ -z "$hits" ] || fail "secret '$s' found in: $hits"
done
pass "no key in ${#files[@]} outputs (log, log file with bodies, admin state, metrics, responses, status line)"

# ---- default bind: loopback only ----
{
    echo "model_list:"
    cerebras_entry glm-4.6
} >"$T/config.yaml"
restart_sb
port=${SB_URL##*:}
hexport=$(printf '%04X' "$port")
# /proc/net/tcp: local address, state 0A = LISTEN.
awk -v p=":$hexport" '$2 ~ p"$" && $4 == "0A" {print $2}' /proc/net/tcp /proc/net/tcp6 >"$T/listen"
[ "$(cat "$T/listen")" = "0100007F:$hexport" ] || fail "listening sockets on port $port: $(cat "$T/listen")"
pass "default bind: only 127.0.0.1:$port listens"
stop_sb_clean
