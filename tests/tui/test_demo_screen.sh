#!/usr/bin/env bash
# What a newcomer sees after `make run` with no keys: the demo's dashboard says DEMO, its
# traffic makes Cerebras serve, run out (RPM FULL or COOLDOWN with a countdown) while Z.AI
# serves with the fallback trail in the log, and come back; `g` stops and restarts the
# traffic; q quits. Deadlines follow the demo's one-minute story.
source "$(dirname "$0")/lib_tui.sh"
SB_TUI_SOURCE=--demo
start_tui

wait_screen 'DEMO +traffic on \(g\)' >/dev/null || fail "the header does not say DEMO with traffic on: $(screen | head -2)"
wait_screen ' [0-9] +cerebras +[A-Z]' >/dev/null || fail "no cerebras card: $(screen)"
pass "demo header and cards"

# Served by cerebras first, then out of room, with a countdown on its card.
wait_screen '^. [0-9:]{8} .* cerebras +200 ' 60 >/dev/null || fail "cerebras never served: $(screen)"
out=$(wait_screen ' cerebras +(RPM FULL|COOLDOWN) [0-9]+:[0-9]{2}' 75) ||
    fail "cerebras never ran out with a countdown: $(screen | head -12)"
pass "cerebras served, then ran out: $(grep -oE '(RPM FULL|COOLDOWN) [0-9]+:[0-9]{2}' <<<"$out")"

# Meanwhile the log shows the fallback trail and Z.AI serving.
wait_screen 'cerebras (skip|429) → zai[^ ]* 200' 40 >/dev/null ||
    fail "no fallback trail in the log: $(screen | tail -20)"
pass "the log shows the trail cerebras → zai"

# Back: the countdown runs out, the card is READY and cerebras serves again.
wait_screen ' cerebras +READY' 75 >/dev/null || fail "cerebras never came back: $(screen | head -12)"
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

keys q
wait_screen 'quit anyway' 5 >/dev/null && keys y # traffic may be in flight
st=$(sb_exit_status) || fail "q did not quit"
[ "$st" = 0 ] || fail "exit status $st: $(tail -20 "$T/stderr.log")"
nothing_on_stderr
pass "q quits (exit status $st)"
