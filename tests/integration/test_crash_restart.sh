#!/usr/bin/env bash
# Crash resistance (issue 16). switchboard, installed and started with the command line of
# assets/switchboard.service, is killed with SIGKILL in the middle of traffic. Every request
# whose client got its whole answer has its line in the request log (the line is written
# before the answer's last bytes; only a line the kill tore may be unreadable). Started again
# at once, as Restart=on-failure does, it listens on the same port, says that the last
# instance did not exit cleanly, replaces the stale state file, and `switchboard statusline`
# and `switchboard claude` find the new instance. A state file whose pid now belongs to
# another process is stale too.
source "$(dirname "$0")/lib.sh"

UNIT=$SB_SRC/assets/switchboard.service
grep -qx 'Restart=on-failure' "$UNIT" || fail "the unit does not restart on failure"
EXEC_START=$(sed -n 's/^ExecStart=//p' "$UNIT")
case $EXEC_START in *--log-file*) ;; *) fail "the unit keeps no request log: $EXEC_START" ;; esac
CMD=${EXEC_START//%h/$HOME}
if command -v systemd-analyze >/dev/null; then
    sed "s|%h/.local/bin/switchboard|$SB_BIN|" "$UNIT" >"$T/switchboard.service"
    systemd-analyze verify "$T/switchboard.service" >"$T/verify.log" 2>&1 ||
        fail "systemd-analyze verify: $(cat "$T/verify.log")"
    [ ! -s "$T/verify.log" ] || fail "systemd-analyze verify warns: $(cat "$T/verify.log")"
fi
pass "the unit restarts on failure and keeps a request log"

# Installed as the unit's comment says, the keys in the .env it names.
start_mock cerebras openai --key ck-test
start_mock zai anthropic --key zk-test
mkdir -p "$HOME/.local/bin" "$HOME/.config/switchboard"
ln -s "$SB_BIN" "$HOME/.local/bin/switchboard"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
EXTRA_YAML=$(printf 'switchboard_settings:\n  port: %s' "$PORT") write_config "$HOME/.config/switchboard/config.yaml"
printf 'CEREBRAS_API_KEY=ck-test\nZAI_API_KEY=zk-test\n' >"$HOME/.config/switchboard/.env"
LOG=$HOME/.local/state/switchboard/switchboard.log
SB_URL=http://127.0.0.1:$PORT
STATE=$XDG_RUNTIME_DIR/switchboard.json

# run_unit N : the unit's command, as systemd runs it (no terminal); sets UNIT_PID.
run_unit() {
    eval "exec $CMD" </dev/null >"$T/unit-$1.log" 2>&1 &
    UNIT_PID=$!
    PIDS+=($UNIT_PID)
    wait_for curl -sf "$SB_URL/health" || fail "start $1 did not answer on port $PORT: $(cat "$T/unit-$1.log")"
}
state_pid() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' "$STATE"; }

run_unit 1
[ "$(state_pid)" = "$UNIT_PID" ] || fail "state file does not name the running instance"
FIRST_PID=$UNIT_PID

# Four clients, each on one keep-alive connection, alternating OpenAI answers and Anthropic
# streams until the server goes away; each prints the request id of every answer it got whole.
cat >"$T/client.py" <<'PY'
import http.client, json, sys, threading
port, out = int(sys.argv[1]), sys.argv[2]
oai = json.dumps({"model": "glm-4.6", "messages": [{"role": "user", "content": "hi"}]})
ant = json.dumps({"model": "glm-4.6", "max_tokens": 50, "stream": True,
                  "messages": [{"role": "user", "content": "hi"}]})
done, lock = [], threading.Lock()
def run():
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for i in range(100000):
        path, body = ("/v1/chat/completions", oai) if i % 2 == 0 else ("/v1/messages", ant)
        try:
            c.request("POST", path, body, {"Authorization": "Bearer sk-1234",
                                           "Content-Type": "application/json"})
            r = c.getresponse()
            data = r.read()  # the whole answer (to the end of the chunked body), or an exception
        except Exception:
            return
        rid = r.getheader("x-request-id") or r.getheader("request-id")
        whole = r.status == 200 and (path.endswith("completions") or b"message_stop" in data)
        if not whole or not rid:
            sys.exit(f"a broken answer before the kill: {r.status} {data[:200]!r}")
        with lock:
            done.append(rid)
ts = [threading.Thread(target=run) for _ in range(4)]
for t in ts: t.start()
for t in ts: t.join()
open(out, "w").write("\n".join(done) + "\n")
PY
python3 "$T/client.py" "$PORT" "$T/done.txt" 2>"$T/client.err" &
CLIENT=$!
PIDS+=($CLIENT)
enough() { [ "$(grep -c '"id"' "$LOG" 2>/dev/null)" -ge 300 ]; }
SB_WAIT=60 wait_for enough || fail "traffic did not get going"
kill -KILL "$UNIT_PID"
wait "$UNIT_PID" 2>/dev/null || true
SB_WAIT=30 wait_for sh -c "! kill -0 $CLIENT 2>/dev/null" || fail "the clients did not notice the kill"
wait "$CLIENT" || fail "a client got a broken answer: $(cat "$T/client.err")"

python3 - "$LOG" "$T/done.txt" <<'PY' || fail "request log after the kill"
import json, sys
log, done = sys.argv[1], sys.argv[2]
raw = open(log, "rb").read()
lines = raw.split(b"\n")
torn = lines.pop()  # after the last newline: empty, or a line the kill cut short
ids = set()
for ln in lines:
    o = json.loads(ln)  # every finished line is whole JSON
    if "id" in o:
        ids.add(f"req_sb{o['id']}")
got = [x for x in open(done).read().split() if x]
missing = [x for x in got if x not in ids]
if len(got) < 300 or missing:
    sys.exit(f"{len(got)} answers before the kill, {len(missing)} not in the log: {missing[:5]}")
print(f"ok: all {len(got)} answers the clients got whole are in the log "
      f"({len(ids)} request lines; torn tail: {len(torn)} bytes)")
open(log + ".torn", "w").write(str(len(torn)))
PY

# The dead instance's state file is stale: the commands must not trust it.
[ "$(state_pid)" = "$FIRST_PID" ] || fail "the state file changed after the kill"
out=$("$SB_BIN" statusline </dev/null) || fail "statusline failed after the kill"
[ -z "$out" ] || fail "statusline showed a dead instance: $out"
rc=0
"$SB_BIN" claude -p hi >"$T/claude-dead.out" 2>&1 || rc=$?
[ $rc = 1 ] && grep -q "not running" "$T/claude-dead.out" ||
    fail "claude with a dead instance: exit $rc: $(cat "$T/claude-dead.out")"
pass "a killed instance's state file is recognised as stale"

# Started again at once: same port, a note about the crash, a fresh state file.
run_unit 2
grep -q "listening on $SB_URL" "$T/unit-2.log" || fail "not on port $PORT after the restart: $(cat "$T/unit-2.log")"
! grep -q "in use" "$T/unit-2.log" || fail "the port was still taken: $(cat "$T/unit-2.log")"
grep -q "previous switchboard (pid $FIRST_PID) did not exit cleanly" "$T/unit-2.log" ||
    fail "no note about the unclean exit: $(cat "$T/unit-2.log")"
[ "$(state_pid)" = "$UNIT_PID" ] || fail "the state file still names pid $(state_pid)"
grep -q '"event":"unclean_exit"' "$LOG" || fail "the log does not record the unclean exit"
pass "restarted at once on port $PORT; the stale state file replaced"

curl -sf -H "Authorization: Bearer sk-1234" -H "Content-Type: application/json" "$SB_URL/v1/chat/completions" \
    -d '{"model":"glm-4.6","messages":[{"role":"user","content":"hi"}]}' -o /dev/null || fail "request after restart"
line=$(LANG=C.UTF-8 LC_ALL= "$SB_BIN" statusline <<<'{"session_id":"x"}')
case $line in *cerebras*) ;; *) fail "statusline after the restart: '$line'" ;; esac
mkdir -p "$T/bin"
printf '#!/bin/sh\nenv | grep ^ANTHROPIC_BASE_URL=\n' >"$T/bin/claude"
chmod +x "$T/bin/claude"
PATH="$T/bin:$PATH" "$SB_BIN" claude -p hi >"$T/claude.out" 2>&1 || fail "claude: $(cat "$T/claude.out")"
grep -qx "ANTHROPIC_BASE_URL=$SB_URL" "$T/claude.out" || fail "claude did not find the new instance: $(cat "$T/claude.out")"
python3 -c '
import json, sys
torn = int(open(sys.argv[1] + ".torn").read())
bad = []
for ln in open(sys.argv[1], "rb").read().split(b"\n")[:-1]:
    try:
        json.loads(ln)
    except ValueError:
        bad.append(ln)
# only the line the kill tore, if any, ended by the restart so the next one starts on its own
if len(bad) > (1 if torn else 0) or (bad and len(bad[0]) != torn):
    sys.exit(f"unreadable lines: {[b[:80] for b in bad]}")' "$LOG" || fail "the log after the restart is not JSON lines"
pass "statusline and claude use the restarted instance; the log goes on in whole lines"

# A state file whose pid was reused by another process (here: a mock) is stale as well.
kill -TERM "$UNIT_PID"
wait "$UNIT_PID" || fail "the restarted instance did not exit cleanly"
[ ! -e "$STATE" ] || fail "a clean exit left the state file"
MOCK_PID=${PIDS[0]}
printf '{"pid":%s,"started":1,"url":"%s","config":"x","demo":false}' "$MOCK_PID" "$SB_URL" >"$STATE"
rc=0
"$SB_BIN" claude -p hi >"$T/claude-reused.out" 2>&1 || rc=$?
[ $rc = 1 ] || fail "claude trusted a state file whose pid another process has: $(cat "$T/claude-reused.out")"
pass "a state file whose pid belongs to another process is stale"
