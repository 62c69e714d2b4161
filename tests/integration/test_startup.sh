#!/usr/bin/env bash
# Startup behaviour a user sees: a taken port moves to a free one and says so; invalid config
# values exit 2 with file:line:col; unknown keys only warn; a missing key variable is named and
# that provider is skipped, never a crash; .env is read without overriding the environment.
source "$(dirname "$0")/lib.sh"
start_mock cerebras openai --key ck-test
start_mock zai anthropic --key zk-test
write_config "$T/config.yaml"

# Port taken: hold a port, start switchboard on it.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -c "import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1',$port)); s.listen(); time.sleep(60)" &
PIDS+=($!)
wait_for python3 -c "import socket; socket.create_connection(('127.0.0.1',$port)).close()" || fail "blocker did not listen"
CEREBRAS_API_KEY=ck-test ZAI_API_KEY=zk-test "$SB_BIN" --headless --config "$T/config.yaml" --port "$port" >"$T/taken.log" 2>&1 &
PIDS+=($!)
url=$(wait_url "$T/taken.log") || fail "no URL printed: $(cat "$T/taken.log")"
grep -q "port $port is in use; listening on $url instead" "$T/taken.log" || fail "port move not reported: $(cat "$T/taken.log")"
[ "$url" != "http://127.0.0.1:$port" ] || fail "URL still names the taken port"
wait_for curl -sf "$url/health" || fail "moved server not healthy"
pass "taken port: moved to $url and said so"

# Invalid value: exit status 2 and file:line:col.
sed 's/num_retries: 2/num_retries: lots/' "$T/config.yaml" >"$T/bad.yaml"
set +e
"$SB_BIN" --headless --config "$T/bad.yaml" --port 1 >"$T/bad.out" 2>&1
rc=$?
set -e
[ $rc = 2 ] || fail "invalid config exit status $rc"
line=$(grep -n 'num_retries' "$T/bad.yaml" | cut -d: -f1)
grep -Eq "$T/bad.yaml:$line:[0-9]+: .*num_retries" "$T/bad.out" || fail "no file:line:col: $(cat "$T/bad.out")"
pass "invalid value: exit 2 with file:line:col"

# Unknown key: a warning naming file:line, and it still runs.
printf '%s\n' "$(cat "$T/config.yaml")" "litellm_settings:" "  telemetry_colour: blue" >"$T/warn.yaml"
CEREBRAS_API_KEY=ck-test ZAI_API_KEY=zk-test "$SB_BIN" --headless --config "$T/warn.yaml" --port 0 >"$T/warn.log" 2>&1 &
PIDS+=($!)
url=$(wait_url "$T/warn.log") || fail "warned config did not start: $(cat "$T/warn.log")"
grep -Eq "warning: $T/warn.yaml:[0-9]+: .*telemetry_colour" "$T/warn.log" || fail "no warning for the unknown key: $(cat "$T/warn.log")"
pass "unknown key: warning with file:line, still running"

# Missing key variable: named at startup, provider skipped, requests served by the other.
ZAI_API_KEY=zk-test "$SB_BIN" --headless --config "$T/config.yaml" --port 0 >"$T/nokey.log" 2>&1 &
PIDS+=($!)
url=$(wait_url "$T/nokey.log") || fail "no-key config did not start"
grep -q "cerebras (glm-4.6): no key - set CEREBRAS_API_KEY" "$T/nokey.log" || fail "missing variable not named: $(cat "$T/nokey.log")"
wait_for curl -sf "$url/health" || fail "not healthy"
prov=$(curl -s -D - -o /dev/null -H "Authorization: Bearer sk-1234" -H 'Content-Type: application/json' "$url/v1/chat/completions" \
    -d '{"model":"glm-4.6","messages":[{"role":"user","content":"hi"}]}' | tr -d '\r' |
    awk 'tolower($1)=="x-switchboard-provider:" {print $2}')
case $prov in zai*) ;; *) fail "without a cerebras key the request went to '$prov'" ;; esac
curl -sf -H "Authorization: Bearer sk-1234" "$url/admin/state" |
    json_get "[p['status'] for p in d['providers'] if p['id']=='cerebras'][0]" | grep -q 'NO KEY' ||
    fail "cerebras not shown as NO KEY"
pass "missing key: named, skipped, served by zai"

# .env: loaded, but never overrides what the environment already has.
mkdir -p "$T/envdir"
cp "$T/config.yaml" "$T/envdir/config.yaml"
printf 'CEREBRAS_API_KEY=ck-test\nZAI_API_KEY=from-dotenv-wrong\n' >"$T/envdir/.env"
(cd "$T/envdir" && ZAI_API_KEY=zk-test exec "$SB_BIN" --headless --port 0 >"$T/env.log" 2>&1) &
PIDS+=($!)
url=$(wait_url "$T/env.log") || fail "did not start from .env dir: $(cat "$T/env.log")"
wait_for curl -sf "$url/health"
for m in glm-4.6 zai-glm-4.6; do
    code=$(curl -s -o "$T/r" -w '%{http_code}' -H "Authorization: Bearer sk-1234" -H 'Content-Type: application/json' "$url/v1/chat/completions" \
        -d "{\"model\":\"$m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
    [ "$code" = 200 ] || fail "$m with keys from .env/env got $code: $(cat "$T/r")"
done
pass ".env read (cerebras key), environment wins (zai key)"

# A low soft descriptor limit (the usual 1024, here 256) would cap the streams switchboard can
# hold; it raises its soft limit as far as the hard one allows (up to 65536).
hard=$(ulimit -Hn)
if [ "$hard" = unlimited ] || [ "$hard" -gt 256 ]; then
    (ulimit -Sn 256 && CEREBRAS_API_KEY=ck-test ZAI_API_KEY=zk-test exec "$SB_BIN" --headless \
        --config "$T/config.yaml" --port 0 >"$T/nofile.log" 2>&1) &
    pid=$!
    PIDS+=($pid)
    url=$(wait_url "$T/nofile.log") || fail "did not start with a low fd limit: $(cat "$T/nofile.log")"
    soft=$(awk '/^Max open files/ {print $4}' "/proc/$pid/limits")
    want=$([ "$hard" = unlimited ] || [ "$hard" -gt 65536 ] && echo 65536 || echo "$hard")
    [ "$soft" = "$want" ] || fail "soft fd limit $soft after start (hard $hard, want $want)"
    pass "soft fd limit raised from 256 to $soft"
else
    echo "skip: hard fd limit $hard leaves nothing to raise"
fi

# --check: validates, describes and exits without listening; invalid files exit 2 as at start.
set +e
out=$(CEREBRAS_API_KEY=ck-test "$SB_BIN" --check --env-file "$T/none.env" --config "$T/config.yaml" 2>"$T/check.err")
rc=$?
"$SB_BIN" --check --env-file "$T/none.env" --config "$T/bad.yaml" >"$T/check-bad.out" 2>&1
rc_bad=$?
set -e
[ $rc = 0 ] || fail "--check on a valid config: exit $rc: $out $(cat "$T/check.err")"
grep -q "^$T/config.yaml: valid; 3 deployments" <<<"$out" || fail "--check summary: $out"
grep -Eq '^  glm-4\.6 +cerebras +gpt-oss-120b at http://127\.0\.0\.1:[0-9]+/v1, openai API, key set from CEREBRAS_API_KEY' <<<"$out" ||
    fail "--check does not describe the cerebras deployment: $out"
grep -q 'key MISSING from ZAI_API_KEY' <<<"$out" || fail "--check does not flag the missing key: $out"
grep -q 'no key - set ZAI_API_KEY' "$T/check.err" || fail "--check does not name the variable on stderr"
grep -q '^  fallback glm-4.6 -> zai-glm-4.6$' <<<"$out" || fail "--check does not show the fallback: $out"
grep -q 'listening' <<<"$out" && fail "--check started listening"
[ $rc_bad = 2 ] || fail "--check on an invalid config: exit $rc_bad"
grep -Eq "$T/bad.yaml:[0-9]+:[0-9]+: .*num_retries" "$T/check-bad.out" || fail "--check error lacks file:line:col"
pass "--check: valid config described (exit 0), invalid one exit 2 with file:line:col"

# --help names every option the parser accepts, and every command.
help=$("$SB_BIN" --help)
opts=$(grep -oE '\{"[a-z-]+", +(no|required)_argument' "$SB_SRC/src/app/main.c" | grep -oE '"[a-z-]+"' | tr -d '"')
[ "$(wc -w <<<"$opts")" -ge 10 ] || fail "could not read the options from src/app/main.c: $opts"
for o in $opts; do grep -q -- "--$o" <<<"$help" || fail "--help does not mention --$o"; done
for cmd in claude configure-claude statusline; do
    grep -qE "^  $cmd( |$)" <<<"$help" || fail "--help does not describe the $cmd command"
done
pass "--help covers all $(wc -w <<<"$opts") options and the commands"
