#!/usr/bin/env bash
# Connections to providers are kept alive and reused across worker threads (issue 16): each
# request runs on whichever civetweb thread takes its client connection, and libcurl forbids
# one connection cache shared by concurrent threads, so switchboard hands whole handle sets
# (multi handle + its connection cache) from one request to the next. Counted at both ends:
# the mock's accepted connections (/_mock/stats "connections", its own control requests
# included) and switchboard_provider_connections_total. A connection whose transfer was cut
# short is closed, never reused.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"
setup_default

mock_conns() { mock_stat cerebras connections; }
metric() {
    curl -sf "${ADMIN[@]}" "$SB_URL/metrics" |
        awk -v k="switchboard_provider_connections_total{provider=\"cerebras\"}" '$1 == k {print $2}'
}
chat() { sb_post /v1/chat/completions "$(OAI_BODY glm-4.6)" -o /dev/null -f "$@"; }

# 20 requests, each from a new client connection: civetweb hands them to different threads.
c0=$(mock_conns)
for i in $(seq 20); do chat || fail "request $i"; done
c1=$(mock_conns)
new=$((c1 - c0 - 1)) # the second stats request opened one itself
[ "$(mock_stat cerebras requests)" -ge 20 ] || fail "the mock saw $(mock_stat cerebras requests) requests"
[ "$new" -ge 1 ] && [ "$new" -le 2 ] || fail "20 sequential requests opened $new connections to the provider"
[ "$(metric)" = "$new" ] || fail "switchboard counts $(metric) connections, the mock $new"
pass "20 sequential requests from 20 client connections: $new upstream connection(s)"

# 8 clients at once, 5 requests each on its own keep-alive connection: never more upstream
# connections than exchanges running at once.
c0=$(mock_conns)
for k in $(seq 8); do
    args=()
    for i in $(seq 5); do
        args+=(-H "Authorization: Bearer sk-1234" -H "Content-Type: application/json"
            --data-binary "$(OAI_BODY glm-4.6)" -o /dev/null -f "$SB_URL/v1/chat/completions")
        [ "$i" -lt 5 ] && args+=(--next)
    done
    curl -sS "${args[@]}" &
    CLIENTS+=($!)
done
for p in "${CLIENTS[@]}"; do wait "$p" || fail "a concurrent client failed"; done
new=$(($(mock_conns) - c0 - 1))
[ "$new" -le 8 ] || fail "8 concurrent clients opened $new upstream connections"
pass "40 requests from 8 concurrent clients: $new new upstream connection(s)"

# A stream the client hangs up on: its upstream connection is closed, not put back.
mock_fault cerebras stall
curl -s -H "Authorization: Bearer sk-1234" -H "Content-Type: application/json" --max-time 1 \
    -d "$(OAI_BODY glm-4.6 stream)" "$SB_URL/v1/chat/completions" -o /dev/null && fail "stalled stream completed"
settle cerebras
mock_fault cerebras none
before=$(metric)
c0=$(mock_conns)
chat || fail "request after a cut transfer"
new=$(($(mock_conns) - c0 - 1))
# the handle set of the cut stream is the warmest one: its dead connection is gone, so the
# next request opens exactly one, where reusing the cut one would have garbled or failed it
[ "$new" = 1 ] || fail "the request after the cut opened $new connections, want 1"
[ "$(mock_stat cerebras in_flight)" = 0 ] || fail "the stalled stream is still open at the mock"
pass "a transfer cut by a client hang-up leaves no connection behind (then $new new, metric $before -> $(metric))"
