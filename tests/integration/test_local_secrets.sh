#!/usr/bin/env bash
# The local side of security, against the real binary under the usual umask 022:
# - a non-loopback listen address without a real master key (none, sk-1234, under 16
#   characters) refuses to start and says why, unless --insecure; a reload cannot weaken it;
# - the --log-file and the state file are 0600 (an existing 0644 log is made 0600, and said);
#   no state file lands in /tmp (XDG_RUNTIME_DIR=/tmp is not trusted);
# - a state file that is not this user's alone is ignored: statusline and configure-claude
#   never send the master key to the URL it names;
# - control bytes a client puts in a model name reach neither the headless output nor the
#   log raw;
# - a reload reads .env afresh (nothing is cached in the environment).
source "$(dirname "$0")/lib.sh"
umask 022
start_mock cerebras openai --key ck-test
start_mock zai anthropic --key zk-test

# ---- exposure: where and with which key switchboard may listen ----
write_config "$T/config.yaml"
expose() { # expose KEY_LINE ARGS... : exit status of --check with that master_key line
    sed "s/^  master_key: .*/  master_key: $1/" "$T/config.yaml" >"$T/expose.yaml"
    shift
    local rc=0
    "$SB_BIN" --check --config "$T/expose.yaml" "$@" >"$T/expose.out" 2>"$T/expose.err" || rc=$?
    echo $rc
}
[ "$(expose null --host 0.0.0.0)" = 2 ] || fail "0.0.0.0 without a master key was not refused"
grep -q "error: switchboard would listen on 0.0.0.0, reachable from other machines, with no master key" \
    "$T/expose.err" || fail "the refusal does not say why: $(cat "$T/expose.err")"
grep -q -- "--insecure" "$T/expose.err" || fail "the refusal does not name --insecure"
[ "$(expose sk-1234 --host 0.0.0.0)" = 2 ] || fail "0.0.0.0 with sk-1234 was not refused"
grep -q "shorter than 16 characters" "$T/expose.err" || fail "sk-1234: $(cat "$T/expose.err")"
[ "$(expose sk-short-12345 --host 192.0.2.1)" = 2 ] || fail "a 14-character key on a LAN address was not refused"
[ "$(expose null --host 0.0.0.0 --insecure)" = 0 ] || fail "--insecure did not let it start: $(cat "$T/expose.err")"
grep -q "warning: --insecure: switchboard would listen on 0.0.0.0" "$T/expose.err" || fail "--insecure: no warning"
[ "$(expose sk-strong-0123456789abcdef --host 0.0.0.0)" = 0 ] || fail "a strong key was refused: $(cat "$T/expose.err")"
[ "$(expose null --host 127.0.0.1)" = 0 ] || fail "loopback without a key was refused"
[ "$(expose null --host localhost)" = 0 ] || fail "localhost without a key was refused"
LITELLM_MASTER_KEY=sk-env-strong-0123456789 expose null --host 0.0.0.0 >/dev/null
[ "$(LITELLM_MASTER_KEY=sk-env-strong-0123456789 expose null --host 0.0.0.0)" = 0 ] ||
    fail "a strong LITELLM_MASTER_KEY was not counted"
# A real start refused, and one allowed by --insecure that serves.
rc=0
"$SB_BIN" --headless --config "$T/expose.yaml" --host 0.0.0.0 --port 0 >"$T/refused.log" 2>&1 || rc=$?
[ $rc = 2 ] && ! grep -q 'listening on' "$T/refused.log" || fail "a refused start listened (exit $rc)"
pass "non-loopback without a real master key: refused with the reason (none, sk-1234, <16 chars); --insecure overrides"

# A running instance on 0.0.0.0 with a strong key: a reload to a weak key is refused.
MK=sk-strong-0123456789abcdef
sed "s/^  master_key: .*/  master_key: $MK/" "$T/config.yaml" >"$T/strong.yaml"
cp "$T/strong.yaml" "$T/config.yaml"
start_sb --host 0.0.0.0 --log-file "$T/requests.jsonl"
sed -i "s/^  master_key: .*/  master_key: sk-1234/" "$T/config.yaml"
code=$(curl -s -o "$T/b" -w '%{http_code}' -X POST -H "Authorization: Bearer $MK" \
    -H 'Content-Type: application/json' "$SB_URL/admin/reload")
[ "$code" = 422 ] && grep -q "shorter than 16 characters" "$T/b" || fail "a weakening reload: $code $(cat "$T/b")"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer sk-1234" "$SB_URL/admin/state")
[ "$code" = 401 ] || fail "after the refused reload sk-1234 got $code"
pass "a reload cannot weaken the key of an instance listening on 0.0.0.0"
kill "$SB_PID" && wait "$SB_PID" 2>/dev/null || true
cp "$T/strong.yaml" "$T/config.yaml"

# ---- file modes: the log and the state file ----
printf '{"old":"line"}\n' >"$T/old.jsonl"
chmod 644 "$T/old.jsonl"
[ "$(stat -c %a "$T/old.jsonl")" = 644 ] || fail "setup: chmod"
start_sb --log-file "$T/old.jsonl"
[ "$(stat -c %a "$T/old.jsonl")" = 600 ] || fail "an existing 0644 log file is $(stat -c %a "$T/old.jsonl")"
grep -q "warning: log file $T/old.jsonl was readable by other users (mode 644); it is now 600" "$T/switchboard.log" ||
    fail "the mode change is not told: $(head -5 "$T/switchboard.log")"
kill "$SB_PID" && wait "$SB_PID" 2>/dev/null || true
rm -f "$T/requests.jsonl"
start_sb --log-file "$T/requests.jsonl" --log-bodies
[ "$(stat -c %a "$T/requests.jsonl")" = 600 ] || fail "a new log file is $(stat -c %a "$T/requests.jsonl")"
SF=$XDG_RUNTIME_DIR/switchboard.json
[ -f "$SF" ] || fail "no state file in \$XDG_RUNTIME_DIR"
[ "$(stat -c %a "$SF")" = 600 ] || fail "the state file is $(stat -c %a "$SF")"
pass "under umask 022 the log file (new or an old 0644 one) and the state file are 0600"

# ---- control bytes from clients: escaped on the headless output and in the log ----
evil='m\u001b]0;owned\u0007\u001b[2J\u009b6n\u007f'
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $MK" -H 'Content-Type: application/json' \
    "$SB_URL/v1/chat/completions" --data-binary "{\"model\":\"$evil\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
[ "$code" = 404 ] || fail "unknown model: $code"
wait_for grep -qF 'm\x1b]0;owned\x07\x1b[2J\u009b6n\x7f' "$T/switchboard.log" ||
    fail "the model name is not escaped on the headless output: $(tail -3 "$T/switchboard.log" | od -c | head)"
wait_for grep -q '"status":404' "$T/requests.jsonl" || fail "the request is not in the log"
if LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$T/switchboard.log" "$T/requests.jsonl"; then
    fail "raw control bytes: $(LC_ALL=C grep -aP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$T/switchboard.log" "$T/requests.jsonl" | od -c | head)"
fi
python3 -c "
import json,sys
for l in open(sys.argv[1]):
    d=json.loads(l)
    if d.get('status')==404: assert d['model']=='m\x1b]0;owned\x07\x1b[2J\x9b6n\x7f', d['model']; print('ok')
" "$T/requests.jsonl" | grep -q ok || fail "the log does not keep the model name exactly"
pass "a model name with OSC, CSI, C1 and DEL bytes: escaped on the headless output and in the log"

# ---- the state file is trusted only when it is this user's alone ----
# A capture server stands for whatever URL a planted state file names.
python3 -c '
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        open(sys.argv[1], "a").write(self.headers.get("Authorization", "none") + "\n")
        b = b"{\"providers\":[],\"requests_log\":[],\"rpm\":0}"
        self.send_response(200); self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[2], "w").write(str(s.server_address[1]))
s.serve_forever()' "$T/captured.txt" "$T/capture.port" &
PIDS+=($!)
CAP_PID=$!
wait_for test -s "$T/capture.port" || fail "capture server"
cap="http://127.0.0.1:$(cat "$T/capture.port")"
cp "$SF" "$T/sf.real"
# The planted file names the capture server as its writer: its pid and its start time (field
# 22 of /proc/PID/stat), which the reader checks against pid reuse.
python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
d['url'], d['pid'] = sys.argv[2], int(sys.argv[3])
stat = open('/proc/%s/stat' % sys.argv[3]).read()
d['started'] = int(stat[stat.rindex(')') + 2:].split()[19])
open(sys.argv[1], 'w').write(json.dumps(d))" "$SF" "$cap" "$CAP_PID"
chmod 600 "$SF"
LITELLM_MASTER_KEY=$MK "$SB_BIN" statusline </dev/null >"$T/sl.out" 2>&1
grep -q "Bearer $MK" "$T/captured.txt" 2>/dev/null || fail "control: a 0600 state file was not used: $(cat "$T/sl.out")"
: >"$T/captured.txt"
chmod 666 "$SF"
LITELLM_MASTER_KEY=$MK "$SB_BIN" statusline </dev/null >"$T/sl.out" 2>&1
(cd "$T" && LITELLM_MASTER_KEY=$MK HOME=$T/h2 "$SB_BIN" configure-claude >"$T/cc.out" 2>&1) || true
[ ! -s "$T/captured.txt" ] || fail "the key went to the URL of a world-writable state file: $(cat "$T/captured.txt")"
grep -q "warning: not trusting the state file: $SF is writable by other users (mode 666)" "$T/cc.out" ||
    fail "configure-claude does not say why it ignores the file: $(cat "$T/cc.out")"
chmod 600 "$SF"
ln -sf "$SF" "$T/sf.link"
XDG_RUNTIME_DIR=$T/linkdir
mkdir -p "$XDG_RUNTIME_DIR" && ln -sf "$SF" "$XDG_RUNTIME_DIR/switchboard.json"
LITELLM_MASTER_KEY=$MK "$SB_BIN" statusline </dev/null >"$T/sl.out" 2>&1
[ ! -s "$T/captured.txt" ] || fail "the key went to the URL of a symlinked state file"
XDG_RUNTIME_DIR=$T/run
if [ "$(id -u)" = 0 ]; then
    chown 65534 "$SF"
    LITELLM_MASTER_KEY=$MK "$SB_BIN" statusline </dev/null >"$T/sl.out" 2>&1
    [ ! -s "$T/captured.txt" ] || fail "the key went to the URL of another user's state file"
    chown 0 "$SF"
fi
cp "$T/sf.real" "$SF"
chmod 600 "$SF"
pass "a state file others can write, that is a link or (as root) another user's is ignored: the key goes nowhere"
kill "$SB_PID" && wait "$SB_PID" 2>/dev/null || true

# ---- no state file in /tmp ----
tmp_files() { find /tmp -maxdepth 1 -name 'switchboard*.json' -newer "$T/config.yaml" | wc -l; }
before=$(tmp_files)
XDG_RUNTIME_DIR=/tmp start_sb
SF2=$XDG_STATE_HOME/switchboard/instance.json
[ -f "$SF2" ] || fail "with XDG_RUNTIME_DIR=/tmp the state file is not in the state dir: $(ls -la "$XDG_STATE_HOME" 2>&1)"
[ "$(stat -c %a "$SF2")" = 600 ] && [ "$(stat -c %a "$(dirname "$SF2")")" = 700 ] ||
    fail "state file $(stat -c %a "$SF2"), its directory $(stat -c %a "$(dirname "$SF2")")"
after=$(tmp_files)
[ "$after" = "$before" ] || fail "a state file appeared in /tmp"
pass "XDG_RUNTIME_DIR=/tmp (shared) is not used: the state file goes to $XDG_STATE_HOME/switchboard (~/.local/state), 0600 in 0700"
kill "$SB_PID" && wait "$SB_PID" 2>/dev/null || true

# ---- .env is read afresh on reload (never cached in the environment) ----
mkdir -p "$T/envdir"
{
    echo "model_list:"
    model_entry glm-4.6 cerebras/gpt-oss-120b "http://127.0.0.1:$CEREBRAS_PORT/v1" SBT_CEREBRAS_KEY
} >"$T/envdir/config.yaml"
printf 'SBT_CEREBRAS_KEY=wrong-key\n' >"$T/envdir/.env"
(cd "$T/envdir" && exec "$SB_BIN" --headless --port 0 >"$T/env.log" 2>&1) &
PIDS+=($!)
ENV_PID=$!
url=$(wait_url "$T/env.log") || fail "did not start from the .env dir: $(cat "$T/env.log")"
wait_for curl -sf "$url/health"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' "$url/v1/chat/completions" \
    -d '{"model":"glm-4.6","messages":[{"role":"user","content":"hi"}]}')
[ "$code" != 200 ] || fail "the wrong key from .env was accepted"
printf 'SBT_CEREBRAS_KEY=ck-test\n' >"$T/envdir/.env"
kill -HUP "$ENV_PID"
wait_for grep -q "config reloaded" "$T/env.log" || fail "no reload: $(cat "$T/env.log")"
curl -s -H 'Content-Type: application/json' -X POST "$url/admin/providers/cerebras/reset" >/dev/null
code=$(curl -s -o "$T/b" -w '%{http_code}' -H 'Content-Type: application/json' "$url/v1/chat/completions" \
    -d '{"model":"glm-4.6","messages":[{"role":"user","content":"hi"}]}')
[ "$code" = 200 ] || fail "the key changed in .env was not picked up by the reload: $code $(cat "$T/b")"
pass "a reload reads .env again: a key changed there is used"
