#!/usr/bin/env bash
# Z.AI counts an account's requests in flight (1302 "High concurrency usage", docs.z.ai
# api-code): two switchboards on one key, each with max_parallel_requests 2, against a
# simulated Z.AI that takes 2 at once. Without Redis each keeps its own 2 and together they
# draw 1302s; sharing through a real redis-server they hold at most 2 together, the others
# wait their turn, and no request is refused.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"
source "$(dirname "$0")/redis_lib.sh"

start_redis

config() { # SHARED(true|false)
    {
        echo "model_list:"
        zai_entry glm-4.6 glm-4.6
        echo "      max_parallel_requests: 2"
        if [ "$1" = true ]; then
            echo "router_settings:"
            echo "  redis_host: 127.0.0.1"
            echo "  redis_port: $REDIS_PORT"
        fi
        cat <<YAML
general_settings:
  master_key: sk-1234
switchboard_settings:
  max_wait: 60
  redis_timeout_ms: 250
YAML
    } >"$T/config.yaml"
}
refused() { grep -vc '^200 ' "$T/burst.out" || true; }

# ---- without Redis: 2 + 2 at once against an account that takes 2 ----
start_mock zai anthropic --key zk-test --concurrency 2 --first-byte-ms 1500
config false
start_sb_as a
start_sb_as b
burst 3 a b
r1302=$(mstat zai rate_limited)
[ "$r1302" -ge 1 ] || fail "without Redis two instances drew no 1302 (the test cannot show sharing)"
pass "without Redis: 2 instances x 3 at once drew $r1302 Z.AI 1302 refusals (max in flight $(mstat zai max_in_flight))"
stop_sb_as a
stop_sb_as b

# ---- sharing: at most 2 in flight together, none refused ----
start_mock zai2 anthropic --key zk-test --concurrency 2 --first-byte-ms 1500
ZAI_PORT=$ZAI2_PORT
config true
start_sb_as a
start_sb_as b
SB_WAIT=20 wait_for is_shared_with a 2 || fail "a: $(state_of a | json_get "d['shared']")"
SB_WAIT=20 wait_for is_shared_with b 2 || fail "b: $(state_of b | json_get "d['shared']")"
burst 3 a b
[ "$(refused)" = 0 ] || fail "a client got an error: $(grep -v '^200 ' "$T/burst.out" | head -3)"
[ "$(mstat zai2 rate_limited)" = 0 ] || fail "sharing: $(mstat zai2 rate_limited) 1302 refusals"
[ "$(mstat zai2 ok)" = 6 ] || fail "Z.AI served $(mstat zai2 ok) of 6"
[ "$(mstat zai2 max_in_flight)" = 2 ] || fail "Z.AI had $(mstat zai2 max_in_flight) in flight at most, want 2"
pass "sharing: 2 instances x 3 at once: Z.AI had at most 2 in flight, 0 refusals, all 6 served"
stop_sb_as a
stop_sb_as b
