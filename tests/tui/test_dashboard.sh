#!/usr/bin/env bash
# The dashboard against the mock providers, driven through tmux: both cards, a request in the
# log with its provider, a 429 cooldown counting down, c / f / r taking effect on the very next
# request, the help, the request detail, and q quitting at once when nothing is in flight.
source "$(dirname "$0")/lib_tui.sh"
start_mock cerebras openai --key ck-test
start_mock zai anthropic --key zk-test
write_config "$T/config.yaml"
start_tui

wait_screen ' cerebras gpt-oss-120b +READY' >/dev/null || fail "no READY cerebras card: $(screen)"
wait_screen ' zai glm-[^ ]+ +READY' >/dev/null || fail "no READY zai card"
wait_screen "mode AUTO +http://127.0.0.1:$SB_PORT +master key set" >/dev/null ||
    fail "header lacks mode, URL or master key: $(screen | head -2)"
screen | grep -q 'sk-1234' && fail "the master key itself is on screen"
pass "cards show both providers; header shows mode, URL and that a key is set"

[ "$(served_by)" = cerebras ] || fail "first request not served by cerebras"
wait_screen 'OpenAI +glm-4\.6 +cerebras +200 ' >/dev/null || fail "request not in the log: $(screen)"
wait_screen '^1 request ' >/dev/null || fail "header does not count the request"
pass "a request appears in the log with its provider"

mock_fault cerebras 429:30
case $(served_by) in zai*) ;; *) fail "429 did not fall back to zai" ;; esac
wait_screen ' cerebras gpt-oss-120b +COOLDOWN [0-9]+:[0-9]+' >/dev/null || fail "no COOLDOWN badge: $(screen)"
wait_screen 'zai[^ ]* +200 .*cerebras 429 (→|->) zai' >/dev/null || fail "no fallback trail in the log"
first=$(countdown 'cerebras gpt-oss-120b') || fail "cannot read the countdown"
[ "$first" -gt 0 ] && [ "$first" -le 30 ] || fail "countdown $first is not within retry-after 30"
deadline=$((SECONDS + 10))
while :; do
    second=$(countdown 'cerebras gpt-oss-120b') || fail "the countdown went away"
    [ "$second" -lt "$first" ] && break
    [ $SECONDS -ge $deadline ] && fail "countdown stuck at $first"
    sleep 0.2
done
pass "after a 429 the card shows COOLDOWN counting down ($first s, then $second s)"
mock_fault cerebras none

keys 1 r
wait_screen ' cerebras gpt-oss-120b +READY' >/dev/null || fail "r did not bring cerebras back: $(screen)"
[ "$(served_by)" = cerebras ] || fail "after r the next request was not served by cerebras"
pass "r resets the cooldown: the next request goes to cerebras"

keys c
wait_screen ' cerebras gpt-oss-120b +DISABLED' >/dev/null || fail "c did not show DISABLED"
case $(served_by) in zai*) ;; *) fail "disabled cerebras still served" ;; esac
keys c
wait_screen ' cerebras gpt-oss-120b +READY' >/dev/null || fail "c did not enable cerebras again"
[ "$(served_by)" = cerebras ] || fail "re-enabled cerebras not serving"
pass "c disables cerebras (served by zai) and enables it again"

keys f
wait_screen 'mode FORCED FALLBACK' >/dev/null || fail "f did not show FORCED FALLBACK"
wait_screen ' cerebras gpt-oss-120b +BYPASSED' >/dev/null || fail "forced fallback: cerebras card not BYPASSED"
case $(served_by) in zai*) ;; *) fail "forced fallback still served by cerebras" ;; esac
case $(served_by) in zai*) ;; *) fail "forced fallback is not sticky" ;; esac
keys f
wait_screen 'mode AUTO' >/dev/null || fail "f did not turn forced fallback off"
[ "$(served_by)" = cerebras ] || fail "after f off not cerebras"
pass "f sends everything to the fallback until turned off"

keys '?'
wait_screen 'Keys' >/dev/null || fail "? did not open the help"
wait_screen 'force fallback on/off' >/dev/null || fail "help lacks the key table"
keys Escape
wait_no_screen ' Keys ' || fail "Esc did not close the help"
pass "? shows the help, Esc closes it"

# The newest request first; the one after the 429 further down. Open the newest, then the
# fallback: Tab to the log, Enter.
keys Tab Enter
wait_screen 'Request #[0-9]+' >/dev/null || fail "Enter did not open the detail: $(screen)"
wait_screen 'served by cerebras +status 200' >/dev/null || fail "detail lacks who served it"
wait_screen '1 +cerebras +200 ' >/dev/null || fail "detail lacks the attempt"
keys Escape
wait_no_screen 'Request #' || fail "Esc did not close the detail"
row=$(screen | grep -nE 'cerebras 429 (→|->) zai' | head -1 | cut -d: -f1)
newest=$(screen | grep -nE '^. [0-9]{2}:[0-9]{2}:[0-9]{2} ' | head -1 | cut -d: -f1)
[ -n "$row" ] && [ -n "$newest" ] || fail "cannot find the fallback row"
for ((i = newest; i < row; i++)); do keys Down; done
keys Enter
wait_screen 'Attempts' >/dev/null || fail "no attempts in the detail"
wait_screen '1 +cerebras +429 +rate_limit' >/dev/null || fail "detail lacks the 429 attempt: $(screen)"
wait_screen '2 +zai[^ ]* +200 ' >/dev/null || fail "detail lacks the zai attempt"
keys Escape
wait_no_screen 'Request #' || fail "Esc did not close the detail"
pass "Enter on a log row opens its detail with every attempt"

# Still in the log pane: / filters (the title counts matches), Esc clears; p freezes the list.
total=$(screen | grep -cE '^. [0-9]{2}:[0-9]{2}:[0-9]{2} ')
keys / z a i Enter
wait_screen "filter: zai +[0-9]+/$total" >/dev/null || fail "no filter in the log title: $(screen)"
screen | grep -E '^. [0-9]{2}:[0-9]{2}:[0-9]{2} ' | grep -vq 'zai' && fail "the filter let a row without zai through"
keys Escape
wait_no_screen 'filter: zai' || fail "Esc did not clear the filter"
keys p
wait_screen 'requests \(PAUSED\)' >/dev/null || fail "p did not pause the log"
nreq=$(screen | grep -oE '^[0-9]+ requests' | cut -d' ' -f1)
[ "$(served_by)" = cerebras ] || fail "request while paused not served by cerebras"
# The header stays live: once it counts the new request, a frame with it has been drawn.
wait_screen "^$((nreq + 1)) requests" >/dev/null || fail "the header stopped counting while paused"
[ "$(screen | grep -cE '^. [0-9]{2}:[0-9]{2}:[0-9]{2} ')" = "$total" ] || fail "a paused log took a new row"
keys p
wait_screen 'requests \(live\)' >/dev/null || fail "p did not resume the log"
deadline=$((SECONDS + 10))
until [ "$(screen | grep -cE '^. [0-9]{2}:[0-9]{2}:[0-9]{2} ')" -gt "$total" ]; do
    [ $SECONDS -ge $deadline ] && fail "the resumed log did not show the new request"
    sleep 0.1
done
pass "/ filters the log and Esc clears it; p pauses and resumes it"

grep -q '"provider":"cerebras"' "$T/sb.log" || fail "the log file has no requests"
quit_idle
st=$(sb_exit_status) || fail "q did not quit: $(screen | tail -3)"
[ "$st" = 0 ] || fail "exit status $st: $(tail -20 "$T/stderr.log")"
nothing_on_stderr
pass "q quits at once with nothing in flight; logs went to the file, not the terminal"
