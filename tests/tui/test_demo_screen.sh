#!/usr/bin/env bash
# What a newcomer sees after `make run` with no keys: the demo's dashboard says DEMO, its
# traffic makes Cerebras serve, run out (RPM FULL or COOLDOWN with a countdown) while Z.AI
# serves with the fallback trail in the log, all within 60 s and with no error, and come back;
# `g` stops and restarts the traffic; q quits.
source "$(dirname "$0")/lib_tui.sh"
SB_TUI_SOURCE=--demo
start_tui
t0=$SECONDS
# left : seconds left of the first minute (at least 1).
left() { local l=$((60 - (SECONDS - t0))); echo $((l > 0 ? l : 1)); }

wait_screen 'DEMO +traffic on \(g\)' >/dev/null || fail "the header does not say DEMO with traffic on: $(screen | head -2)"
wait_screen ' [0-9] +cerebras gpt-oss-120b +[A-Z]' >/dev/null || fail "no cerebras card: $(screen)"
# the simulated providers serve today's lineups, and the cards name the model that serves
wait_screen ' [0-9] +zai glm-5\.2 +[A-Z]' >/dev/null || fail "no zai glm-5.2 card: $(screen)"
pass "demo header and cards"

# Served by cerebras first, then out of room, with a countdown on its card.
wait_screen '^. [0-9:]{8} .* cerebras +200 ' "$(left)" >/dev/null || fail "cerebras never served: $(screen)"
out=$(wait_screen ' cerebras gpt-oss-120b +(RPM FULL|COOLDOWN) [0-9]+:[0-9]{2}' "$(left)") ||
    fail "cerebras never ran out with a countdown: $(screen | head -12)"
pass "cerebras served, then ran out: $(grep -oE '(RPM FULL|COOLDOWN) [0-9]+:[0-9]{2}' <<<"$out")"

# Meanwhile the log shows the fallback trail and Z.AI serving.
wait_screen 'cerebras (skip|429) → zai[^ ]* 200' "$(left)" >/dev/null ||
    fail "no fallback trail in the log within a minute: $(screen | tail -20)"
bad=$(screen | grep -E '^. [0-9:]{8} ' | grep -vE ' 200 ') && fail "a log row that is not a 200: $bad"
pass "within $((SECONDS - t0)) s: the log shows the trail cerebras → zai, and only 200s"

# Back: the countdown runs out, the card is READY and cerebras serves again.
wait_screen ' cerebras gpt-oss-120b +READY' 75 >/dev/null || fail "cerebras never came back: $(screen | head -12)"
# rows are newest first: one of the newest three served by cerebras
newest_cerebras() { screen | grep -E '^. [0-9:]{8} ' | head -3 | grep -qE ' cerebras +200 '; }
deadline=$((SECONDS + 40))
until newest_cerebras; do
    [ $SECONDS -ge $deadline ] && fail "no new cerebras request after its return: $(screen | tail -15)"
    sleep 0.2
done
pass "cerebras READY again and serving"

keys g
wait_screen 'traffic off \(g\)' >/dev/null || fail "g did not stop the traffic: $(screen | head -1)"
keys g
wait_screen 'traffic on \(g\)' >/dev/null || fail "g did not restart the traffic"
pass "g stops and restarts the demo traffic"

# Everything the demo sent so far was answered (the quit below may cut requests in flight).
n=$(grep -c '"status":' "$T/sb.log")
bad=$(grep '"status":' "$T/sb.log" | grep -v '"status":200,') && fail "the request log has errors: $(head -3 <<<"$bad")"
pass "all $n requests in the log file were 200s"

keys q
wait_screen 'quit anyway' 5 >/dev/null && keys y # traffic may be in flight
st=$(sb_exit_status) || fail "q did not quit"
[ "$st" = 0 ] || fail "exit status $st: $(tail -20 "$T/stderr.log")"
nothing_on_stderr
pass "q quits (exit status $st)"
