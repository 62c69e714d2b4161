#!/usr/bin/env bash
# Streams that go wrong. Before the first byte reaches the client a failure falls back (bad
# SSE, not JSON, 5xx, a late first byte); after it, the failure is reported inside the stream
# as an error event in the client's dialect, never as a truncated success. An endless stream
# is relayed without memory growing.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"
# A small ASan quarantine, so RSS shows what switchboard holds rather than freed memory.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8"
EXTRA_PARAMS='      stream_timeout: 1'
SB_EXTRA='  stream_idle_timeout: 1'
setup_faults
C=$(dep_id glm-4.6 cerebras)
Z=$(dep_id zai-glm-4.6 zai)

# stream API GROUP : one streamed request into $T/s (headers $T/h); status in CODE.
stream() {
    local api=$1 group=$2 path=/v1/chat/completions body
    body=$(OAI_BODY "$group" 1)
    [ "$api" = anthropic ] && path=/v1/messages body=$(ANT_BODY "$group" 1)
    CODE=$(sb_post "$path" "$body" -D "$T/h" -o "$T/s" -w '%{http_code}' --max-time 60) || true
}

# broken_midway API PROVIDER_ID : the stream began, then ended with an error event, with no
# sign of success.
broken_midway() {
    local api=$1
    [ "$CODE" = 200 ] || fail "$api: got $CODE: $(head -c 300 "$T/s")"
    [ "$(header x-switchboard-provider "$T/h")" = "$2" ] || fail "$api: served by $(header x-switchboard-provider "$T/h")"
    if [ "$api" = anthropic ]; then
        $EXPECT anthropic "d['error'] and d['error']['message'] and d['text'] and d['stop_reason'] is None" <"$T/s" ||
            fail "anthropic: not an error after some text: $(tail -c 600 "$T/s")"
        grep -q '^event: error' "$T/s" || fail "anthropic: no event: error"
        ! grep -q '^event: message_stop' "$T/s" || fail "anthropic: message_stop after a failure"
    else
        $EXPECT openai "d['error'] and d['error']['message'] and d['text'] and d['finish_reason'] is None" <"$T/s" ||
            fail "openai: not an error after some text: $(tail -c 600 "$T/s")"
        grep -q '^data: {"error":' "$T/s" || fail "openai: no data: {\"error\":...}"
    fi
}

# ---- after the first byte: stalled and cut streams, on both provider dialects ----
for fault in stall cut; do
    for api in anthropic openai; do
        reset_all
        mock_fault cerebras $fault
        a0=$(mstat cerebras aborted)
        stream $api glm-4.6
        broken_midway $api "$C"
        settle cerebras
        if [ $fault = stall ]; then expect_aborted cerebras $((a0 + 1)); fi
        mock_fault zai $fault
        a0=$(mstat zai aborted)
        stream $api zai-glm-4.6
        broken_midway $api "$Z"
        settle zai
        if [ $fault = stall ]; then expect_aborted zai $((a0 + 1)); fi
        mock_fault cerebras none
        mock_fault zai none
    done
    pass "$fault midway: an error event in both client dialects from both providers; upstream released"
done

# ---- before the first byte: fall back, the client sees one clean stream ----
for fault in bad_sse not_json 503 slow; do
    for api in anthropic openai; do
        reset_all
        mock_fault cerebras $fault
        stream $api glm-4.6
        [ "$CODE" = 200 ] || fail "$fault ($api): got $CODE"
        [ "$(header x-switchboard-provider "$T/h")" = "$Z" ] || fail "$fault ($api): served by $(header x-switchboard-provider "$T/h")"
        trail=$(header x-switchboard-attempts "$T/h")
        [[ $trail =~ ^($C=[a-z0-9]+,){1,3}$Z=200$ ]] || fail "$fault ($api): attempts $trail"
        $EXPECT $api "d['error'] is None and d['text'].startswith('Hello from zai')" <"$T/s" ||
            fail "$fault ($api): not Z.AI's complete answer: $(head -c 600 "$T/s")"
        ! grep -q 'Hello from cerebras' "$T/s" || fail "$fault ($api): cerebras bytes leaked into the stream"
    done
    settle cerebras zai
    pass "$fault before the first byte: falls back, one clean stream ($trail)"
done
mock_fault cerebras none

# ---- an endless stream: relayed while memory stays flat; hanging up stops it ----
reset_all
mock_fault cerebras huge
a0=$(mstat cerebras aborted)
stream_bg /v1/chat/completions "$(OAI_BODY glm-4.6 1)" "$T/huge"
big_enough() { [ "$(stat -c %s "$T/huge" 2>/dev/null || echo 0)" -ge $((1 << 20)) ]; }
SB_WAIT=30 wait_for big_enough || fail "endless stream: under 1 MiB relayed in 30 s"
rss0=$(sb_rss_kb)
size0=$(stat -c %s "$T/huge")
max=$rss0 end=$((SECONDS + 8))
while [ $SECONDS -lt $end ] && [ $(($(stat -c %s "$T/huge") - size0)) -lt $((32 << 20)) ]; do
    r=$(sb_rss_kb)
    [ "$r" -gt "$max" ] && max=$r
    sleep 0.2
done
relayed=$(($(stat -c %s "$T/huge") - size0))
[ $relayed -ge $((1 << 20)) ] || fail "endless stream stopped: $relayed bytes in 8 s"
[ $((max - rss0)) -le $((32 << 10)) ] || fail "RSS grew from ${rss0} KB to ${max} KB while relaying $relayed bytes"
kill "$BG_PID"
wait "$BG_PID" 2>/dev/null || true
aborted_one() { [ "$(mstat cerebras aborted)" -gt "$a0" ]; }
SB_WAIT=10 wait_for aborted_one || fail "endless upstream not aborted after the client left"
settle cerebras
mock_fault cerebras none
pass "endless stream: $((relayed >> 10)) KiB relayed, RSS ${rss0} -> max ${max} KB; aborted on hang-up"

alive
stop_sb_clean
pass "nothing left in flight; clean exit"
