#!/usr/bin/env bash
# `switchboard configure-claude` in temporary HOMEs: new files, existing files (other keys
# kept), malformed files (refused, untouched), undo (byte-identical originals), idempotence.
# No switchboard runs here, so the defaults (or ./config.yaml) are used.
source "$(dirname "$0")/lib.sh"
cd "$T"
umask 022 # the usual umask: every file holding a token must still come out 0600

new_home() {
    HOME=$(mktemp -d "$T/home.XXXXXX")
    export HOME
}
# pyget FILE EXPR : evaluates EXPR on the JSON in FILE as `d`.
pyget() {
    python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}
mode_of() { stat -c %a "$1"; }

# ---- new files ----
new_home
"$SB_BIN" configure-claude --key sk-test-9876 >"$T/out.log" 2>&1 || fail "configure-claude failed: $(cat "$T/out.log")"
S=$HOME/.claude/settings.json C=$HOME/.claude.json
[ -f "$S" ] && [ -f "$C" ] || fail "files not created"
[ "$(pyget "$S" "d['env']['ANTHROPIC_BASE_URL']")" = http://127.0.0.1:4000 ] || fail "base url"
[ "$(pyget "$S" "d['env']['ANTHROPIC_AUTH_TOKEN']")" = sk-test-9876 ] || fail "token"
[ "$(pyget "$S" "d['env']['ANTHROPIC_DEFAULT_OPUS_MODEL']")" = glm-4.6 ] || fail "opus model"
[ "$(pyget "$S" "d['env']['ANTHROPIC_DEFAULT_SONNET_MODEL']")" = glm-4.6 ] || fail "sonnet model"
[ "$(pyget "$S" "d['env']['ANTHROPIC_DEFAULT_HAIKU_MODEL']")" = glm-4.5-air ] || fail "haiku model"
[ "$(pyget "$S" "d['env']['API_TIMEOUT_MS']")" = 3000000 ] || fail "timeout"
[ "$(pyget "$S" "d['env']['CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC']")" = 1 ] || fail "traffic var"
[ "$(pyget "$C" "d['hasCompletedOnboarding']")" = True ] || fail "onboarding"
[ "$(mode_of "$S")" = 600 ] && [ "$(mode_of "$C")" = 600 ] || fail "new files not 0600"
grep -q 'ANTHROPIC_AUTH_TOKEN = \*\*\*\*9876' "$T/out.log" || fail "token change not reported masked"
! grep -q sk-test-9876 "$T/out.log" || fail "token printed in clear"
grep -q 'ANTHROPIC_BASE_URL = http://127.0.0.1:4000' "$T/out.log" || fail "change not reported"
pass "new HOME: both files created with the env block and onboarding"

# ---- idempotent ----
cp "$S" "$T/s1" && cp "$C" "$T/c1"
"$SB_BIN" configure-claude --key sk-test-9876 >"$T/out.log" 2>&1 || fail "second run failed"
grep -q "nothing changed" "$T/out.log" || fail "second run did not say nothing changed: $(cat "$T/out.log")"
cmp -s "$S" "$T/s1" && cmp -s "$C" "$T/c1" || fail "second run changed the files"
pass "a second run changes nothing and says so"

# ---- undo of new files ----
"$SB_BIN" configure-claude --undo >"$T/out.log" 2>&1 || fail "undo failed: $(cat "$T/out.log")"
[ ! -e "$S" ] && [ ! -e "$C" ] || fail "undo left files it created"
[ -z "$(ls -A "$HOME/.claude" 2>/dev/null)" ] || fail "undo left backups: $(ls -A "$HOME/.claude")"
[ ! -e "$C.switchboard-backup" ] || fail "undo left the .claude.json backup"
"$SB_BIN" configure-claude --undo >"$T/out.log" 2>&1 || fail "second undo failed"
grep -q "nothing to undo" "$T/out.log" || fail "second undo did not say nothing to undo"
pass "undo removes files switchboard created; a second undo is harmless"

# ---- existing files: other keys kept, undo byte-identical ----
new_home
S=$HOME/.claude/settings.json C=$HOME/.claude.json
mkdir -p "$HOME/.claude"
printf '{\n    "model": "opus",\n    "env": {"FOO": "bar", "ANTHROPIC_BASE_URL": "https://old.example"},\n    "permissions": {"allow": ["Bash(ls:*)"]}\n}\n' >"$S"
printf '{"numStartups": 5, "projects": {"/x": {"hasTrustDialogAccepted": true}}}' >"$C"
chmod 644 "$S"
cp "$S" "$T/s.orig" && cp "$C" "$T/c.orig"
"$SB_BIN" configure-claude --url http://127.0.0.1:4555 --key sk-other-1111 >"$T/out.log" 2>&1 ||
    fail "configure over existing files failed: $(cat "$T/out.log")"
[ "$(pyget "$S" "d['model']")" = opus ] || fail "model key lost"
[ "$(pyget "$S" "d['env']['FOO']")" = bar ] || fail "env.FOO lost"
[ "$(pyget "$S" "d['permissions']['allow'][0]")" = 'Bash(ls:*)' ] || fail "permissions lost"
[ "$(pyget "$S" "d['env']['ANTHROPIC_BASE_URL']")" = http://127.0.0.1:4555 ] || fail "--url not used"
[ "$(pyget "$C" "d['numStartups']")" = 5 ] || fail "numStartups lost"
[ "$(pyget "$C" "d['projects']['/x']['hasTrustDialogAccepted']")" = True ] || fail "projects lost"
[ "$(pyget "$C" "d['hasCompletedOnboarding']")" = True ] || fail "onboarding not set"
[ "$(mode_of "$S")" = 600 ] || fail "settings.json holds a token but is $(mode_of "$S")"
grep -q "settings.json was readable by other users (mode 644); it now holds a token, so it is 600" \
    "$T/out.log" || fail "the mode change is not explained: $(cat "$T/out.log")"
[ "$(mode_of "$S.switchboard-backup")" = 600 ] || fail "backup is $(mode_of "$S.switchboard-backup")"
[ "$(mode_of "$C")" = 644 ] || fail ".claude.json (no token) mode changed to $(mode_of "$C")"
cmp -s "$S.switchboard-backup" "$T/s.orig" || fail "backup is not the original"
"$SB_BIN" configure-claude --url http://127.0.0.1:4666 >/dev/null 2>&1 || fail "re-run failed"
cmp -s "$S.switchboard-backup" "$T/s.orig" || fail "a second run overwrote the backup"
pass "existing files: other keys kept, backup of the original taken once"

"$SB_BIN" configure-claude --undo >"$T/out.log" 2>&1 || fail "undo failed: $(cat "$T/out.log")"
cmp -s "$S" "$T/s.orig" || fail "settings.json not byte-identical after undo"
cmp -s "$C" "$T/c.orig" || fail ".claude.json not byte-identical after undo"
[ ! -e "$S.switchboard-backup" ] && [ ! -e "$C.switchboard-backup" ] || fail "backups left"
pass "undo restores both files byte for byte"

# ---- malformed files are refused and left alone ----
new_home
S=$HOME/.claude/settings.json C=$HOME/.claude.json
mkdir -p "$HOME/.claude"
printf '{ "env": {"A": "1"},, ' >"$S"
cp "$S" "$T/bad.orig"
rc=0
"$SB_BIN" configure-claude >"$T/out.log" 2>&1 || rc=$?
[ $rc = 1 ] || fail "malformed settings.json: exit $rc, want 1"
grep -q "not a valid JSON object" "$T/out.log" || fail "no clear message: $(cat "$T/out.log")"
cmp -s "$S" "$T/bad.orig" || fail "malformed file was changed"
[ ! -e "$C" ] || fail ".claude.json written although settings.json was refused"
[ ! -e "$S.switchboard-backup" ] || fail "backup written for a refused run"
printf '["not", "an", "object"]\n' >"$C"
printf '{}\n' >"$S"
rc=0
"$SB_BIN" configure-claude >"$T/out.log" 2>&1 || rc=$?
[ $rc = 1 ] || fail "malformed .claude.json: exit $rc, want 1"
[ "$(cat "$S")" = "{}" ] || fail "settings.json written although .claude.json was refused"
pass "malformed JSON: exit 1, nothing touched"

# ---- defaults from ./config.yaml ----
new_home
cat >"$T/config.yaml" <<'YAML'
model_list:
  - model_name: big
    litellm_params: {model: cerebras/gpt-oss-120b, api_key: x}
  - model_name: big-backup
    litellm_params: {model: anthropic/glm-4.6, api_base: http://127.0.0.1:9/api/anthropic, api_key: y}
router_settings:
  fallbacks: [{"big": ["big-backup"]}]
general_settings:
  master_key: sk-from-config-4242
YAML
"$SB_BIN" configure-claude >"$T/out.log" 2>&1 || fail "configure with ./config.yaml failed: $(cat "$T/out.log")"
S=$HOME/.claude/settings.json
[ "$(pyget "$S" "d['env']['ANTHROPIC_AUTH_TOKEN']")" = sk-from-config-4242 ] || fail "master key not taken from ./config.yaml"
[ "$(pyget "$S" "d['env']['ANTHROPIC_DEFAULT_SONNET_MODEL']")" = big ] || fail "model group with fallbacks not chosen"
[ "$(pyget "$S" "'ANTHROPIC_DEFAULT_HAIKU_MODEL' in d['env']")" = False ] || fail "haiku set without a small model"
rm -f "$T/config.yaml"
pass "without a running instance the key and models come from ./config.yaml"

# ---- the key from a file or stdin, never the command line ----
new_home
S=$HOME/.claude/settings.json
printf 'sk-from-file-55aa\n' >"$T/key.txt"
"$SB_BIN" configure-claude --key-file "$T/key.txt" >"$T/out.log" 2>&1 || fail "--key-file failed: $(cat "$T/out.log")"
[ "$(pyget "$S" "d['env']['ANTHROPIC_AUTH_TOKEN']")" = sk-from-file-55aa ] || fail "--key-file not used"
! grep -q warning "$T/out.log" || fail "--key-file warned: $(cat "$T/out.log")"
new_home
S=$HOME/.claude/settings.json
echo sk-from-stdin-66bb | "$SB_BIN" configure-claude --key-file - >"$T/out.log" 2>&1 || fail "--key-file - failed"
[ "$(pyget "$S" "d['env']['ANTHROPIC_AUTH_TOKEN']")" = sk-from-stdin-66bb ] || fail "--key-file - not used"
new_home
S=$HOME/.claude/settings.json
LITELLM_MASTER_KEY=sk-from-env-77cc "$SB_BIN" configure-claude >"$T/out.log" 2>&1 || fail "env key failed"
[ "$(pyget "$S" "d['env']['ANTHROPIC_AUTH_TOKEN']")" = sk-from-env-77cc ] || fail "LITELLM_MASTER_KEY not used"
new_home
"$SB_BIN" configure-claude --key sk-argv-88dd >"$T/out.log" 2>&1 || fail "--key failed"
grep -q "warning: --key puts the key where every user's \`ps\`" "$T/out.log" || fail "--key did not warn: $(cat "$T/out.log")"
rc=0
"$SB_BIN" configure-claude --key-file "$T/none.txt" >"$T/out.log" 2>&1 || rc=$?
[ $rc = 2 ] && grep -q "cannot read --key-file" "$T/out.log" || fail "missing --key-file: exit $rc $(cat "$T/out.log")"
pass "the token comes from --key-file, stdin or LITELLM_MASTER_KEY; --key still works but warns"

rc=0
"$SB_BIN" configure-claude --url 127.0.0.1:4000 >/dev/null 2>&1 || rc=$?
[ $rc = 2 ] || fail "bad --url: exit $rc, want 2"
pass "bad usage exits 2"
