#!/usr/bin/env bash
# GET /metrics: valid Prometheus text (every line parses, HELP and TYPE per family, histogram
# buckets cumulative and ending in +Inf = _count), and the content follows the traffic:
# requests by deployment and status, fallbacks, cooldown state and remaining seconds, latency
# and TTFT histograms, tokens, in-flight.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"
PROM="python3 $(dirname "$0")/prom_check.py"
setup_default
ZAI=$(dep_id zai-glm-4.6 zai)

scrape() { curl -sf "${ADMIN[@]}" "$SB_URL/metrics" >"$T/metrics.txt" || fail "GET /metrics"; }
# mval NAME [label=value...] : the value of the one sample with exactly these labels.
mval() {
    local name=$1
    shift
    $PROM --dump "$T/metrics.txt" | python3 -c '
import json, sys
name, want = sys.argv[1], dict(a.split("=", 1) for a in sys.argv[2:])
hits = [s["value"] for s in map(json.loads, sys.stdin) if s["name"] == name and s["labels"] == want]
if len(hits) != 1:
    sys.exit(f"{len(hits)} samples of {name} {want}")
v = hits[0]
print(int(v) if v == int(v) else v)' "$name" "$@"
}

scrape
$PROM "$T/metrics.txt" || fail "metrics at start are not valid Prometheus text"
[ "$(mval switchboard_provider_latency_seconds_count provider=cerebras)" = 0 ] || fail "latency count at start"
pass "metrics valid before any traffic"

code=$(curl -s -o /dev/null -w '%{http_code}' "$SB_URL/metrics")
[ "$code" = 401 ] || fail "metrics without the master key: $code"
pass "metrics need the master key"

for i in 1 2 3; do
    sb_post /v1/chat/completions "$(OAI_BODY glm-4.6)" -o /dev/null -f || fail "openai request $i"
done
for i in 1 2; do
    sb_post /v1/messages "$(ANT_BODY glm-4.6 stream)" -o "$T/s$i.txt" -f || fail "stream $i"
    grep -q message_stop "$T/s$i.txt" || fail "stream $i incomplete"
done
sb_post /v1/chat/completions "$(OAI_BODY no-such-model)" -o /dev/null || true
mock_fault cerebras 429:60
sb_post /v1/chat/completions "$(OAI_BODY glm-4.6)" -D "$T/h.txt" -o /dev/null -f || fail "fallback request"
[ "$(header x-switchboard-provider "$T/h.txt")" = "$ZAI" ] || fail "429 did not fall back to $ZAI"
settle cerebras zai

scrape
$PROM "$T/metrics.txt" || fail "metrics after traffic are not valid Prometheus text"
[ "$(mval switchboard_requests_total)" = 7 ] || fail "requests_total $(mval switchboard_requests_total)"
[ "$(mval switchboard_responses_total provider=cerebras code=200)" = 5 ] || fail "cerebras 200s"
[ "$(mval switchboard_responses_total provider="$ZAI" code=200)" = 1 ] || fail "zai 200s"
[ "$(mval switchboard_responses_total provider=none code=404)" = 1 ] || fail "unserved 404"
[ "$(mval switchboard_fallbacks_total provider="$ZAI")" = 1 ] || fail "fallbacks to zai"
[ "$(mval switchboard_fallbacks_total provider=cerebras)" = 0 ] || fail "fallbacks to cerebras"
pass "client requests by deployment and status, fallbacks"

[ "$(mval switchboard_provider_responses_total provider=cerebras code=200)" = 5 ] || fail "upstream 200s"
[ "$(mval switchboard_provider_responses_total provider=cerebras code=429)" = 1 ] || fail "upstream 429"
[ "$(mval switchboard_provider_attempts_total provider=cerebras result=rate_limited)" = 1 ] || fail "attempts rate_limited"
pass "upstream answers by deployment and status"

[ "$(mval switchboard_provider_status provider=cerebras status=cooldown)" = 1 ] || fail "cerebras not in cooldown"
[ "$(mval switchboard_provider_status provider=cerebras status=ready)" = 0 ] || fail "cerebras also ready"
[ "$(mval switchboard_provider_status provider="$ZAI" status=ready)" = 1 ] || fail "zai not ready"
in_range "$(mval switchboard_provider_cooldown_remaining_seconds provider=cerebras)" 1 60 ||
    fail "cooldown remaining $(mval switchboard_provider_cooldown_remaining_seconds provider=cerebras)"
[ "$(mval switchboard_provider_unavailable provider=cerebras)" = 1 ] || fail "unavailable gauge"
pass "cooldown state and remaining seconds"

[ "$(mval switchboard_provider_latency_seconds_count provider=cerebras)" = 5 ] || fail "latency count"
[ "$(mval switchboard_provider_latency_seconds_bucket provider=cerebras le=+Inf)" = 5 ] || fail "latency +Inf"
[ "$(mval switchboard_provider_ttft_seconds_count provider=cerebras)" = 2 ] || fail "ttft count (streams only)"
in_range "$(mval switchboard_provider_latency_seconds_sum provider=cerebras)" 0.000001 300 || fail "latency sum"
[ "$(mval switchboard_provider_latency_seconds_count provider="$ZAI")" = 1 ] || fail "zai latency count"
pass "latency and TTFT histograms per deployment"

in_range "$(mval switchboard_provider_tokens_in_total provider=cerebras)" 5 1e9 || fail "tokens in"
in_range "$(mval switchboard_provider_tokens_out_total provider=cerebras)" 5 1e9 || fail "tokens out"
[ "$(mval switchboard_in_flight_requests)" = 0 ] || fail "in flight after settle"
[ "$(mval switchboard_provider_in_flight provider=cerebras)" = 0 ] || fail "provider in flight"
pass "tokens in/out and in-flight"

# A request in flight shows up while it lasts.
mock_fault cerebras none
admin_post providers/cerebras/reset || fail "reset"
mock_fault zai slow
sb_post /v1/chat/completions "$(OAI_BODY zai-glm-4.6)" -o /dev/null --max-time 60 &
SLOW=$!
inflight() { scrape && [ "$(mval switchboard_provider_in_flight provider="$ZAI")" = 1 ] &&
    [ "$(mval switchboard_in_flight_requests)" = 1 ]; }
wait_for inflight || fail "in-flight request not shown"
$PROM "$T/metrics.txt" || fail "metrics during a request are not valid"
mock_fault zai none
kill "$SLOW" 2>/dev/null || true
wait "$SLOW" 2>/dev/null || true
pass "in-flight gauges follow a running request"
