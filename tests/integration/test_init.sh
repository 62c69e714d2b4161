#!/usr/bin/env bash
# switchboard init (issue 15), the real binary against the simulated providers serving
# today's lineups (Cerebras gpt-oss-120b and gemma-4-31b; Z.AI glm-5.2 ... glm-4.5-air):
# each key is checked against the provider's model list without spending a request, the
# models it may use are named, .env is written 0600 and config.yaml uses those models, and
# switchboard then serves with them. Existing files are never replaced without a yes (in a
# terminal) or --force (without one), and the old ones are kept. In a terminal the keys are
# not echoed, and Ctrl-C at a key prompt gives the terminal its echo back.
source "$(dirname "$0")/lib.sh"
CK=ck-test-0001
ZK=zk-test-0001
start_mock cerebras openai --key "$CK"
start_mock zai anthropic --key "$ZK"
BASES=(--cerebras-base "http://127.0.0.1:$CEREBRAS_PORT/v1" --zai-base "http://127.0.0.1:$ZAI_PORT/api/anthropic")

# init_pipe DIR INPUT [args...] : init without a terminal, INPUT on stdin; sets rc, output in $T/init.out.
init_pipe() {
    local dir=$1 input=$2
    shift 2
    set +e
    printf '%b' "$input" | "$SB_BIN" init --dir "$dir" "${BASES[@]}" "$@" >"$T/init.out" 2>&1
    rc=$?
    set -e
}
no_key_shown() { ! grep -qE "$CK|$ZK|ck-wrong" "$T/init.out" || fail "a key was printed: $(cat "$T/init.out")"; }
sum() { sha256sum "$@" | awk '{print $1}'; }

# ---- both keys, no terminal ----
init_pipe "$T/both" "$CK\n$ZK\n"
[ $rc = 0 ] || fail "init with both keys: exit $rc: $(cat "$T/init.out")"
grep -q '^Cerebras: the key works; it may use: gpt-oss-120b (131072-token context), gemma-4-31b$' "$T/init.out" ||
    fail "Cerebras' models not named: $(cat "$T/init.out")"
grep -q '^Z.AI: the key works; it may use: .*glm-5.2.*glm-4.5-air' "$T/init.out" || fail "Z.AI's models not named: $(cat "$T/init.out")"
grep -q "^wrote $T/both/config.yaml: glm-4.6 -> Cerebras gpt-oss-120b, then Z.AI glm-5.2; glm-4.5-air -> Z.AI glm-4.5-air$" "$T/init.out" ||
    fail "the chosen models are not said: $(cat "$T/init.out")"
no_key_shown
[ "$(stat -c %a "$T/both/.env")" = 600 ] || fail ".env mode $(stat -c %a "$T/both/.env")"
[ "$(stat -c %a "$T/both")" = 700 ] || fail "directory mode $(stat -c %a "$T/both")"
grep -qx "CEREBRAS_API_KEY=$CK" "$T/both/.env" && grep -qx "ZAI_API_KEY=$ZK" "$T/both/.env" || fail ".env lacks the keys"
MASTER=$(sed -n 's/^LITELLM_MASTER_KEY=//p' "$T/both/.env")
[[ $MASTER =~ ^sk-[0-9a-f]{48}$ ]] || fail "master key '$MASTER'"
grep -q 'model: cerebras/gpt-oss-120b' "$T/both/config.yaml" && grep -q 'model: anthropic/glm-5.2' "$T/both/config.yaml" ||
    fail "config does not use the offered models: $(cat "$T/both/config.yaml")"
[ "$(mock_stat cerebras requests)" = 0 ] && [ "$(mock_stat zai requests)" = 0 ] || fail "init spent a completion request"
pass "both keys checked (no request spent), models named, .env 0600 with a random master key, config uses gpt-oss-120b and glm-5.2"

# What init wrote is valid and serves: --check, then traffic with the new master key.
set +e
"$SB_BIN" --check --config "$T/both/config.yaml" >"$T/check.out" 2>&1
crc=$?
set -e
[ $crc = 0 ] || fail "--check of init's config: exit $crc: $(cat "$T/check.out")"
grep -qx "  .env    $T/both/.env (beside the config)" "$T/check.out" || fail "--check does not read init's .env: $(cat "$T/check.out")"
! grep -q MISSING "$T/check.out" || fail "a key is missing: $(cat "$T/check.out")"
grep -q '^  master key set' "$T/check.out" || fail "no master key: $(cat "$T/check.out")"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$SB_BIN" --headless --config "$T/both/config.yaml" --port "$port" >"$T/serve.log" 2>&1 &
PIDS+=($!)
url=$(wait_url "$T/serve.log") || fail "switchboard did not start on init's config: $(cat "$T/serve.log")"
wait_for curl -sf "$url/health" || fail "not healthy"
served_by() { # MODEL PATH BODY-EXTRA
    curl -s -D - -o "$T/r" -H "Authorization: Bearer $MASTER" -H 'Content-Type: application/json' "$url$2" \
        -d "{\"model\":\"$1\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}" |
        tr -d '\r' | awk 'tolower($1)=="x-switchboard-provider:" {print $2}'
}
[ "$(served_by claude-sonnet-4-5 /v1/messages)" = cerebras ] || fail "claude-sonnet not served by Cerebras: $(cat "$T/r")"
case $(served_by claude-haiku-4-5 /v1/messages) in zai*) ;; *) fail "claude-haiku not served by Z.AI: $(cat "$T/r")" ;; esac
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer sk-1234' -H 'Content-Type: application/json' \
    "$url/v1/chat/completions" -d '{"model":"glm-4.6","messages":[{"role":"user","content":"hi"}]}')
[ "$code" = 401 ] || fail "the docs' sk-1234 was accepted ($code): init's master key is not in force"
pass "init's config passes --check and serves: claude-sonnet -> Cerebras, claude-haiku -> Z.AI, only its master key"

# ---- existing files: kept without --force, replaced with backups with it ----
before=$(sum "$T/both/.env" "$T/both/config.yaml")
init_pipe "$T/both" "$CK\n$ZK\n"
[ $rc = 1 ] || fail "init over existing files without a terminal: exit $rc"
grep -q "exists; init replaces a file only when asked" "$T/init.out" || fail "no reason given: $(cat "$T/init.out")"
[ "$(sum "$T/both/.env" "$T/both/config.yaml")" = "$before" ] || fail "existing files changed without --force"
cp "$T/both/.env" "$T/old.env"
init_pipe "$T/both" "$CK\n$ZK\n" --force
[ $rc = 0 ] || fail "init --force: exit $rc: $(cat "$T/init.out")"
cmp -s "$T/old.env" "$T/both/.env.bak" || fail ".env.bak is not the old .env"
[ "$(stat -c %a "$T/both/.env.bak")" = 600 ] && [ "$(stat -c %a "$T/both/.env")" = 600 ] || fail "modes after --force"
[ -f "$T/both/config.yaml.bak" ] || fail "no config.yaml.bak"
! cmp -s "$T/old.env" "$T/both/.env" || fail "--force did not write a new .env (new master key)"
pass "existing files: refused without --force (unchanged), replaced with --force (old ones kept as .bak, 0600)"

# ---- a refused key, an unreachable provider, no key: nothing written ----
init_pipe "$T/wrong" "ck-wrong-key-01\n$ZK\n"
[ $rc = 1 ] || fail "refused key: exit $rc"
grep -q '^Cerebras refused this key: .*401' "$T/init.out" || fail "refusal not said: $(cat "$T/init.out")"
no_key_shown
[ ! -e "$T/wrong/.env" ] && [ ! -e "$T/wrong/config.yaml" ] || fail "files written after a refused key"
dead=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
set +e
printf '%s\n\n' "$CK" | "$SB_BIN" init --dir "$T/dead" --cerebras-base "http://127.0.0.1:$dead/v1" >"$T/init.out" 2>&1
rc=$?
set -e
[ $rc = 1 ] || fail "unreachable provider: exit $rc"
grep -q '^Cerebras could not be asked: ' "$T/init.out" || fail "unreachable not said: $(cat "$T/init.out")"
[ ! -e "$T/dead/.env" ] || fail "files written with an unchecked key and no terminal"
init_pipe "$T/none" "\n\n"
[ $rc = 1 ] && grep -q '^no key: nothing written' "$T/init.out" || fail "no keys: exit $rc: $(cat "$T/init.out")"
[ ! -e "$T/none" ] || fail "no keys, yet $T/none was created"
pass "refused key (401), unreachable provider, no key: exit 1, nothing written, no key printed"

# ---- one key; a lineup without the preferred models ----
init_pipe "$T/zai-only" "\n$ZK\n"
[ $rc = 0 ] || fail "Z.AI only: exit $rc: $(cat "$T/init.out")"
! grep -q CEREBRAS "$T/zai-only/.env" || fail "Cerebras key in a Z.AI-only .env"
grep -q 'model: anthropic/glm-5.2' "$T/zai-only/config.yaml" && ! grep -q 'cerebras/' "$T/zai-only/config.yaml" ||
    fail "Z.AI-only config: $(cat "$T/zai-only/config.yaml")"
"$SB_BIN" --check --config "$T/zai-only/config.yaml" >"$T/check.out" 2>&1 || fail "Z.AI-only config invalid: $(cat "$T/check.out")"
start_mock cerebras2 openai --key "$CK" --models gemma-4-31b,llama-9
set +e
printf '%s\n\n' "$CK" | "$SB_BIN" init --dir "$T/gemma" --cerebras-base "http://127.0.0.1:$CEREBRAS2_PORT/v1" >"$T/init.out" 2>&1
rc=$?
set -e
[ $rc = 0 ] || fail "gemma lineup: exit $rc: $(cat "$T/init.out")"
grep -q '^Cerebras: the key works; it may use: gemma-4-31b.*, llama-9$' "$T/init.out" || fail "gemma lineup not named: $(cat "$T/init.out")"
grep -q 'model: cerebras/gemma-4-31b' "$T/gemma/config.yaml" || fail "gemma not chosen: $(cat "$T/gemma/config.yaml")"
pass "Z.AI key only: glm-4.6 on Z.AI glm-5.2; a Cerebras lineup without gpt-oss-120b: gemma-4-31b chosen"

# ---- the default place: $XDG_CONFIG_HOME/switchboard, where switchboard then finds it ----
mkdir -p "$T/elsewhere"
set +e
printf '%s\n%s\n' "$CK" "$ZK" | (cd "$T/elsewhere" && XDG_CONFIG_HOME=$T/xdg exec "$SB_BIN" init "${BASES[@]}") >"$T/init.out" 2>&1
rc=$?
set -e
[ $rc = 0 ] || fail "init to the default place: exit $rc: $(cat "$T/init.out")"
[ -f "$T/xdg/switchboard/config.yaml" ] && [ -f "$T/xdg/switchboard/.env" ] || fail "not written to \$XDG_CONFIG_HOME/switchboard"
grep -qx 'next: switchboard --check --online' "$T/init.out" || fail "no next step: $(cat "$T/init.out")"
(cd "$T/elsewhere" && XDG_CONFIG_HOME=$T/xdg exec "$SB_BIN" --check) >"$T/check.out" 2>&1 || fail "--check: $(cat "$T/check.out")"
grep -qx "  config  $T/xdg/switchboard/config.yaml (the user's config directory)" "$T/check.out" ||
    fail "switchboard does not find init's config: $(cat "$T/check.out")"
pass "without --dir: written to \$XDG_CONFIG_HOME/switchboard, where a plain switchboard --check finds it"

# ---- in a terminal: hidden keys, questions before replacing, Ctrl-C ----
tty_run() { python3 "$SB_SRC/tests/integration/init_tty.py" "$1" -- "$SB_BIN" init --dir "$T/tty" "${BASES[@]}" >"$T/tty.json"; }
# tty_field NAME : a field of the last terminal run (into a file first: grep -q closing a pipe
# early would fail the pipeline under pipefail).
tty_field() {
    json_get "d['$1']" <"$T/tty.json" >"$T/tty.field"
    cat "$T/tty.field"
}
tty_run '[["expect","Cerebras API key"],["send","'"$CK"'\r"],["expect","Z.AI API key"],["send","'"$ZK"'\r"],["expect","next:"]]' ||
    fail "terminal run: $(cat "$T/tty.json")"
[ "$(tty_field exit)" = 0 ] || fail "terminal run exit: $(cat "$T/tty.json")"
tty_field output >"$T/tty.out"
! grep -qE "$CK|$ZK" "$T/tty.out" || fail "a key was echoed: $(cat "$T/tty.out")"
grep -q "(${#CK} characters)" "$T/tty.out" || fail "the length of the hidden input is not confirmed: $(cat "$T/tty.out")"
[ "$(tty_field echo)" = True ] || fail "echo left off"
grep -qx "CEREBRAS_API_KEY=$CK" "$T/tty/.env" || fail "terminal run did not write the key"
pass "terminal: keys typed without echo (length confirmed), written, echo back on"

before=$(sum "$T/tty/.env" "$T/tty/config.yaml")
tty_run '[["expect",".env exists. Replace it"],["send","n\r"],["expect","config.yaml exists. Replace it"],["send","\r"],["expect","nothing changed"]]' ||
    fail "terminal, two noes: $(cat "$T/tty.json")"
[ "$(tty_field exit)" = 0 ] && [ "$(sum "$T/tty/.env" "$T/tty/config.yaml")" = "$before" ] || fail "files changed after two noes"
env_before=$(sum "$T/tty/.env")
tty_run '[["expect",".env exists. Replace it"],["send","n\r"],["expect","config.yaml exists. Replace it"],["send","y\r"],["expect","next:"]]' ||
    fail "terminal, keep .env: $(cat "$T/tty.json")"
tty_field output >"$T/tty.out"
grep -q "using the keys in $T/tty/.env" "$T/tty.out" || fail "the kept .env's keys are not used: $(cat "$T/tty.out")"
[ "$(sum "$T/tty/.env")" = "$env_before" ] || fail "the kept .env changed"
[ -f "$T/tty/config.yaml.bak" ] || fail "no backup of the replaced config"
"$SB_BIN" --check --config "$T/tty/config.yaml" >"$T/check.out" 2>&1 || fail "config written from the kept .env: $(cat "$T/check.out")"
pass "terminal: asks before replacing each file; no keeps it; a kept .env's keys are checked and used"

tty_run '[["expect",".env exists"],["send","y\r"],["expect","config.yaml exists"],["send","y\r"],["expect","Cerebras API key"],["send","ck-half"],["interrupt"]]' ||
    fail "terminal, Ctrl-C: $(cat "$T/tty.json")"
[ "$(tty_field exit)" = 130 ] || fail "Ctrl-C at the key prompt: exit $(tty_field exit)"
[ "$(tty_field echo)" = True ] || fail "Ctrl-C at the key prompt left the terminal without echo"
[ "$(sum "$T/tty/.env")" = "$env_before" ] || fail "Ctrl-C changed .env"
pass "terminal: Ctrl-C at a hidden prompt exits 130 with echo restored and nothing written"
