# Shared helpers for dashboard tests: the integration helpers (mocks, config, curl), plus the
# real switchboard running its dashboard inside a private tmux server, read with capture-pane
# and driven with send-keys. Every wait polls with a deadline.
source "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

TMUX_SOCK=sb$$
TUI_W=120
TUI_H=40
SB_PORT=
SB_TUI_PID=

# tmux on our own server only; -f /dev/null keeps the user's tmux.conf out.
tm() { tmux -L "$TMUX_SOCK" -f /dev/null "$@"; }

# Runs before lib.sh's cleanup: keeps the last screen for the failure report, stops the
# switchboard we started (by its pid), then our tmux server.
eval "$(declare -f cleanup | sed '1s/^cleanup/lib_cleanup/')"
cleanup() {
    local rc=$?
    set +e # lib_cleanup reads $? from (exit $rc) below
    if [ $rc -ne 0 ]; then
        tm capture-pane -p -t sb >"$T/screen.log" 2>/dev/null || true
    fi
    if [ -n "$SB_TUI_PID" ] && kill -0 "$SB_TUI_PID" 2>/dev/null; then
        kill "$SB_TUI_PID" 2>/dev/null || true
        local deadline=$((SECONDS + 15))
        while kill -0 "$SB_TUI_PID" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    fi
    local sock
    sock=$(tm display -p '#{socket_path}' 2>/dev/null)
    tm kill-server 2>/dev/null || true
    [ -n "$sock" ] && rm -f "$sock" # tmux leaves its socket file behind
    (exit $rc)
    lib_cleanup
}
trap cleanup EXIT

screen() { tm capture-pane -p -t sb; }

# wait_screen ERE [seconds] : until some line of the screen matches; prints that line.
wait_screen() {
    local deadline=$((SECONDS + ${2:-15})) out
    while :; do
        out=$(screen | grep -E -m1 -- "$1") && { printf '%s\n' "$out"; return 0; }
        [ $SECONDS -ge $deadline ] && return 1
        sleep 0.1
    done
}

# wait_no_screen ERE [seconds] : until no line of the screen matches.
wait_no_screen() {
    local deadline=$((SECONDS + ${2:-15}))
    while screen | grep -qE -- "$1"; do
        [ $SECONDS -ge $deadline ] && return 1
        sleep 0.1
    done
}

keys() { tm send-keys -t sb "$@"; }

# quit_idle : q once the header shows nothing in flight. A client has its whole answer a moment
# before the request leaves the in-flight count (and the view's snapshot is refreshed every
# 100 ms), so a q pressed right after a request could meet the "quit anyway?" question.
quit_idle() {
    wait_screen '/min +0 in flight' >/dev/null || fail "requests stay in flight: $(screen | head -2)"
    keys q
}

# start_tui [VAR=value...] : switchboard with its dashboard in a 120x40 tmux pane, on a free
# port, logging to $T/sb.log (SB_TUI_NO_LOG=1: no --log-file, the default place);
# extra environment (NO_COLOR=1, LC_ALL=C) goes first;
# SB_TUI_SOURCE replaces `--config $T/config.yaml` (e.g. with --demo). The inner
# shell records its pid and execs switchboard, so SB_TUI_PID is switchboard's own; the outer
# shell waits in the foreground and writes the exit status to $T/sb.status (tmux can mark a
# pane dead without ever filling in #{pane_dead_status}, so the tests do not rely on it).
start_tui() {
    SB_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    SB_URL="http://127.0.0.1:$SB_PORT"
    rm -f "$T/sb.pid" "$T/sb.status"
    local logarg="--log-file \"$T/sb.log\""
    [ "${SB_TUI_NO_LOG:-}" = 1 ] && logarg=
    cat >"$T/run-tui.sh" <<EOF
sh -c 'echo \$\$ >"$T/sb.pid"; exec env TERM=xterm-256color LC_ALL=C.UTF-8 \
    CEREBRAS_API_KEY=${CEREBRAS_KEY-ck-test} ZAI_API_KEY=${ZAI_KEY-zk-test} $* "$SB_BIN" \
    ${SB_TUI_SOURCE:---config "$T/config.yaml"} --port $SB_PORT $logarg --grace 2 \
    2>"$T/stderr.log"'
echo \$? >"$T/sb.status.tmp" && mv "$T/sb.status.tmp" "$T/sb.status"
EOF
    echo 'set -g remain-on-exit on' >"$T/tmux.conf"
    tmux -L "$TMUX_SOCK" -f "$T/tmux.conf" new-session -d -s sb -x "$TUI_W" -y "$TUI_H" \
        "sh $T/run-tui.sh"
    wait_for test -s "$T/sb.pid" || fail "the tmux pane did not start"
    SB_TUI_PID=$(cat "$T/sb.pid")
    wait_for curl -sf "$SB_URL/health" || fail "switchboard /health never answered"
    wait_screen 'providers \(' >/dev/null || fail "the dashboard did not draw: $(screen)"
}

# sb_exit_status : the exit status once the program has ended (waits up to 20 s), "signal N"
# when a signal ended it, else fails.
sb_exit_status() {
    local deadline=$((SECONDS + 20)) st
    until [ -s "$T/sb.status" ]; do
        [ $SECONDS -ge $deadline ] && return 1
        sleep 0.1
    done
    st=$(cat "$T/sb.status")
    if [ "$st" -gt 128 ]; then echo "signal $((st - 128))"; else echo "$st"; fi
}

# served_by [model] : sends one chat completion; prints the provider header's value.
served_by() {
    sb_post /v1/chat/completions "{\"model\":\"${1:-glm-4.6}\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}" \
        -D - -o /dev/null | tr -d '\r' | awk 'tolower($1)=="x-switchboard-provider:" {print $2}'
}

# countdown LABEL : seconds left in the COOLDOWN mm:ss badge of the card LABEL names
# ("cerebras gpt-oss-120b": its provider and model).
countdown() {
    local t
    t=$(screen | grep -E " $1 +COOLDOWN [0-9]+:[0-9]+" | grep -oE 'COOLDOWN [0-9]+:[0-9]+' | head -1)
    t=${t#COOLDOWN }
    [ -n "$t" ] || return 1
    echo $((10#${t%%:*} * 60 + 10#${t##*:}))
}

# nothing_on_stderr : the dashboard sent nothing to the terminal's stderr while it ran (it
# goes to <log>.stderr, which the program removes when empty) and nothing after either.
nothing_on_stderr() {
    [ ! -s "$T/sb.log.stderr" ] || fail "stderr while the dashboard ran: $(head -5 "$T/sb.log.stderr")"
    ! grep -qE 'runtime error|AddressSanitizer|LeakSanitizer' "$T/stderr.log" ||
        fail "sanitizer report: $(head -20 "$T/stderr.log")"
}
