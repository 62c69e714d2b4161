#!/usr/bin/env bash
# Resizing keeps the dashboard whole: 120x40, 80x24 (cards and log still there), 50x12 (a
# too-small message instead), and back, with the program alive and redrawing throughout.
source "$(dirname "$0")/lib_tui.sh"
start_mock cerebras openai --key ck-test
start_mock zai anthropic --key zk-test
write_config "$T/config.yaml"
start_tui
[ "$(served_by)" = cerebras ] || fail "first request not served by cerebras"
wait_screen 'OpenAI +glm-4\.6 +cerebras +200 ' >/dev/null || fail "request not in the log"

# whole_at COLS ROWS : every line fits, and the header, both cards, the log and the footer show.
whole_at() {
    local w=$1 h=$2 s
    wait_screen ' cerebras gpt-oss-120b +READY' >/dev/null || fail "${w}x$h: no cerebras card: $(screen)"
    wait_screen ' zai glm-[^ ]+ +READY' >/dev/null || fail "${w}x$h: no zai card"
    wait_screen '^switchboard +mode AUTO' >/dev/null || fail "${w}x$h: no header"
    wait_screen 'requests \(live\)' >/dev/null || fail "${w}x$h: no log pane"
    wait_screen ' glm-4\.6 +cerebras +200' >/dev/null || fail "${w}x$h: the request left the log"
    wait_screen '\? help +q quit' >/dev/null || fail "${w}x$h: no footer"
    s=$(screen)
    [ "$(printf '%s\n' "$s" | wc -l)" -le "$h" ] || fail "${w}x$h: more rows than the screen"
    printf '%s\n' "$s" | python3 -c "import sys; sys.exit(any(len(l.rstrip('\n')) > $w for l in sys.stdin))" ||
        fail "${w}x$h: a line wider than the screen"
    kill -0 "$SB_TUI_PID" || fail "${w}x$h: switchboard died"
}

whole_at 120 40
pass "120x40 whole"

tm resize-window -t sb -x 80 -y 24
whole_at 80 24
pass "80x24 whole (cards, log, header, footer)"

tm resize-window -t sb -x 50 -y 12
wait_screen 'terminal too small: 50x12' >/dev/null || fail "no too-small message: $(screen)"
wait_screen 'need at least 60x16' >/dev/null || fail "too-small message lacks the minimum"
screen | grep -q 'providers (' && fail "panes drawn on a too-small screen"
kill -0 "$SB_TUI_PID" || fail "switchboard died at 50x12"
pass "50x12 shows the too-small message"

tm resize-window -t sb -x 120 -y 40
wait_no_screen 'terminal too small' || fail "still too small after growing back"
whole_at 120 40
# Still live after all that: a new request shows.
mock_fault cerebras 429:30
case $(served_by) in zai*) ;; *) fail "429 did not fall back" ;; esac
wait_screen ' cerebras gpt-oss-120b +COOLDOWN [0-9]+:[0-9]+' >/dev/null || fail "no COOLDOWN after resizing"
pass "back to 120x40: redrawn and live"

quit_idle
st=$(sb_exit_status) || fail "q did not quit"
[ "$st" = 0 ] || fail "exit status $st: $(tail -20 "$T/stderr.log")"
nothing_on_stderr
pass "quits cleanly after resizing"
