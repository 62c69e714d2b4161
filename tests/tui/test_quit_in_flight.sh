#!/usr/bin/env bash
# q asks before quitting while a request is in flight (a slow provider keeps one open): any
# key but y stays, y quits, and the terminal says the program is finishing that request.
source "$(dirname "$0")/lib_tui.sh"
start_mock cerebras openai --key ck-test --fault slow
start_mock zai anthropic --key zk-test
write_config "$T/config.yaml"
start_tui

# The slow mock answers after 30 s; this client waits longer than the test.
sb_post /v1/chat/completions '{"model":"glm-4.6","messages":[{"role":"user","content":"hi"}]}' \
    -o /dev/null -m 60 >/dev/null 2>&1 &
PIDS+=($!)
wait_screen '1 in flight' >/dev/null || fail "the request is not shown in flight: $(screen | head -3)"
wait_screen "127.0.0.1:$CEREBRAS_PORT/v1  1 in flight" >/dev/null || fail "the card does not show it in flight"

keys q
wait_screen '1 request in flight . quit anyway\? y/n' >/dev/null || fail "q did not ask: $(screen | tail -3)"
keys n
wait_no_screen 'quit anyway' || fail "n did not dismiss the question"
kill -0 "$SB_TUI_PID" || fail "n quit anyway"
keys q
wait_screen 'quit anyway' >/dev/null || fail "q did not ask again"
keys Escape
wait_no_screen 'quit anyway' || fail "Esc did not dismiss the question"
kill -0 "$SB_TUI_PID" || fail "Esc quit anyway"
pass "q asks while a request is in flight; n and Esc stay"

keys q
wait_screen 'quit anyway' >/dev/null || fail "q did not ask a third time"
keys y
wait_screen 'finishing 1 request in flight' >/dev/null ||
    fail "after y the terminal does not say what it waits for: $(screen)"
st=$(sb_exit_status) || fail "y did not quit within the grace period"
pass "y quits after the grace period (exit status $st)"
[ ! -s "$T/sb.log.stderr" ] || fail "stderr while the dashboard ran: $(head -5 "$T/sb.log.stderr")"
