#!/usr/bin/env bash
# Clients that hang up: mid-stream, while waiting for the first byte, and 200 at once. The
# upstream transfer is aborted at once (its quota is real), nothing stays in flight, no
# connection or thread leaks, and the server keeps serving.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"
# A paced Cerebras: 5 tokens/s and 400-token replies keep streams open for 80 s, longer than
# starting 200 clients takes on a loaded machine; they end only when the client leaves.
CEREBRAS_ARGS=(--tps 5 --reply-tokens 400 --threads 512)
SB_THREADS=256
setup_faults
LONG_A=$(ANT_BODY glm-4.6 1 | sed 's/"max_tokens":50/"max_tokens":2000/')
LONG_O=$(OAI_BODY glm-4.6 1 | sed 's/"max_tokens":50/"max_tokens":2000/')
baseline

# hang_up WHAT : kills the client in BG_PID and expects the mock's aborted count to rise by one
# within a few seconds; HANG_MS says how long it took.
aborted_above() { [ "$(mstat cerebras aborted)" -gt "$1" ]; }
hang_up() {
    local a0 t0
    a0=$(mstat cerebras aborted)
    t0=$(date +%s%N)
    kill "$BG_PID"
    wait "$BG_PID" 2>/dev/null || true
    SB_WAIT=5 wait_for aborted_above "$a0" || fail "$1: upstream not aborted within 5 s"
    HANG_MS=$((($(date +%s%N) - t0) / 1000000))
    settle cerebras
}

# ---- mid-stream, both APIs ----
for api in anthropic openai; do
    body=$LONG_O path=/v1/chat/completions
    [ $api = anthropic ] && body=$LONG_A path=/v1/messages
    stream_bg $path "$body" "$T/s"
    wait_for grep -q 'Hello from cerebras' "$T/s" || fail "$api: no first tokens"
    hang_up "$api mid-stream"
    pass "$api client hangs up mid-stream: upstream aborted after ${HANG_MS}ms, nothing in flight"
    rm -f "$T/s"
done
# Both were served by cerebras until the client left: the record says 499 (client closed
# request), not a provider error.
cer_id=$(dep_id glm-4.6 cerebras)
n499=$(curl -sf "${ADMIN[@]}" "$SB_URL/metrics" |
    awk -v p="switchboard_responses_total{provider=\"$cer_id\",code=\"499\"}" '$1 == p {print $2}')
[ "${n499:-0}" = 2 ] || fail "mid-stream hang-ups recorded as 499: ${n499:-none} of 2"
pass "mid-stream hang-ups are recorded as 499"

# ---- while waiting for the first byte (the mock holds it for 30 s) ----
mock_fault cerebras slow
one_in_flight() { [ "$(mstat cerebras in_flight)" = 1 ]; }
stream_bg /v1/messages "$LONG_A" "$T/s"
wait_for one_in_flight || fail "slow request never reached the mock"
hang_up "before the first byte"
mock_fault cerebras none
pass "client hangs up before the first byte: upstream aborted after ${HANG_MS}ms"
[ "$(dep_field "$(dep_id glm-4.6 cerebras)" status)" = READY ] || fail "client hang-ups counted against cerebras"
pass "hang-ups are not counted as provider failures"

# ---- 200 clients hang up together ----
N=200
pids=()
a0=$(mstat cerebras aborted)
for i in $(seq 1 $N); do
    if [ $((i % 2)) = 0 ]; then stream_bg /v1/chat/completions "$LONG_O" /dev/null; else stream_bg /v1/messages "$LONG_A" /dev/null; fi
    pids+=("$BG_PID")
done
all_streaming() { [ "$(mstat cerebras in_flight)" -ge $N ]; }
SB_WAIT=75 wait_for all_streaming || fail "only $(mstat cerebras in_flight) of $N streams reached the mock"
[ "$(sb_in_flight)" = $N ] || fail "switchboard in_flight $(sb_in_flight), want $N"
peak_fds=$(sb_fds_nonunix)
kill "${pids[@]}" 2>/dev/null
wait "${pids[@]}" 2>/dev/null || true
all_aborted() { [ "$(mstat cerebras aborted)" -ge $((a0 + N)) ]; }
SB_WAIT=30 wait_for all_aborted || fail "only $(($(mstat cerebras aborted) - a0)) of $N upstreams aborted"
[ "$(mstat cerebras aborted)" = $((a0 + N)) ] || fail "aborted $(($(mstat cerebras aborted) - a0)), want $N"
SB_WAIT=30 settle cerebras
SB_WAIT=30 back_to_baseline 8
unix=$(sb_unix_fds)
[ "$unix" -le $((2 * SB_THREADS + 8)) ] || fail "$unix AF_UNIX descriptors for $SB_THREADS threads"
pass "$N clients hang up together: $N upstreams aborted, fds $BASE_FDS -> $peak_fds -> $(sb_fds_nonunix), threads $(sb_threads)"

alive
code=$(sb_post /v1/messages "$(ANT_BODY glm-4.6 1 | sed 's/"max_tokens":50/"max_tokens":5/')" -o "$T/s" -w '%{http_code}' --max-time 30)
[ "$code" = 200 ] && $EXPECT anthropic "d['error'] is None and d['stop_reason']=='max_tokens'" <"$T/s" ||
    fail "a stream after the hang-ups: $code $(tail -c 300 "$T/s")"
stop_sb_clean
pass "still serving streams; clean exit"
