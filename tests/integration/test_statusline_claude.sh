#!/usr/bin/env bash
# `switchboard statusline` and `switchboard claude`: silent / a clear message when no
# instance runs; with one running, the status line names the provider that served and the
# one cooling down, and `claude` is started with the right variables (a fake `claude` on
# PATH prints them) without touching the user's settings files.
source "$(dirname "$0")/lib.sh"

# ---- nothing running ----
out=$("$SB_BIN" statusline </dev/null) || fail "statusline failed with no instance"
[ -z "$out" ] || fail "statusline printed '$out' with no instance"
rc=0
"$SB_BIN" claude -p hi >"$T/claude.out" 2>&1 || rc=$?
[ $rc = 1 ] || fail "claude with no instance: exit $rc, want 1"
grep -q "switchboard is not running: start it with \`make run\`" "$T/claude.out" ||
    fail "no clear message: $(cat "$T/claude.out")"
pass "no instance: statusline silent, claude exits 1 with a message"

# ---- a running instance ----
setup_default
status_line() { LANG=C.UTF-8 LC_ALL= "$SB_BIN" statusline <<<'{"session_id":"x"}'; }
chat() { sb_post /v1/chat/completions '{"model":"glm-4.6","messages":[{"role":"user","content":"hi"}]}' -o /dev/null; }

chat
line=$(status_line)
case $line in *cerebras*) ;; *) fail "statusline after a cerebras answer: '$line'" ;; esac
case $line in "⚡ cerebras"*) ;; *) fail "no primary marker: '$line'" ;; esac
pass "statusline names the provider that served: $line"

mock_fault cerebras 429:30
chat
mock_fault cerebras none
line=$(status_line)
case $line in *zai*cerebras\ cooldown\ 0:[0-3][0-9]*) ;; *) fail "statusline during fallback: '$line'" ;; esac
case $line in "↪ zai"*) ;; *) fail "no fallback marker: '$line'" ;; esac
ascii=$(LC_ALL=C LANG=C "$SB_BIN" statusline </dev/null)
case $ascii in "-> zai"*"| cerebras cooldown"*) ;; *) fail "ASCII fallback: '$ascii'" ;; esac
pass "statusline shows fallback and the cooldown: $line"

# ---- switchboard claude with a fake claude ----
mkdir -p "$T/bin"
cat >"$T/bin/claude" <<'SH'
#!/bin/sh
echo "ARGS=$*"
env | grep -E '^(ANTHROPIC_|API_TIMEOUT_MS|CLAUDE_CODE_)' | sort
env >"${FAKE_ENV_OUT:-/dev/null}"
SH
chmod +x "$T/bin/claude"
ANTHROPIC_API_KEY=sk-ant-real PATH="$T/bin:$PATH" "$SB_BIN" claude -p "say hi" >"$T/claude.out" 2>"$T/claude.err" ||
    fail "switchboard claude failed: $(cat "$T/claude.err")"
want() { grep -qxF "$1" "$T/claude.out" || fail "missing $1 in: $(cat "$T/claude.out")"; }
want "ARGS=-p say hi"
want "ANTHROPIC_BASE_URL=$SB_URL"
want "ANTHROPIC_AUTH_TOKEN=sk-1234"
want "ANTHROPIC_DEFAULT_OPUS_MODEL=glm-4.6"
want "ANTHROPIC_DEFAULT_SONNET_MODEL=glm-4.6"
want "ANTHROPIC_DEFAULT_HAIKU_MODEL=glm-4.5-air"
# the real window of glm-4.6's chain: Z.AI's glm-4.6 takes 204800 (Cerebras' gpt-oss-120b less)
want "CLAUDE_CODE_AUTO_COMPACT_WINDOW=204800"
want "CLAUDE_CODE_MAX_CONTEXT_TOKENS=204800"
want "CLAUDE_CODE_DISABLE_1M_CONTEXT=1"
want "API_TIMEOUT_MS=3000000"
want "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1"
! grep -q '^ANTHROPIC_API_KEY=' "$T/claude.out" || fail "ANTHROPIC_API_KEY passed on"
! grep -q warning "$T/claude.err" || fail "unexpected warning: $(cat "$T/claude.err")"
[ ! -e "$HOME/.claude" ] && [ ! -e "$HOME/.claude.json" ] || fail "claude touched the settings files"
pass "claude gets the instance's URL, master key and models; settings untouched"

rc=0
PATH="/nonexistent" "$SB_BIN" claude >"$T/claude.out" 2>&1 || rc=$?
[ $rc = 1 ] || fail "claude not installed: exit $rc, want 1"
grep -q "npm install -g @anthropic-ai/claude-code" "$T/claude.out" || fail "no install hint: $(cat "$T/claude.out")"
pass "claude missing from PATH: exit 1 with the npm command"

# ---- an instance started in another directory with a relative --config and a .env ----
kill "$SB_PID"
wait "$SB_PID" 2>/dev/null || true
wait_for test ! -e "$XDG_RUNTIME_DIR/switchboard.json" || fail "state file not removed at exit"
printf 'LITELLM_MASTER_KEY=sk-dotenv-777\nSB_TEST_SECRET=do-not-leak\n' >"$T/.env"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$T" && CEREBRAS_API_KEY=ck-test ZAI_API_KEY=zk-test exec "$SB_BIN" --headless --config config.yaml \
    --port "$port" >"$T/switchboard2.log" 2>&1) &
PIDS+=($!)
url=$(wait_url "$T/switchboard2.log") || fail "second switchboard did not start"
wait_for curl -sf "$url/health" || fail "second switchboard /health never answered"
(cd / && FAKE_ENV_OUT="$T/claude.env" PATH="$T/bin:$PATH" "$SB_BIN" claude) >"$T/claude.out" 2>&1 ||
    fail "claude from / failed: $(cat "$T/claude.out")"
grep -qxF "ANTHROPIC_AUTH_TOKEN=sk-dotenv-777" "$T/claude.out" || fail "key from the instance's .env not found: $(cat "$T/claude.out")"
grep -qxF "ANTHROPIC_BASE_URL=$url" "$T/claude.out" || fail "wrong URL: $(cat "$T/claude.out")"
! grep -qE '^(SB_TEST_SECRET|LITELLM_MASTER_KEY)=' "$T/claude.env" || fail ".env variables leaked into claude's environment"
line=$(cd / && LANG=C.UTF-8 "$SB_BIN" statusline </dev/null)
case $line in *"switchboard ready"*) ;; *) fail "statusline of an idle instance: '$line'" ;; esac
pass "relative --config and .env are found through the instance's directory; nothing leaks"
