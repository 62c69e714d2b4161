#!/usr/bin/env bash
# The seed's 2025 config on the dashboard against today's lineup: Cerebras' card says MODEL GONE
# with the models its key may use; m lists them, Enter writes the chosen one into config.yaml
# (one line, a backup first) and reloads, and Cerebras serves the next request.
source "$(dirname "$0")/lib_tui.sh"

start_mock cerebras openai --key ck-test
start_mock zai anthropic --key zk-test
seed_config "$T/config.yaml"
cp "$T/config.yaml" "$T/config.orig"
start_tui

wait_screen ' cerebras zai-glm-4\.6 +MODEL GONE' >/dev/null || fail "no MODEL GONE card: $(screen)"
wait_screen 'zai-glm-4\.6 is not offered; offered: gpt-oss-120b, gemma-4-31b +\(m picks one\)' >/dev/null ||
    fail "the card does not name the offered models: $(screen)"
wait_screen ' zai glm-4\.6 +READY' >/dev/null || fail "no READY zai glm-4.6 card"
screen | grep -qE 'm model' || fail "the footer does not offer m: $(screen | tail -2)"
[ "$(served_by)" = zai/zai-glm-4.6 ] || fail "glm-4.6 was not served by the fallback"
[ "$(mock_stat cerebras requests)" = 0 ] || fail "Cerebras was tried for a gone model"
pass "MODEL GONE card with the offered models; requests go to the fallback"

keys 1
keys m
wait_screen 'Models for cerebras' >/dev/null || fail "m did not open the model list: $(screen)"
wait_screen 'zai-glm-4\.6 is gone\. Its provider offers:' >/dev/null || fail "the list does not say why"
wait_screen '(▸|>) gpt-oss-120b +131072-token context' >/dev/null || fail "gpt-oss-120b not listed first: $(screen)"
wait_screen ' +gemma-4-31b' >/dev/null || fail "gemma-4-31b not listed"
pass "m lists the models Cerebras offers this key"

keys Enter
wait_screen 'cerebras now uses gpt-oss-120b: written into config\.yaml \(backup config\.yaml\.bak\), reloaded' >/dev/null ||
    fail "no confirmation: $(screen | tail -3)"
wait_screen ' cerebras gpt-oss-120b +READY' >/dev/null || fail "the card did not change: $(screen)"
diff "$T/config.orig" "$T/config.yaml.bak" >/dev/null || fail "the backup is not the old file"
diff "$T/config.orig" "$T/config.yaml" >"$T/edit.diff" || true
[ "$(grep -c '^[<>]' "$T/edit.diff")" = 2 ] && grep -q '^> *model: cerebras/gpt-oss-120b$' "$T/edit.diff" ||
    fail "the edit: $(cat "$T/edit.diff")"
[ "$(served_by)" = cerebras ] || fail "Cerebras does not serve the next request"
pass "Enter wrote gpt-oss-120b into config.yaml (one line, backup kept), reloaded; Cerebras serves"

nothing_on_stderr
quit_idle
[ "$(sb_exit_status)" = 0 ] || fail "exit status $(sb_exit_status)"
