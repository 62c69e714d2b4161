#!/usr/bin/env bash
# NO_COLOR and a non-UTF-8 locale: no colour escapes at all, ASCII rules, markers, arrows and
# sparklines, with every state still told apart by its words.
source "$(dirname "$0")/lib_tui.sh"
start_mock cerebras openai --key ck-test
start_mock zai anthropic --key zk-test
write_config "$T/config.yaml"
start_tui NO_COLOR=1 LC_ALL=C

[ "$(served_by)" = cerebras ] || fail "first request not served by cerebras"
mock_fault cerebras 429:30
case $(served_by) in zai*) ;; *) fail "429 did not fall back" ;; esac
wait_screen '^- providers \(3\) ---' >/dev/null || fail "no ASCII rule: $(screen | sed -n 3p)"
wait_screen '^> 1 +cerebras gpt-oss-120b +COOLDOWN [0-9]+:[0-9]+' >/dev/null || fail "no ASCII marker or badge"
wait_screen 'cerebras 429 -> zai' >/dev/null || fail "the trail has no ASCII arrow: $(screen)"
screen | LC_ALL=C grep -q $'[\x80-\xff]' && fail "non-ASCII bytes on a C-locale screen"
pass "LC_ALL=C draws in ASCII"

tm capture-pane -p -e -t sb >"$T/screen-esc.txt"
grep -qE $'\e\\[(3|4)[0-7]m|\e\\[[0-9;]*(38|48);5;' "$T/screen-esc.txt" &&
    fail "colour escapes with NO_COLOR: $(grep -oE $'\e\\[[0-9;]*m' "$T/screen-esc.txt" | sort -u | head)"
grep -qE $'\e\\[[0-9;]*(1|7)m' "$T/screen-esc.txt" || fail "no bold or reverse: monochrome lost its emphasis"
pass "NO_COLOR: attributes only, no colours"

# A reload that warns: the warning is drawn in the status line (ASCII, in place), never
# printed over the screen, and it is in the log file.
echo 'bogus_key: 1' >>"$T/config.yaml"
keys R
wait_screen "^config reloaded from config\.yaml; warning: config\.yaml:[0-9]+: unknown top-level key 'bogus_key'" \
    >/dev/null || fail "R: no reload result with its warning: $(screen | tail -2)"
[ "$(screen | grep -c 'bogus_key')" = 1 ] || fail "the warning is on screen more than once: $(screen)"
screen | sed -n 1p | grep -q '^switchboard ' || fail "the header was overwritten: $(screen | head -2)"
grep -q '"event":"warning".*bogus_key' "$T/sb.log" || fail "the warning is not in the log file"
[ ! -s "$T/sb.log.stderr" ] || fail "stderr while the dashboard ran: $(head -5 "$T/sb.log.stderr")"
pass "a warning under the dashboard goes to its status line and the log, not over the screen"

quit_idle
st=$(sb_exit_status) || fail "q did not quit"
[ "$st" = 0 ] || fail "exit status $st: $(tail -20 "$T/stderr.log")"
! grep -qE 'runtime error|AddressSanitizer|LeakSanitizer' "$T/stderr.log" "$T/sb.log.stderr" ||
    fail "sanitizer report: $(cat "$T/stderr.log" "$T/sb.log.stderr" | head -20)"
pass "quits cleanly"
