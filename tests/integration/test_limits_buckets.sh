#!/usr/bin/env bash
# The providers' buckets, end to end through the real binary against the simulated Cerebras
# (continuous buckets per minute, hour and day): a 429 cools Cerebras down only until the
# bucket that ran out has room (the bug: a full token bucket's 60 s reset made it 60 s), an
# hour bucket from the config keeps requests off Cerebras without a single 429, and an empty
# day bucket shows as QUOTA until it has room.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"

start_mock zai anthropic --key zk-test

config() { # PROACTIVE [cerebras limit lines...]
    local proactive=$1
    shift
    {
        echo "model_list:"
        cerebras_entry glm-4.6
        for l in "$@"; do echo "      $l"; done
        zai_entry zai-glm-4.6 glm-4.6
        cat <<YAML
router_settings:
  fallbacks: [{"glm-4.6": ["zai-glm-4.6"]}]
  cooldown_time: 3
general_settings:
  master_key: sk-1234
switchboard_settings:
  proactive_routing: $proactive
  max_wait: 0
YAML
    } >"$T/config.yaml"
}

provider_of() { # [BODY] : one request; prints who served it
    sb_post /v1/chat/completions "${1:-$(OAI_BODY glm-4.6)}" -D "$T/h" -o "$T/b" --max-time 30 \
        -w '%{http_code}' >"$T/code"
    [ "$(cat "$T/code")" = 200 ] || fail "request answered $(cat "$T/code"): $(head -c 300 "$T/b")"
    header x-switchboard-provider "$T/h"
}

# ---- the bug: a 429 whose requests-per-minute bucket is empty while the token bucket is full
# The issue's case: remaining-requests-minute 0 with a short reset and a full token bucket
# resetting in 60 s (the mock's unlimited token bucket is full again at once). The minute
# bucket of 10 refills one request every 6 s. Reactive routing, so that the requests reach
# the provider's limit and get its 429.
start_mock cerebras2 openai --key ck-test --rpm 10
CEREBRAS_PORT=$CEREBRAS2_PORT
config false
start_sb
for i in $(seq 10); do provider_of >/dev/null; done
[ "$(provider_of)" != cerebras ] || fail "the 11th request was not refused"
[ "$(mstat cerebras2 rate_limited)" = 1 ] || fail "cerebras did not answer 429"
trail=$(header x-switchboard-attempts "$T/h")
[[ $trail == cerebras=429,* ]] || fail "attempts: $trail"
rem=$(dep_field cerebras remaining_s)
in_range "$rem" 0.01 6 || fail "cooldown $rem s, want at most the 6 s the minute bucket needs"
reason=$(dep_field cerebras reason)
[[ $reason == *request_quota_exceeded* ]] || fail "reason: $reason"
pass "429 with remaining-requests-minute 0 and a full token bucket: COOLDOWN ${rem}s, not 60"
stop_sb_clean

# ---- proactive: the hour bucket from the config, never a 429 ----
start_mock cerebras3 openai --key ck-test --rph 3
CEREBRAS_PORT=$CEREBRAS3_PORT
config true "rph: 3"
start_sb
for i in 1 2 3; do
    [ "$(provider_of)" = cerebras ] || fail "request $i not served by cerebras"
done
for i in 4 5; do
    [ "$(provider_of)" != cerebras ] || fail "request $i went to cerebras past its hour limit"
done
[ "$(mstat cerebras3 rate_limited)" = 0 ] || fail "cerebras answered 429: the hour bucket was not kept"
[ "$(dep_field cerebras status)" = "RPM FULL" ] || fail "status $(dep_field cerebras status)"
reason=$(dep_field cerebras reason)
[[ $reason == *"requests per hour"* ]] || fail "reason: $reason"
state_json | json_get "[p['limits']['requests_hour'] for p in d['providers'] if p['id']=='cerebras'][0]" |
    grep -q "'limit': 3" || fail "the hour bucket is not in /admin/state"
pass "rph 3 from the config: the 4th and 5th go to Z.AI without a 429 (RPM FULL, per hour)"
stop_sb_clean

# ---- the day's tokens: QUOTA until there is room ----
start_mock cerebras4 openai --key ck-test --tpd 60000
CEREBRAS_PORT=$CEREBRAS4_PORT
config true "tpd: 60000" "max_tokens: 4000"
start_sb
# each request books its input and the 4000-token budget the cap leaves of its 8000
big='{"model":"glm-4.6","messages":[{"role":"user","content":"hi"}],"max_tokens":8000}'
n=0
for i in $(seq 30); do
    [ "$(provider_of "$big")" = cerebras ] || break
    n=$((n + 1))
done
[ "$n" -ge 10 ] && [ "$n" -le 15 ] || fail "$n requests on cerebras before the day ran out, want 14"
[ "$(mstat cerebras4 rate_limited)" = 0 ] || fail "cerebras answered 429 before the day ran out"
[ "$(dep_field cerebras status)" = QUOTA ] || fail "status $(dep_field cerebras status), want QUOTA"
rem=$(dep_field cerebras remaining_s)
in_range "$rem" 60 86400 || fail "QUOTA for $rem s"
pass "tpd 60000: $n requests, then QUOTA for ${rem}s with no 429"
stop_sb_clean
