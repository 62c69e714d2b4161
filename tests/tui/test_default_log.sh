#!/usr/bin/env bash
# The dashboard without --log-file logs to $XDG_STATE_HOME/switchboard/switchboard.log, as the
# README says (an overlapping snprintf once left the path empty: "cannot open log file :").
# Warnings raised while the screen is up (a reload's unknown key, a refused browser request)
# appear in the status line and in that log, never on stderr under the screen.
source "$(dirname "$0")/lib_tui.sh"
start_mock cerebras openai --key ck-test
start_mock zai anthropic --key zk-test
write_config "$T/config.yaml"
echo 'startup_bogus_key: 1' >>"$T/config.yaml"
LOG=$XDG_STATE_HOME/switchboard/switchboard.log
[ ! -e "$LOG" ] || fail "a log file exists before the start"
SB_TUI_NO_LOG=1 start_tui

# A warning raised before the screen came up is shown on its first frames too.
wait_screen "warning: .*startup_bogus_key" >/dev/null ||
    fail "the startup warning is not in the status line: $(screen | tail -3)"
pass "a warning from before the dashboard started is in its status line"

[ "$(served_by)" = cerebras ] || fail "the request was not served by cerebras"
wait_for grep -q '"provider":"cerebras"' "$LOG" || fail "the request is not in $LOG: $(ls -la "$(dirname "$LOG")" 2>&1)"
line=$(grep '"provider":"cerebras"' "$LOG" | head -1)
echo "$line" | json_get 'd["model"]=="glm-4.6" and d["status"]==200' | grep -qx True ||
    fail "the logged request is not the one sent: $line"
grep -q 'cannot open log file' "$T/stderr.log" && fail "the log file could not be opened: $(cat "$T/stderr.log")"
pass "without --log-file the request is logged to \$XDG_STATE_HOME/switchboard/switchboard.log"

# A reload (SIGHUP) that warns while the screen is up.
echo 'reload_bogus_key: 1' >>"$T/config.yaml"
kill -HUP "$SB_TUI_PID"
wait_screen "warning: config\.yaml:[0-9]+: unknown top-level key 'reload_bogus_key'" >/dev/null ||
    fail "the reload warning is not in the status line: $(screen | tail -3)"
wait_for grep -q '"event":"warning".*reload_bogus_key' "$LOG" || fail "the warning is not in the log file"
# The R key's own result and the warning its reload raised share the line.
keys R
wait_screen "config reloaded from config\.yaml; warning: config\.yaml:[0-9]+: unknown top-level key 'reload_bogus_key'" >/dev/null ||
    fail "R: the result and its warning are not both shown: $(screen | tail -3)"
pass "warnings raised under the dashboard are shown in its status line and logged"

# A web page's request, refused: the dashboard says so (it is not silently dropped).
curl -s -o /dev/null -X POST "$SB_URL/admin/fallback" -H 'Origin: https://evil.example' \
    -H 'Content-Type: text/plain' -d '{"force":true}'
wait_screen "warning: refused POST /admin/fallback from a web page \(Origin 'https://evil\.example'\)" >/dev/null ||
    fail "the refused request is not in the status line: $(screen | tail -3)"
screen | grep -q 'mode AUTO' || fail "the refused request changed the mode"
pass "a refused browser request is shown in the status line"

quit_idle
st=$(sb_exit_status) || fail "q did not quit"
[ "$st" = 0 ] || fail "exit status $st: $(tail -20 "$T/stderr.log")"
[ ! -s "$LOG.stderr" ] || fail "stderr while the dashboard ran: $(head -5 "$LOG.stderr")"
! grep -q 'reload_bogus_key' "$T/stderr.log" || fail "a warning went to the terminal's stderr: $(cat "$T/stderr.log")"
! grep -qE 'runtime error|AddressSanitizer|LeakSanitizer' "$T/stderr.log" ||
    fail "sanitizer report: $(head -20 "$T/stderr.log")"
pass "quits cleanly; nothing raised under the screen went to stderr"
