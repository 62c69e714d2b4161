#!/usr/bin/env bash
# The admin API in headless mode: the same overrides the dashboard has, each taking effect
# on the very next request; the snapshot never shows a secret.
source "$(dirname "$0")/lib.sh"
CEREBRAS_KEY=ck-secret-cerebras-123 ZAI_KEY=zk-secret-zai-456
CEREBRAS_ARGS=(--key ck-secret-cerebras-123)
ZAI_ARGS=(--key zk-secret-zai-456)
start_mock cerebras openai "${CEREBRAS_ARGS[@]}"
start_mock zai anthropic "${ZAI_ARGS[@]}"
write_config "$T/config.yaml"
start_sb

A=(-H "Authorization: Bearer sk-1234")
state() { curl -sf "${A[@]}" "$SB_URL/admin/state"; }
status_of() { state | json_get "[p['status'] for p in d['providers'] if p['id']=='$1'][0]"; }
post() { curl -sf "${A[@]}" -H 'Content-Type: application/json' -X POST "$SB_URL/admin/$1" ${2:+-d "$2"} -o /dev/null -w '%{http_code}'; }
served_by() {
    sb_post /v1/chat/completions '{"model":"glm-4.6","messages":[{"role":"user","content":"hi"}]}' -D - -o /dev/null |
        tr -d '\r' | awk 'tolower($1)=="x-switchboard-provider:" {print $2}'
}

code=$(curl -s -o /dev/null -w '%{http_code}' "$SB_URL/admin/state")
[ "$code" = 401 ] || fail "admin state without key: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -X POST "$SB_URL/admin/fallback" -d '{"force":true}')
[ "$code" = 401 ] || fail "admin command without key: $code"
pass "admin endpoints require the master key"

[ "$(served_by)" = cerebras ] || fail "not served by cerebras at start"
[ "$(post providers/cerebras/disable)" = 200 ] || fail "disable failed"
[ "$(status_of cerebras)" = DISABLED ] || fail "cerebras not DISABLED"
case $(served_by) in zai*) ;; *) fail "disabled cerebras still served" ;; esac
[ "$(post providers/cerebras/enable)" = 200 ] || fail "enable failed"
[ "$(served_by)" = cerebras ] || fail "re-enabled cerebras not serving"
pass "disable / enable take effect on the next request"

[ "$(post fallback '{"force":true}')" = 200 ] || fail "force fallback failed"
state | json_get "d['mode']" | grep -q 'FORCED FALLBACK' || fail "mode not FORCED FALLBACK"
case $(served_by) in zai*) ;; *) fail "forced fallback still served by cerebras" ;; esac
[ "$(post fallback '{"force":false}')" = 200 ] || fail "force fallback off failed"
[ "$(served_by)" = cerebras ] || fail "after force off not cerebras"
pass "force fallback on and off"

# The same for one request: x-switchboard-force-fallback skips the primaries of that request
# only, as a test switch (LiteLLM's mock_testing_fallbacks).
hdrs=$(sb_post /v1/chat/completions '{"model":"glm-4.6","messages":[{"role":"user","content":"hi"}]}' \
    -H 'x-switchboard-force-fallback: true' -D - -o /dev/null | tr -d '\r')
case $(awk 'tolower($1)=="x-switchboard-provider:" {print $2}' <<<"$hdrs") in
zai*) ;; *) fail "the force-fallback header was not honoured: $hdrs" ;; esac
grep -qi '^x-switchboard-attempts: .*cerebras=forced-skip' <<<"$hdrs" || fail "no forced-skip in the attempts: $hdrs"
[ "$(served_by)" = cerebras ] || fail "the next request without the header left cerebras"
state | json_get "d['mode']" | grep -q 'AUTO' || fail "a per-request switch changed the global mode"
pass "x-switchboard-force-fallback: one request to the fallback, the mode unchanged"

# retry-after 30: long enough that a loaded machine still finds the cooldown running below
mock_fault cerebras 429:30
case $(served_by) in zai*) ;; *) fail "429 did not fall back" ;; esac
[ "$(status_of cerebras)" = COOLDOWN ] || fail "cerebras not in COOLDOWN after 429: $(status_of cerebras)"
rem=$(state | json_get "[p['remaining_s'] for p in d['providers'] if p['id']=='cerebras'][0]")
python3 -c "import sys; r=float('$rem'); sys.exit(0 if 0 < r <= 30 else 1)" || fail "cooldown remaining $rem, want retry-after 30"
mock_fault cerebras none
case $(served_by) in zai*) ;; *) fail "cooldown did not skip cerebras" ;; esac
[ "$(post providers/cerebras/reset)" = 200 ] || fail "reset failed"
[ "$(served_by)" = cerebras ] || fail "reset did not bring cerebras back"
pass "429 -> COOLDOWN honouring retry-after; reset brings it back"

code=$(curl -s "${A[@]}" -H 'Content-Type: application/json' -X POST "$SB_URL/admin/providers/nope/disable" -o /dev/null -w '%{http_code}')
[ "$code" = 404 ] || fail "unknown provider: $code"
code=$(curl -s "${A[@]}" -H 'Content-Type: application/json' -X POST "$SB_URL/admin/fallback" -d 'garbage' -o /dev/null -w '%{http_code}')
[ "$code" = 400 ] || fail "bad fallback body: $code"
pass "admin errors"

state >"$T/state.json"
curl -sf "${A[@]}" "$SB_URL/metrics" >"$T/metrics.txt"
for secret in ck-secret-cerebras-123 zk-secret-zai-456 sk-1234; do
    grep -q -- "$secret" "$T/state.json" "$T/metrics.txt" "$T/switchboard.log" && fail "secret $secret leaked"
done
pass "no secret in admin state, metrics or logs"
grep -q 'switchboard_provider_attempts_total{provider="cerebras",result="ok"}' "$T/metrics.txt" ||
    fail "metrics lack per-provider attempts"
pass "metrics exposed"
