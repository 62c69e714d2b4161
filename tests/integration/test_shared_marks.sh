#!/usr/bin/env bash
# Marks that travel between switchboards through a real redis-server (issue #14), end to end
# with two real binaries: a model one instance is told does not exist is MODEL GONE at the
# other before it spends an attempt (and back for both when a list names it again), and after
# a shared cooldown exactly one instance sends the probe while the other falls back.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"
source "$(dirname "$0")/redis_lib.sh"

start_mock zai anthropic --key zk-test
start_redis

config() { shared_config true; }
cerebras_field() { state_of "$1" | json_get "[p for p in d['providers'] if p['id']=='cerebras'][0]$2"; }
status_is() { [ "$(cerebras_field "$1" "['status']")" = "$2" ]; }
lineup() { curl -sf -X POST "http://127.0.0.1:$CEREBRAS_PORT/_mock/lineup" -d "{\"models\":$1}" >/dev/null; }

# ---- MODEL GONE learnt by one instance keeps the other from trying it ----
start_mock cerebras openai --key ck-test
config
start_sb_as a
start_sb_as b
SB_WAIT=20 wait_for is_shared_with a 2 || fail "a: $(state_of a | json_get "d['shared']")"
SB_WAIT=20 wait_for is_shared_with b 2 || fail "b: $(state_of b | json_get "d['shared']")"
[ "$(post_as a)" = "200 cerebras" ] || fail "a is not served by Cerebras before the retirement"
[ "$(post_as b)" = "200 cerebras" ] || fail "b is not served by Cerebras before the retirement"

lineup '["gemma-4-31b"]' # retired between two discoveries: only traffic can tell
[ "$(post_as a)" = "200 zai" ] || fail "a's request for the retired model was not served by Z.AI"
[ "$(mstat cerebras model_refused)" = 1 ] || fail "Cerebras refused $(mstat cerebras model_refused) requests, want 1"
before=$(mstat cerebras requests)
for i in 1 2 3; do
    [ "$(post_as b)" = "200 zai" ] || fail "b's request $i after a learnt the model is gone"
done
[ "$(mstat cerebras requests)" = "$before" ] || fail "b sent $(($(mstat cerebras requests) - before)) requests to Cerebras for a model a knew was gone"
[ "$(mstat cerebras model_refused)" = 1 ] || fail "b was refused the model itself"
st=$(state_of b | json_get "[(p['status'], p['reason'], p['lineup']['refused_in_traffic'], p['model_gone']) for p in d['providers'] if p['id']=='cerebras'][0]")
[[ $st == *"MODEL GONE"*"no longer exists at the provider"*"(learnt by "*":$A_PID)"*True*True* ]] ||
    fail "b's view of cerebras: $st"
curl -sf "${ADMIN[@]}" "$B_URL/metrics" >"$T/metrics" || fail "metrics of b"
grep -q '^switchboard_provider_model_gone{provider="cerebras",model="gpt-oss-120b"} 1$' "$T/metrics" ||
    fail "b's metrics: $(grep model_gone "$T/metrics")"
pass "a is told gpt-oss-120b does not exist: b's next 3 requests go to Z.AI with 0 Cerebras attempts, b shows MODEL GONE learnt by a"

# listed again: b's discovery (a reload asks at once) brings it back for a too
lineup '["gpt-oss-120b","gemma-4-31b"]'
curl -sf "${ADMIN[@]}" -H "Content-Type: application/json" -X POST "$B_URL/admin/reload" >/dev/null || fail "reload b"
SB_WAIT=10 wait_for status_is b READY || fail "b: cerebras $(cerebras_field b "['status']") after its list named the model"
SB_WAIT=10 wait_for status_is a READY || fail "a: cerebras $(cerebras_field a "['status']") after b's list named the model"
[ "$(cerebras_field a "['lineup']['refused_in_traffic']")" = False ] || fail "a still records the refusal"
[ "$(post_as a)" = "200 cerebras" ] || fail "a does not use Cerebras again"
pass "the model listed again at b's discovery: READY at both, a served by Cerebras"
stop_sb_as a
stop_sb_as b

# ---- after a shared cooldown, one probe for all instances ----
# The simulated Cerebras answers after 1.5 s, so that the probe is still in flight when the
# other instance's request comes.
start_mock cerebras2 openai --key ck-test --first-byte-ms 1500
CEREBRAS_PORT=$CEREBRAS2_PORT
config
start_sb_as a
start_sb_as b
SB_WAIT=20 wait_for is_shared_with b 2 || fail "b: $(state_of b | json_get "d['shared']")"
mock_fault cerebras2 "429:4"
[ "$(post_as a)" = "200 zai" ] || fail "a's request was not refused by Cerebras and served by Z.AI"
mock_fault cerebras2 none
# b asks nothing of Cerebras meanwhile: it takes the cooldown at its next pull of the marks
SB_WAIT=3 wait_for status_is b COOLDOWN || fail "b did not take a's cooldown: $(cerebras_field b "['status']")"
SB_WAIT=10 wait_for status_is a READY || fail "a's cooldown did not end"
SB_WAIT=10 wait_for status_is b READY || fail "b's cooldown did not end"
before=$(mstat cerebras2 requests)
post_as a >"$T/probe-a.out" &
pa=$!
post_as b >"$T/probe-b.out" &
pb=$!
wait "$pa"
wait "$pb"
got=$(sort "$T/probe-a.out" "$T/probe-b.out" | tr '\n' ' ')
[ "$got" = "200 cerebras 200 zai " ] || fail "after the cooldown: a $(cat "$T/probe-a.out"), b $(cat "$T/probe-b.out")"
[ "$(($(mstat cerebras2 requests) - before))" = 1 ] ||
    fail "$(($(mstat cerebras2 requests) - before)) probes reached Cerebras, want 1"
pass "cooldown over at both: one probe reached Cerebras, the other instance fell back (a: $(cat "$T/probe-a.out"), b: $(cat "$T/probe-b.out"))"

# the probe's success is published: the one that waited is in again without a probe of its own
loser=b
grep -q zai "$T/probe-a.out" && loser=a
SB_WAIT=10 wait_for status_is "$loser" READY || fail "$loser: $(cerebras_field "$loser" "['status']")"
[ "$(post_as "$loser")" = "200 cerebras" ] || fail "$loser did not use Cerebras after the other's probe succeeded"
pass "the probe's success reached $loser: served by Cerebras again"
stop_sb_as a
stop_sb_as b
