#!/usr/bin/env bash
# The dashboard of an instance sharing its limits through Redis, driven through tmux: the
# header says SHARED and how many instances, names the other one (host:pid and its rate), the
# provider card counts today's requests of both instances (what /admin/state says), a reset
# with r says it acts for all of them, and Redis killed turns the header LOCAL ONLY and takes
# the shared count off the card.
source "$(dirname "$0")/lib_tui.sh"
source "$(dirname "$0")/../integration/fault_lib.sh"
source "$(dirname "$0")/../integration/redis_lib.sh"

start_redis
start_mock cerebras openai --key ck-test
start_mock zai anthropic --key zk-test
EXTRA_YAML="switchboard_settings:
  redis_timeout_ms: 250" write_config "$T/config.yaml"
sed -i "s/^router_settings:\$/router_settings:\n  redis_url: redis:\/\/127.0.0.1:$REDIS_PORT\/0/" "$T/config.yaml"
grep -q "redis_url: redis://127.0.0.1:$REDIS_PORT/0" "$T/config.yaml" || fail "config: $(cat "$T/config.yaml")"
start_sb_as b
start_tui
wait_screen 'SHARED 2 instances' 20 >/dev/null || fail "no SHARED 2 instances in the header: $(screen)"
peer=$(wait_screen "with [^ ]+:$B_PID " 20) || fail "the header does not name the other instance: $(screen)"
pass "header: SHARED 2 instances, $(grep -oE "with [^ ]+:$B_PID [^ ]+" <<<"$peer")"

# card_counts : the counts row (the second) of the Cerebras card.
card_counts() { screen | grep -A1 -E ' cerebras gpt-oss-120b +[A-Z]' | sed -n 2p; }
# shown_today : N of the card's "today N (all instances)", nothing when it shows none.
shown_today() { card_counts | sed -nE 's/.*  today ([0-9]+) \(all instances\)  .*/\1/p'; }
# state_today : /admin/state's requests_today_all_instances of the Cerebras deployment here.
state_today() {
    state_json | json_get "[p.get('requests_today_all_instances', -1) for p in d['providers'] if p['name']=='cerebras'][0]"
}
for i in 1 2 3; do [ "$(served_by)" = cerebras ] || fail "request $i here was not served by Cerebras"; done
for i in 1 2; do [ "$(post_as b)" = "200 cerebras" ] || fail "request $i through b was not served by Cerebras"; done
deadline=$((SECONDS + 20))
until [ "$(state_today)" = 5 ] && [ "$(shown_today)" = 5 ]; do
    [ $SECONDS -ge $deadline ] && fail "the card does not show today's 5 requests of both instances (state says $(state_today)): $(card_counts)"
    sleep 0.1
done
[ "$(state_today)" = "$(shown_today)" ] || fail "the card and /admin/state disagree: $(card_counts)"
grep -qE ' ok 3  ' <<<"$(card_counts)" || fail "the card's own count is not this instance's 3: $(card_counts)"
pass "card: $(grep -oE 'ok 3 .*today 5 \(all instances\)' <<<"$(card_counts)") (/admin/state: $(state_today))"

keys r
wait_screen 'cooldown cleared for all 2 instances' >/dev/null || fail "r does not say it acts for all: $(screen)"
pass "r: 'cooldown cleared for all 2 instances'"

stop_redis
wait_screen 'LOCAL ONLY' 20 >/dev/null || fail "no LOCAL ONLY after Redis died: $(screen)"
[ "$(served_by)" = cerebras ] || fail "a request failed or moved while Redis was down"
wait_no_screen 'today [0-9]+ \(all' || fail "the card still shows a shared count while LOCAL ONLY: $(card_counts)"
pass "Redis killed: LOCAL ONLY in the header, no shared count on the card, requests still served"
quit_idle
st=$(sb_exit_status) || fail "q did not quit: $(screen | tail -3)"
[ "$st" = 0 ] || fail "exit status $st: $(tail -20 "$T/stderr.log")"
nothing_on_stderr
stop_sb_as b
