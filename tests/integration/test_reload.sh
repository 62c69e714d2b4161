#!/usr/bin/env bash
# Live reload by SIGHUP and POST /admin/reload: a valid change takes effect (a new model group,
# a new rpm); an invalid file keeps the old config running and says file:line (422 from the
# admin API, the log for SIGHUP); reloads during traffic cost no request; a deployment that did
# not change keeps its counters and its cooldown; a key added to .env reaches a reload.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"
start_mock cerebras openai --key ck-test
start_mock zai anthropic --key zk-test

# config : writes $T/config.yaml; CER_PARAMS / ZAI_PARAMS go into a deployment's
# litellm_params, EXTRA_MODELS after the model_list entries.
config() {
    {
        echo "model_list:"
        cerebras_entry glm-4.6
        printf '%s\n' "${CER_PARAMS:-}"
        zai_entry zai-glm-4.6 glm-4.6
        printf '%s\n' "${ZAI_PARAMS:-}" "${EXTRA_MODELS:-}"
        cat <<YAML
router_settings:
  fallbacks: [{"glm-4.6": ["zai-glm-4.6"]}]
  allowed_fails: 1
  cooldown_time: 60
  num_retries: 2
general_settings:
  master_key: sk-1234
YAML
    } >"$T/config.yaml.new"
    mv "$T/config.yaml.new" "$T/config.yaml" # a reader never sees half a file
}
NEW_GROUP='  - model_name: new-group
    litellm_params:
      model: anthropic/glm-4.5-air
      api_base: http://127.0.0.1:'
config
echo "# keys added later" >"$T/reload.env"
start_sb --env-file "$T/reload.env"

models() { curl -sf "${ADMIN[@]}" "$SB_URL/v1/models" | json_get "' '.join(m['id'] for m in d['data'])"; }
has_model() { models | tr ' ' '\n' | grep -qx "$1"; }
reload() { curl -s "${ADMIN[@]}" -H 'Content-Type: application/json' -X POST "$SB_URL/admin/reload" -o "$T/reload.json" -w '%{http_code}'; }
served_by() {
    sb_post /v1/chat/completions "$(OAI_BODY "$1")" -D "$T/h.txt" -o /dev/null -f --max-time 60 ||
        fail "request for $1 failed"
    header x-switchboard-provider "$T/h.txt"
}

# ---- valid changes ----
has_model new-group && fail "new-group before the reload"
EXTRA_MODELS="${NEW_GROUP}${ZAI_PORT}/api/anthropic
      api_key: os.environ/ZAI_API_KEY" config
kill -HUP "$SB_PID"
wait_for has_model new-group || fail "SIGHUP: new-group never appeared in /v1/models"
wait_for grep -q "config reloaded from" "$T/switchboard.log" || fail "SIGHUP reload not reported"
by=$(served_by new-group)
[ "$by" = "$(dep_id new-group zai)" ] || fail "new-group served by '$by'"
pass "SIGHUP: a new model group appears in /v1/models and serves"

KEEP_EXTRA="${NEW_GROUP}${ZAI_PORT}/api/anthropic
      api_key: os.environ/ZAI_API_KEY"
ZAI_ID=$(dep_id zai-glm-4.6 zai)
CER_PARAMS="      rpm: 2" EXTRA_MODELS=$KEEP_EXTRA config
[ "$(reload)" = 200 ] || fail "admin reload of a valid file: $(cat "$T/reload.json")"
[ "$(dep_field cerebras rpm_limit)" = 2 ] || fail "rpm_limit $(dep_field cerebras rpm_limit) after reload"
[ "$(served_by glm-4.6)" = cerebras ] || fail "request 1 not on cerebras"
[ "$(served_by glm-4.6)" = cerebras ] || fail "request 2 not on cerebras"
[ "$(served_by glm-4.6)" = "$ZAI_ID" ] || fail "request 3 not on zai: the new rpm 2 did not hold"
[ "$(dep_field cerebras status)" = "RPM FULL" ] || fail "cerebras $(dep_field cerebras status), want RPM FULL"
pass "POST /admin/reload: a changed rpm takes effect"

# ---- invalid files ----
CER_PARAMS="      rpm: lots" EXTRA_MODELS=$KEEP_EXTRA config
LINE=$(grep -n 'rpm: lots' "$T/config.yaml" | cut -d: -f1)
[ "$(reload)" = 422 ] || fail "admin reload of an invalid file: $(cat "$T/reload.json")"
json_get "d['error']['message']" <"$T/reload.json" | grep -q "config.yaml:$LINE:" ||
    fail "422 message lacks config.yaml:$LINE: $(cat "$T/reload.json")"
has_model new-group || fail "old config lost after a failed reload"
[ "$(dep_field cerebras rpm_limit)" = 2 ] || fail "old rpm lost after a failed reload"
alive
pass "invalid file via admin: 422 with file:line, the old config keeps serving"

kill -HUP "$SB_PID"
wait_for grep -q "reload failed, keeping the running config: .*config.yaml:$LINE:" "$T/switchboard.log" ||
    fail "SIGHUP with an invalid file did not log file:line"
kill -0 "$SB_PID" || fail "switchboard died on an invalid file"
has_model new-group || fail "old config lost after a failed SIGHUP reload"
alive
pass "invalid file via SIGHUP: the error with file:line in the log, the old config keeps serving"

# ---- reloads during traffic ----
EXTRA_MODELS=$KEEP_EXTRA config
[ "$(reload)" = 200 ] || fail "reload back to a valid file"
python3 - "$SB_URL" >"$T/traffic.json" <<'PY' &
import http.client, json, sys, threading, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
bodies = [
    ("/v1/chat/completions", {"model": "glm-4.6", "max_tokens": 30, "messages": [{"role": "user", "content": "hi"}]}),
    ("/v1/chat/completions", {"model": "glm-4.6", "max_tokens": 30, "stream": True, "messages": [{"role": "user", "content": "hi"}]}),
    ("/v1/messages", {"model": "zai-glm-4.6", "max_tokens": 30, "messages": [{"role": "user", "content": "hi"}]}),
    ("/v1/messages", {"model": "glm-4.6", "max_tokens": 30, "stream": True, "messages": [{"role": "user", "content": "hi"}]}),
]
errors, done, lock = [], [0], threading.Lock()
def worker(k):
    for i in range(25):
        path, body = bodies[(k + i) % len(bodies)]
        try:
            c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
            c.request("POST", path, json.dumps(body), {"Authorization": "Bearer sk-1234", "Content-Type": "application/json"})
            r = c.getresponse()
            data = r.read()
            ok = r.status == 200 and (not body.get("stream") or b"[DONE]" in data or b"message_stop" in data)
            if not ok:
                with lock:
                    errors.append(f"{r.status} {data[:200]!r}")
        except Exception as e:
            with lock:
                errors.append(repr(e))
        with lock:
            done[0] += 1
ts = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
for t in ts: t.start()
for t in ts: t.join()
print(json.dumps({"done": done[0], "errors": errors}))
PY
TRAFFIC=$!
for i in 1 2 3 4 5 6 7 8; do
    if [ $((i % 2)) = 0 ]; then
        CER_PARAMS="      rpm: $((100 + i))" EXTRA_MODELS=$KEEP_EXTRA config
        [ "$(reload)" = 200 ] || fail "reload $i during traffic: $(cat "$T/reload.json")"
    else
        ZAI_PARAMS="      timeout: $((300 + i))" EXTRA_MODELS=$KEEP_EXTRA config
        kill -HUP "$SB_PID"
    fi
    sleep 0.3
done
wait "$TRAFFIC" || fail "traffic generator failed"
json_get "d['done']" <"$T/traffic.json" | grep -qx 100 || fail "traffic incomplete: $(cat "$T/traffic.json")"
json_get "len(d['errors'])" <"$T/traffic.json" | grep -qx 0 || fail "client errors during reloads: $(cat "$T/traffic.json")"
settle cerebras zai
pass "8 reloads (SIGHUP and admin) during 100 requests: 0 client errors"

# ---- unchanged deployments keep counters and cooldowns ----
EXTRA_MODELS=$KEEP_EXTRA config
[ "$(reload)" = 200 ] || fail "reload to the base config"
admin_post providers/cerebras/reset || fail "reset cerebras"
mock_fault cerebras 429:120
[ "$(served_by glm-4.6)" = "$ZAI_ID" ] || fail "429 did not fall back"
[ "$(dep_field cerebras status)" = COOLDOWN ] || fail "cerebras not in COOLDOWN"
req_before=$(dep_field cerebras requests)
rl_before=$(dep_field cerebras rate_limited)
zai_before=$(dep_field "$ZAI_ID" requests)
ZAI_PARAMS="      rpm: 500" EXTRA_MODELS=$KEEP_EXTRA config
[ "$(reload)" = 200 ] || fail "reload changing only zai"
[ "$(dep_field "$ZAI_ID" rpm_limit)" = 500 ] || fail "zai change not applied"
[ "$(dep_field cerebras status)" = COOLDOWN ] || fail "cerebras lost its cooldown: $(dep_field cerebras status)"
in_range "$(dep_field cerebras remaining_s)" 1 120 || fail "cooldown remaining $(dep_field cerebras remaining_s)"
[ "$(dep_field cerebras requests)" = "$req_before" ] || fail "cerebras request counter changed"
[ "$(dep_field cerebras rate_limited)" = "$rl_before" ] || fail "cerebras 429 counter changed"
[ "$(dep_field "$ZAI_ID" requests)" = "$zai_before" ] || fail "zai counters lost"
before=$(mock_stat cerebras requests)
[ "$(served_by glm-4.6)" = "$ZAI_ID" ] || fail "cooldown not honoured after the reload"
[ "$(mock_stat cerebras requests)" = "$before" ] || fail "cerebras asked during its cooldown"
mock_fault cerebras none
pass "a reload that changes only zai keeps cerebras in COOLDOWN with its counters"

# ---- a key added to .env is picked up by a reload ----
# (read into the new config, never into the process environment: setenv while worker threads
# call getenv is undefined behaviour; tests/unit/test_env.c checks env_vars/env_lookup)
EXTRA_MODELS="$KEEP_EXTRA
  - model_name: env-group
    litellm_params:
      model: anthropic/glm-4.5-air
      api_base: http://127.0.0.1:$ZAI_PORT/api/anthropic
      api_key: os.environ/SB_RELOAD_ZAI_KEY" config
[ "$(reload)" = 200 ] || fail "reload with a key not yet set: $(cat "$T/reload.json")"
ENV_ID=$(dep_id env-group zai)
[ "$(dep_field "$ENV_ID" status)" = "NO KEY" ] || fail "env-group without its key: $(dep_field "$ENV_ID" status)"
echo "SB_RELOAD_ZAI_KEY=zk-test" >>"$T/reload.env"
[ "$(reload)" = 200 ] || fail "reload after adding the key: $(cat "$T/reload.json")"
[ "$(served_by env-group)" = "$ENV_ID" ] || fail "env-group does not serve with the key from .env"
pass "a key added to .env serves after a reload"
