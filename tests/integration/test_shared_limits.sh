#!/usr/bin/env bash
# Several switchboards share one view of the limits through a real redis-server (issue #14):
# two and then three instances against one simulated Cerebras that takes 10 requests a
# minute send it no more than that together and draw no 429 (without Redis the same burst
# draws them); a cooldown one instance learns is obeyed by the other at its next request;
# reset and disable act for every instance; Redis killed mid-run costs no client an error,
# shows LOCAL ONLY, and sharing comes back with Redis. The password never leaves the config.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"
source "$(dirname "$0")/redis_lib.sh"

REDIS_PASS=pw-$RANDOM-secret-$RANDOM
start_mock zai anthropic --key zk-test

config() { shared_config "$1" "rpm: 10"; }
export SB_TEST_REDIS_PASSWORD=$REDIS_PASS

# served_ok MOCK : the mock's answered requests (200s); limit_ok MOCK START : at most the
# 10 a minute plus what refilled (one every 6 s) since START.
limit_ok() {
    local ok elapsed allowed
    ok=$(mstat "$1" ok)
    elapsed=$((SECONDS - $2))
    allowed=$((10 + elapsed / 6))
    [ "$ok" -le "$allowed" ] || fail "$1 served $ok requests in ${elapsed}s (at most $allowed)"
    echo "$ok"
}
all_200() { ! grep -qv '^200 ' "$T/burst.out" || fail "a client got an error: $(grep -v '^200 ' "$T/burst.out" | head -3)"; }

# The simulated Cerebras answers after 1.5 s, so that a whole burst is in flight before any
# answer's rate-limit headers could tell an instance what the other one booked: only the
# shared buckets can keep the instances apart.

# ---- without Redis: two instances each think they have 10 ----
start_mock cerebras openai --key ck-test --rpm 10 --first-byte-ms 1500
config false
start_sb_as a
start_sb_as b
burst 12 a b
all_200
r429=$(mstat cerebras rate_limited)
[ "$r429" -ge 1 ] || fail "without Redis two instances drew no 429 (the test cannot show sharing)"
[ "$(state_of a | json_get "d['shared']['mode']")" = "LOCAL ONLY" ] || fail "mode without Redis"
pass "without Redis: 2 instances x 12 at once drew $r429 upstream 429s from a 10/min Cerebras"
stop_sb_as a
stop_sb_as b

# ---- two instances sharing through Redis ----
start_redis
redis-cli -p "$REDIS_PORT" config set requirepass "$REDIS_PASS" >/dev/null
start_mock cerebras2 openai --key ck-test --rpm 10 --first-byte-ms 1500
CEREBRAS_PORT=$CEREBRAS2_PORT
config true
start_sb_as a
start_sb_as b
SB_WAIT=20 wait_for is_shared_with a 2 || fail "a: $(state_of a | json_get "d['shared']")"
SB_WAIT=20 wait_for is_shared_with b 2 || fail "b: $(state_of b | json_get "d['shared']")"
t0=$SECONDS
burst 12 a b
all_200
[ "$(mstat cerebras2 rate_limited)" = 0 ] || fail "shared: $(mstat cerebras2 rate_limited) upstream 429s"
ok=$(limit_ok cerebras2 $t0)
[ "$ok" -ge 8 ] || fail "shared: only $ok requests went to Cerebras (the limit is 10)"
grep -c ' cerebras$' "$T/burst.out" | grep -qx "$ok" || fail "clients saw another count than the mock"
pass "2 instances sharing: $ok of 24 on Cerebras (10/min), 0 upstream 429s, every client 200"
today_is() { [ "$(state_of "$1" | json_get "[p.get('requests_today_all_instances') for p in d['providers'] if p['id']=='cerebras'][0]")" = "$2" ]; }
SB_WAIT=10 wait_for today_is a "$ok" || fail "a's count of today's shared requests is not $ok"
SB_WAIT=10 wait_for today_is b "$ok" || fail "b's count of today's shared requests is not $ok"
pass "both count today's $ok Cerebras requests of all instances"

# the password stays in the config: not in logs, state, metrics
for n in a b; do
    ! grep -q "$REDIS_PASS" "$T/sb-$n.log" || fail "the Redis password is in $n's log"
    url_var="${n^^}_URL"
    { state_of $n && curl -sf "${ADMIN[@]}" "${!url_var}/metrics"; } >"$T/seen" || fail "state/metrics of $n"
    ! grep -q "$REDIS_PASS" "$T/seen" || fail "the Redis password is in $n's state or metrics"
done
# (metrics to a file first: a grep -q that stops reading would fail curl under pipefail)
curl -sf "${ADMIN[@]}" "$A_URL/metrics" >"$T/metrics" || fail "metrics"
grep -qx 'switchboard_shared_state 1' "$T/metrics" || fail "metrics: shared state"
grep -qx 'switchboard_shared_instances 2' "$T/metrics" || fail "metrics: instances"
state_of a | json_get "sorted(p['self'] for p in d['shared']['peers'])" | grep -qx '\[False, True\]' ||
    fail "a does not list b: $(state_of a | json_get "d['shared']['peers']")"
pass "password in no log, state or metrics; /metrics says shared with 2; a lists b"

# ---- a cooldown learned by one is obeyed by the other within one request ----
start_mock cerebras3 openai --key ck-test
CEREBRAS_PORT=$CEREBRAS3_PORT
stop_sb_as a
stop_sb_as b
config true
start_sb_as a
start_sb_as b
mock_fault cerebras3 "429:40"
[ "$(post_as a)" = "200 zai" ] || fail "a's request was not refused by Cerebras and served by Z.AI"
[ "$(mstat cerebras3 rate_limited)" = 1 ] || fail "cerebras3 did not answer a's request with 429"
mock_fault cerebras3 none
before=$(mstat cerebras3 requests)
[ "$(post_as b)" = "200 zai" ] || fail "b sent its next request to Cerebras during a's cooldown"
[ "$(mstat cerebras3 requests)" = "$before" ] || fail "b's request reached Cerebras"
st=$(state_of b | json_get "[(p['status'], p['reason']) for p in d['providers'] if p['id']=='cerebras'][0]")
[[ $st == *COOLDOWN*retry-after*"learnt by "*":$A_PID)"* ]] || fail "b's view of cerebras: $st"
pass "a 429 (retry-after 40) at a: b's very next request skips Cerebras ($st)"

# reset at b acts for both: a takes it within its next pull of the marks (once a second)
cerebras_status() { state_of "$1" | json_get "[p['status'] for p in d['providers'] if p['id']=='cerebras'][0]"; }
status_is() { [ "$(cerebras_status "$1")" = "$2" ]; }
curl -sf "${ADMIN[@]}" -H "Content-Type: application/json" -X POST "$B_URL/admin/providers/cerebras/reset" >"$T/reset.json" || fail "reset"
json_get "d['scope']" <"$T/reset.json" | grep -qx "for all 2 instances" || fail "reset answer: $(cat "$T/reset.json")"
SB_WAIT=10 wait_for status_is a READY || fail "a still has cerebras $(cerebras_status a) after b's reset"
[ "$(post_as a)" = "200 cerebras" ] || fail "a's request after the reset did not go to Cerebras"
pass "reset at b: 'for all 2 instances', a sends to Cerebras again"

# disable at a acts for both: b's next request already obeys (its booking sees the change)
curl -sf "${ADMIN[@]}" -H "Content-Type: application/json" -X POST "$A_URL/admin/providers/cerebras/disable" >/dev/null || fail "disable"
[ "$(post_as b)" = "200 zai" ] || fail "b used Cerebras after a disabled it for all"
[ "$(cerebras_status b)" = DISABLED ] || fail "b shows cerebras $(cerebras_status b)"
curl -sf "${ADMIN[@]}" -H "Content-Type: application/json" -X POST "$A_URL/admin/providers/cerebras/enable" >/dev/null || fail "enable"
SB_WAIT=10 wait_for status_is b READY || fail "b still has cerebras $(cerebras_status b) after a enabled it"
[ "$(post_as b)" = "200 cerebras" ] || fail "b did not use Cerebras after a enabled it again"
pass "disable at a: b's next request skips Cerebras (DISABLED); enable at a: b READY again"

# ---- Redis killed mid-run: no client error, LOCAL ONLY, shared again after restart ----
port=$REDIS_PORT
( for i in $(seq 30); do post_as a; post_as b; done >"$T/during.out" ) &
load=$!
sleep 0.5
stop_redis
SB_WAIT=20 wait_for sh -c "curl -sf -H 'Authorization: Bearer sk-1234' $A_URL/admin/state | grep -q '\"mode\":\"LOCAL ONLY\"'" ||
    fail "a never showed LOCAL ONLY after Redis died"
curl -sf "${ADMIN[@]}" "$A_URL/metrics" >"$T/metrics" || fail "metrics while down"
grep -qx 'switchboard_shared_state 0' "$T/metrics" || fail "metrics while down: not 0"
wait "$load"
! grep -qv '^200 ' "$T/during.out" || fail "a client got an error while Redis died: $(grep -v '^200 ' "$T/during.out" | head -3)"
n=$(wc -l <"$T/during.out")
pass "Redis killed during $n requests: every one 200, LOCAL ONLY on the state and in /metrics"
start_redis "$port"
redis-cli -p "$REDIS_PORT" config set requirepass "$REDIS_PASS" >/dev/null
SB_WAIT=20 wait_for is_shared_with a 2 || fail "a not shared again: $(state_of a | json_get "d['shared']")"
SB_WAIT=20 wait_for is_shared_with b 2 || fail "b not shared again: $(state_of b | json_get "d['shared']")"
[ "$(state_of a | json_get "d['shared']['outages']")" -ge 1 ] || fail "the outage was not counted"
pass "Redis back on the same port: both SHARED with 2 instances again"
stop_sb_as a
stop_sb_as b

# ---- three instances sharing ----
start_mock cerebras4 openai --key ck-test --rpm 10 --first-byte-ms 1500
CEREBRAS_PORT=$CEREBRAS4_PORT
config true
start_sb_as a
start_sb_as b
start_sb_as c
SB_WAIT=20 wait_for is_shared_with c 3 || fail "c: $(state_of c | json_get "d['shared']")"
t0=$SECONDS
burst 8 a b c
all_200
[ "$(mstat cerebras4 rate_limited)" = 0 ] || fail "3 shared: $(mstat cerebras4 rate_limited) upstream 429s"
ok=$(limit_ok cerebras4 $t0)
pass "3 instances sharing: $ok of 24 on Cerebras (10/min), 0 upstream 429s, every client 200"

# a reload cannot move the connection made at start: it says so
config false
curl -sf "${ADMIN[@]}" -H "Content-Type: application/json" -X POST "$C_URL/admin/reload" >/dev/null || fail "reload"
wait_for grep -q "the Redis settings changed (127.0.0.1:$REDIS_PORT/0 -> none): restart" "$T/sb-c.log" ||
    fail "no warning that a reload does not change the Redis connection: $(tail -3 "$T/sb-c.log")"
[ "$(shared_mode c)" = SHARED ] || fail "c stopped sharing on reload"
pass "a reload that drops redis_* warns that it takes a restart (and keeps sharing)"
stop_sb_as a
stop_sb_as b
stop_sb_as c
