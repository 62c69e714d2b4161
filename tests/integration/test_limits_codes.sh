#!/usr/bin/env bash
# Each limit refusal the providers send, end to end through the real binary against the
# simulated ones: queue_exceeded (Cerebras) and 1303 (Z.AI) back off a second and retry the
# same provider once; Z.AI's concurrency limit is kept from max_parallel_requests (never a
# 1302), and a 1302 when it is not configured teaches switchboard to send fewer; 1308 / 1310
# are QUOTA until the reset their text names; 1313 and 1113 are QUOTA with the provider's
# words until the user resets them.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"

start_mock cerebras openai --key ck-test
start_mock zai anthropic --key zk-test --concurrency 1 --first-byte-ms 1500
start_mock zai2 anthropic --key zk-test --concurrency 1 --first-byte-ms 1500 --plan-prompts 1

config() { # ZAI_LINES...
    {
        echo "model_list:"
        cerebras_entry glm-4.6
        zai_entry zai-glm-4.6 glm-4.6
        for l in "$@"; do echo "      $l"; done
        zai_entry plan glm-4.6 "127.0.0.1:$ZAI2_PORT"
        cat <<YAML
router_settings:
  fallbacks: [{"glm-4.6": ["zai-glm-4.6"]}]
general_settings:
  master_key: sk-1234
switchboard_settings:
  max_wait: 20
YAML
    } >"$T/config.yaml"
}
config "max_parallel_requests: 1"
start_sb
Z=$(dep_id zai-glm-4.6 zai)
P=$(dep_id plan zai)

zai_busy() { [ "$(mstat zai in_flight)" = 1 ]; }

req() { # MODEL OUT : one request; headers to OUT.h, body to OUT.b, status to stdout
    sb_post /v1/messages "$(ANT_BODY "$1")" -D "$2.h" -o "$2.b" -w '%{http_code}' --max-time 60
}

# ---- queue_exceeded: a second later the same provider serves it ----
mock_fault cerebras queue:1
code=$(req glm-4.6 "$T/q")
[ "$code" = 200 ] || fail "queue_exceeded: got $code"
[ "$(header x-switchboard-provider "$T/q.h")" = cerebras ] || fail "queue_exceeded: not retried on cerebras"
[ "$(header x-switchboard-attempts "$T/q.h")" = "cerebras=429,cerebras=200" ] ||
    fail "attempts $(header x-switchboard-attempts "$T/q.h")"
[ "$(mstat cerebras requests)" = 2 ] || fail "cerebras got $(mstat cerebras requests) requests, want 2"
[ "$(dep_field cerebras status)" = READY ] || fail "cerebras $(dep_field cerebras status) after the retry"
pass "queue_exceeded: backed off, retried cerebras once, served (no 60 s cooldown)"

# ---- Z.AI 1303: the same ----
mock_fault zai 1303:1
code=$(req zai-glm-4.6 "$T/f")
[ "$code" = 200 ] || fail "1303: got $code"
[ "$(header x-switchboard-attempts "$T/f.h")" = "$Z=429,$Z=200" ] ||
    fail "1303 attempts $(header x-switchboard-attempts "$T/f.h")"
pass "Z.AI 1303: backed off, retried once, served"
settle zai

# ---- max_parallel_requests 1: the second request waits for the first's slot, never a 1302
before=$(mstat zai rate_limited)
req zai-glm-4.6 "$T/c1" >"$T/c1.code" &
C1=$!
wait_for zai_busy || fail "the first request never reached zai"
code=$(req zai-glm-4.6 "$T/c2")
wait $C1
[ "$code" = 200 ] && [ "$(cat "$T/c1.code")" = 200 ] || fail "concurrency: $(cat "$T/c1.code") and $code"
[ "$(mstat zai rate_limited)" = "$before" ] || fail "zai answered 1302: the cap was not kept"
[ "$(mstat zai max_in_flight)" = 1 ] || fail "zai had $(mstat zai max_in_flight) at once"
w=$(header x-switchboard-wait-ms "$T/c2.h")
in_range "${w:-0}" 200 20000 || fail "the second request did not wait for the slot (wait '$w' ms)"
state_json | json_get "d['waits']['held'] >= 1" | grep -q True || fail "no held request in /admin/state"
pass "max_parallel_requests 1: the second waited ${w} ms for the slot; zai never refused"
settle zai

# ---- Z.AI 1302 without a configured cap: it takes fewer at once from then on ----
stop_sb_clean
config
start_sb
req zai-glm-4.6 "$T/l1" >"$T/l1.code" &
L1=$!
wait_for zai_busy || fail "the first request never reached zai"
code=$(req zai-glm-4.6 "$T/l2")
wait $L1
[ "$code" = 200 ] && [ "$(cat "$T/l1.code")" = 200 ] || fail "1302: $(cat "$T/l1.code") and $code"
trail=$(header x-switchboard-attempts "$T/l2.h")
[[ $trail == "$Z=429"* ]] || fail "the second request did not meet the 1302: $trail"
[ "$(dep_field "$Z" max_parallel)" = 1 ] || fail "max_parallel after 1302: $(dep_field "$Z" max_parallel)"
before=$(mstat zai rate_limited)
req zai-glm-4.6 "$T/l3" >"$T/l3.code" &
L3=$!
wait_for zai_busy || fail "the third request never reached zai"
code=$(req zai-glm-4.6 "$T/l4")
wait $L3
[ "$code" = 200 ] || fail "after learning: got $code"
[ "$(mstat zai rate_limited)" = "$before" ] || fail "a second 1302: the learnt cap was not kept"
pass "Z.AI 1302: the request waited and was served; from then on one at a time, no more 1302"
settle zai

# ---- Z.AI 1308: QUOTA until the reset its text names (5 hours) ----
code=$(req plan "$T/p1")
[ "$code" = 200 ] || fail "plan: first got $code"
code=$(req plan "$T/p2")
[ "$code" = 429 ] || fail "plan: second got $code, want 429 (no other provider)"
is_anthropic_error "$T/p2.b" || fail "plan: not an Anthropic error: $(cat "$T/p2.b")"
[ "$(dep_field "$P" status)" = QUOTA ] || fail "plan status $(dep_field "$P" status)"
rem=$(dep_field "$P" remaining_s)
in_range "$rem" 17900 18001 || fail "plan QUOTA for $rem s, want the 5 hours to the reset"
reason=$(dep_field "$P" reason)
[[ $reason == *"1308"* ]] || fail "plan reason: $reason"
ra=$(header retry-after "$T/p2.h")
in_range "${ra:-0}" 17900 18001 || fail "retry-after '$ra', want the reset"
pass "Z.AI 1308: QUOTA for ${rem}s, the reset in its text; the client's retry-after says so"

# ---- 1310 with its reset; 1313 and 1113 with the provider's words ----
mock_fault zai 1310:7200
code=$(req zai-glm-4.6 "$T/w")
[ "$code" = 429 ] || fail "1310: got $code"
[ "$(dep_field "$Z" status)" = QUOTA ] || fail "1310 status $(dep_field "$Z" status)"
in_range "$(dep_field "$Z" remaining_s)" 7100 7201 || fail "1310 QUOTA for $(dep_field "$Z" remaining_s) s"
pass "Z.AI 1310: QUOTA until its reset"
admin_post "providers/$Z/reset"
for f in 1313 quota; do
    mock_fault zai $f
    code=$(req zai-glm-4.6 "$T/d")
    [ "$code" = 429 ] || fail "$f: got $code"
    [ "$(dep_field "$Z" status)" = QUOTA ] || fail "$f status $(dep_field "$Z" status)"
    [ "$(dep_field "$Z" remaining_s)" = 0 ] || fail "$f has a reset time"
    reason=$(state_json | json_get "[p['reason'] for p in d['providers'] if p['id']=='$Z'][0]")
    case $f in
    1313) words="fair use policy" ;;
    *) words="Insufficient balance" ;;
    esac
    [[ $reason == *"$words"* ]] || fail "$f reason lacks the provider's words: $reason"
    mock_fault zai none
    code=$(req zai-glm-4.6 "$T/d2")
    [ "$code" = 429 ] || fail "$f: still out until reset, got $code"
    admin_post "providers/$Z/reset"
    code=$(req zai-glm-4.6 "$T/d3")
    [ "$code" = 200 ] || fail "$f: after reset got $code"
done
pass "Z.AI 1313 and 1113: QUOTA with the provider's words until the user resets it"
stop_sb_clean
