#!/usr/bin/env bash
# The dashboard of an instance sharing its limits through Redis, driven through tmux: the
# header says SHARED and how many instances, names the other one (host:pid and its rate), a
# reset with r says it acts for all of them, and Redis killed turns the header LOCAL ONLY.
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

keys r
wait_screen 'cooldown cleared for all 2 instances' >/dev/null || fail "r does not say it acts for all: $(screen)"
pass "r: 'cooldown cleared for all 2 instances'"

stop_redis
wait_screen 'LOCAL ONLY' 20 >/dev/null || fail "no LOCAL ONLY after Redis died: $(screen)"
[ "$(served_by)" = cerebras ] || fail "a request failed or moved while Redis was down"
pass "Redis killed: LOCAL ONLY in the header, requests still served"
quit_idle
st=$(sb_exit_status) || fail "q did not quit: $(screen | tail -3)"
[ "$st" = 0 ] || fail "exit status $st: $(tail -20 "$T/stderr.log")"
nothing_on_stderr
stop_sb_as b
