#!/usr/bin/env bash
# Config lookup (issue 15): --config, else ./config.yaml, else
# $XDG_CONFIG_HOME/switchboard/config.yaml (~/.config/... when unset); the .env beside the
# config unless --env-file names one; --check names the files it read and why those.
source "$(dirname "$0")/lib.sh"
start_mock cerebras openai --key ck-test
start_mock zai anthropic --key zk-test

# check DIR [args...] : switchboard --check run in DIR; stdout to $T/out, stderr to $T/err.
check() {
    local dir=$1
    shift
    set +e
    (cd "$dir" && exec "$SB_BIN" --check "$@") >"$T/out" 2>"$T/err"
    rc=$?
    set -e
}
# key_state GROUP : "set" or "MISSING", from the --check output.
key_state() { awk -v g="$1" '$1==g {for(i=1;i<=NF;i++) if($i=="key") print $(i+1)}' "$T/out" | tr -d ,; }

mkdir -p "$T/empty" "$T/work" "$HOME/.config/switchboard" "$T/xdg/switchboard" "$T/other"

# Nowhere: exit 2, naming both places and `switchboard init`.
check "$T/empty"
[ $rc = 2 ] || fail "no config anywhere: exit $rc"
grep -q "looked for ./config.yaml and $HOME/.config/switchboard/config.yaml" "$T/err" ||
    fail "the places looked at are not named: $(cat "$T/err")"
grep -q "switchboard init" "$T/err" || fail "no hint at switchboard init: $(cat "$T/err")"
pass "no config anywhere: exit 2, both places named, init suggested"

# ~/.config/switchboard when the working directory has none; its .env beside it.
write_config "$HOME/.config/switchboard/config.yaml"
printf 'CEREBRAS_API_KEY=ck-test\n' >"$HOME/.config/switchboard/.env"
check "$T/empty"
[ $rc = 0 ] || fail "user config: exit $rc: $(cat "$T/err")"
grep -qx "  config  $HOME/.config/switchboard/config.yaml (the user's config directory)" "$T/out" ||
    fail "--check does not name the user config: $(cat "$T/out")"
grep -qx "  .env    $HOME/.config/switchboard/.env (beside the config)" "$T/out" ||
    fail "--check does not name the .env beside it: $(cat "$T/out")"
[ "$(key_state glm-4.6)" = set ] && [ "$(key_state zai-glm-4.6)" = MISSING ] ||
    fail "keys not as the .env beside the config says: $(cat "$T/out")"
pass "~/.config/switchboard/config.yaml and the .env beside it"

# $XDG_CONFIG_HOME wins over ~/.config.
write_config "$T/xdg/switchboard/config.yaml"
printf 'ZAI_API_KEY=zk-test\n' >"$T/xdg/switchboard/.env"
(cd "$T/empty" && XDG_CONFIG_HOME=$T/xdg exec "$SB_BIN" --check) >"$T/out" 2>"$T/err" || fail "XDG config: $(cat "$T/err")"
grep -qx "  config  $T/xdg/switchboard/config.yaml (the user's config directory)" "$T/out" ||
    fail "XDG_CONFIG_HOME not used: $(cat "$T/out")"
[ "$(key_state glm-4.6)" = MISSING ] && [ "$(key_state zai-glm-4.6)" = set ] ||
    fail "the .env beside the XDG config was not the one read: $(cat "$T/out")"
pass "\$XDG_CONFIG_HOME/switchboard/config.yaml wins over ~/.config"

# ./config.yaml wins over the user config; the .env beside it (here: none).
write_config "$T/work/config.yaml"
check "$T/work"
[ $rc = 0 ] || fail "./config.yaml: exit $rc"
grep -qx "  config  $T/work/config.yaml (the working directory)" "$T/out" ||
    fail "./config.yaml not preferred: $(cat "$T/out")"
grep -qx "  .env    $T/work/.env (beside the config): not there; keys come from the environment only" "$T/out" ||
    fail "a missing .env is not named as missing: $(cat "$T/out")"
[ "$(key_state glm-4.6)" = MISSING ] || fail "the user's .env was read for ./config.yaml: $(cat "$T/out")"
pass "./config.yaml wins; a missing .env beside it is named as such"

# --config names another file: its own .env, not the working directory's.
write_config "$T/other/mine.yaml"
printf 'ZAI_API_KEY=zk-test\n' >"$T/other/.env"
printf 'CEREBRAS_API_KEY=ck-test\n' >"$T/work/.env"
check "$T/work" --config ../other/mine.yaml
[ $rc = 0 ] || fail "--config: exit $rc"
grep -qx "  config  $T/other/mine.yaml (--config)" "$T/out" || fail "--config not named: $(cat "$T/out")"
grep -qx "  .env    $T/other/.env (beside the config)" "$T/out" || fail "not the .env beside --config: $(cat "$T/out")"
[ "$(key_state glm-4.6)" = MISSING ] && [ "$(key_state zai-glm-4.6)" = set ] ||
    fail "keys not from the .env beside --config: $(cat "$T/out")"
pass "--config FILE: the .env beside FILE, not the working directory's"

# --env-file overrides the .env beside the config.
check "$T/work" --config ../other/mine.yaml --env-file "$T/work/.env"
grep -qx "  .env    $T/work/.env (--env-file)" "$T/out" || fail "--env-file not named: $(cat "$T/out")"
[ "$(key_state glm-4.6)" = set ] && [ "$(key_state zai-glm-4.6)" = MISSING ] ||
    fail "keys not from --env-file: $(cat "$T/out")"
pass "--env-file wins over the .env beside the config"

# A served instance finds the user config the same way (no --config) and serves with its keys.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$T/empty" && exec "$SB_BIN" --headless --port "$port") >"$T/serve.log" 2>&1 &
PIDS+=($!)
url=$(wait_url "$T/serve.log") || fail "did not start from the user config: $(cat "$T/serve.log")"
wait_for curl -sf "$url/health" || fail "not healthy"
prov=$(curl -s -D - -o "$T/r" -H "Authorization: Bearer sk-1234" -H 'Content-Type: application/json' \
    "$url/v1/chat/completions" -d '{"model":"glm-4.6","messages":[{"role":"user","content":"hi"}]}' |
    tr -d '\r' | awk 'tolower($1)=="x-switchboard-provider:" {print $2}')
[ "$prov" = cerebras ] || fail "not served by cerebras with the user .env's key: '$prov' $(cat "$T/r")"
pass "served from ~/.config/switchboard with its .env"
