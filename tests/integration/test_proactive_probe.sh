#!/usr/bin/env bash
# Probe on reset: after a 429 cooldown exactly one request goes to Cerebras (PROBING) while the
# others fall back, and once it succeeds full traffic returns (READY). Daily quota: a Cerebras
# day limit or a Z.AI balance error takes the deployment out with the reason shown, requests go
# elsewhere without touching it, and an admin reset brings it back.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"
# Every Cerebras answer takes 3 s to its first byte, so the probe is in flight long enough to
# be seen and for the other requests to arrive while it is.
CEREBRAS_ARGS=(--first-byte-ms 3000)
setup_default
ZAI=$(dep_id zai-glm-4.6 zai)

served_by() { header x-switchboard-provider "$1"; }
req() { # OUT : one request for glm-4.6, headers to OUT
    sb_post /v1/chat/completions "$(OAI_BODY glm-4.6)" -D "$1" -o /dev/null --max-time 60 -f
}

# ---- probe on reset ----
# retry-after 4 s: short, with room for a loaded machine to look before it ends
mock_fault cerebras 429:4
req "$T/h0.txt" || fail "request during 429"
[ "$(served_by "$T/h0.txt")" = "$ZAI" ] || fail "429 did not fall back"
[ "$(dep_field cerebras status)" = COOLDOWN ] || fail "not COOLDOWN after 429"
in_range "$(dep_field cerebras remaining_s)" 0 4 || fail "cooldown is not the retry-after 4 s"
mock_fault cerebras none
before=$(mock_stat cerebras requests)
not_cooling() { [ "$(dep_field cerebras status)" != COOLDOWN ]; }
wait_for not_cooling || fail "cooldown did not end"
pass "429 with retry-after 4 -> COOLDOWN for 4 s"

for i in 1 2 3 4; do
    req "$T/p$i.txt" &
    eval "P$i=\$!"
done
probing() { [ "$(dep_field cerebras status)" = PROBING ]; }
wait_for probing || fail "status never PROBING while the probe was in flight"
for i in 1 2 3 4; do
    eval "wait \$P$i" || fail "request $i failed"
done
n_cer=0
for i in 1 2 3 4; do
    case $(served_by "$T/p$i.txt") in
    cerebras) n_cer=$((n_cer + 1)) ;;
    "$ZAI") ;;
    *) fail "request $i served by '$(served_by "$T/p$i.txt")'" ;;
    esac
done
[ "$n_cer" = 1 ] || fail "$n_cer requests went to cerebras after the cooldown, want the one probe"
[ "$(mock_stat cerebras requests)" = $((before + 1)) ] ||
    fail "cerebras mock got $(($(mock_stat cerebras requests) - before)) requests, want 1"
state_json | json_get "sum('PROBING' in a.get('note','') for r in d['requests_log'] for a in r['attempts'])" |
    grep -qx 3 || fail "the other three were not skipped as PROBING"
[ "$(dep_field cerebras status)" = READY ] || fail "not READY after the probe succeeded"
pass "exactly one probe after the cooldown (PROBING), the rest fell back"

before=$(mock_stat cerebras requests)
for i in 1 2 3; do
    req "$T/f$i.txt" &
    eval "F$i=\$!"
done
for i in 1 2 3; do
    eval "wait \$F$i" || fail "request $i after the probe failed"
    [ "$(served_by "$T/f$i.txt")" = cerebras ] || fail "request $i after the probe not on cerebras"
done
[ "$(mock_stat cerebras requests)" = $((before + 3)) ] || fail "full traffic did not return"
pass "after a successful probe full traffic returns (READY)"

# ---- daily quota (Cerebras: tokens per day) ----
mock_fault cerebras quota
req "$T/q0.txt" || fail "request at quota"
[ "$(served_by "$T/q0.txt")" = "$ZAI" ] || fail "quota did not fall back"
[ "$(dep_field cerebras status)" = QUOTA ] || fail "status $(dep_field cerebras status), want QUOTA"
v=$(dep_field cerebras reason)
[[ $v == *"daily quota exhausted"* ]] || fail "reason: $(dep_field cerebras reason)"
v=$(dep_field cerebras reason)
[[ $v == *"resets in"* ]] || fail "reason lacks the reset: $(dep_field cerebras reason)"
before=$(mock_stat cerebras requests)
for i in 1 2; do
    req "$T/q$i.txt" || fail "request $i during quota"
    [ "$(served_by "$T/q$i.txt")" = "$ZAI" ] || fail "request $i during quota not on zai"
done
[ "$(mock_stat cerebras requests)" = "$before" ] || fail "cerebras was asked while out of quota"
pass "daily quota: QUOTA with the reason, traffic on zai without touching cerebras"

mock_fault cerebras none
admin_post providers/cerebras/reset || fail "admin reset"
[ "$(dep_field cerebras status)" = READY ] || fail "not READY after reset"
req "$T/q3.txt" || fail "request after reset"
[ "$(served_by "$T/q3.txt")" = cerebras ] || fail "reset did not bring cerebras back"
pass "an admin reset brings the deployment back"

# ---- Z.AI balance / plan error (1113): out until the user re-enables it ----
mock_fault zai quota
code=$(sb_post /v1/messages "$(ANT_BODY zai-glm-4.6)" -o "$T/z.json" -w '%{http_code}') || true
[ "$code" = 429 ] || [ "$code" = 402 ] || [ "$code" = 403 ] || fail "zai quota answered $code"
[ "$(dep_field "$ZAI" status)" = QUOTA ] || fail "zai status $(dep_field "$ZAI" status), want QUOTA"
reason=$(dep_field "$ZAI" reason)
[[ $reason == *1113* ]] || fail "zai reason: $reason"
before=$(mock_stat zai requests)
sb_post /v1/messages "$(ANT_BODY zai-glm-4.6)" -o /dev/null || true
[ "$(mock_stat zai requests)" = "$before" ] || fail "zai was asked while out of balance"
mock_fault zai none
admin_post "providers/$ZAI/disable" && admin_post "providers/$ZAI/enable" || fail "re-enable zai"
[ "$(dep_field "$ZAI" status)" = READY ] || fail "re-enabled zai not READY"
code=$(sb_post /v1/messages "$(ANT_BODY zai-glm-4.6)" -o /dev/null -w '%{http_code}')
[ "$code" = 200 ] || fail "zai after re-enable: $code"
pass "Z.AI 1113: QUOTA with the code in the reason until re-enabled"
