#!/usr/bin/env bash
# Lineup churn, end to end: the seed's 2025 config (assets/config.seed-2025.yaml, its api_base
# lines pointed at the mocks and nothing else changed) against providers with today's lineup.
# Its Cerebras model is MODEL GONE from the first discovery (--check --online, the headless
# line, /admin/state, /metrics), clients see no error and Cerebras no attempt; a failed
# discovery changes nothing; the model comes back when a list names it again, goes at once
# when traffic gets a 404 model_not_found, and one call to the admin API (what m does) writes
# today's model into the file, with comments and a backup kept, after which Cerebras serves.
source "$(dirname "$0")/lib.sh"

start_mock cerebras openai --key ck-test
start_mock zai anthropic --key zk-test

seed_config "$T/config.yaml"
cp "$T/config.yaml" "$T/config.orig"

# --check --online: one discovery, each deployment's verdict, exit 1 for a primary gone
set +e
out=$(CEREBRAS_API_KEY=ck-test ZAI_API_KEY=zk-test "$SB_BIN" --check --online --config "$T/config.yaml" 2>"$T/check.err")
rc=$?
set -e
[ $rc = 1 ] || fail "--check --online exit $rc, want 1: $out"
grep -q '^  glm-4.6 .* cerebras .* zai-glm-4.6: GONE' <<<"$out" || fail "no GONE verdict: $out"
grep -q 'offered: gpt-oss-120b (131072-token context), gemma-4-31b' <<<"$out" || fail "offered list: $out"
grep -q "write at $T/config.yaml:11:  model: cerebras/gpt-oss-120b" <<<"$out" || fail "no line to write: $out"
grep -q 'glm-4.5-air: offered' <<<"$out" || fail "the Z.AI deployments are not offered: $out"
[ "$(mock_stat cerebras requests)" = 0 ] || fail "--check --online spent a completion"
pass "--check --online: Cerebras' zai-glm-4.6 GONE, offered gpt-oss-120b and gemma-4-31b, the line to write, exit 1"

start_sb
wait_for grep -q 'cerebras MODEL GONE: zai-glm-4.6 is not offered; offered: gpt-oss-120b, gemma-4-31b' \
    "$T/switchboard.log" || fail "no MODEL GONE line: $(cat "$T/switchboard.log")"
pass "headless: cerebras MODEL GONE with the offered models, before any request"

state() { curl -sf -H "Authorization: Bearer sk-1234" "$SB_URL/admin/state"; }
cerebras_field() { state | json_get "[p for p in d['providers'] if p['id']=='cerebras'][0]$1"; }

# Traffic: every request served by the fallback, none tried on Cerebras
for i in $(seq 1 6); do
    code=$(sb_post /v1/messages '{"model":"claude-sonnet-4-5","max_tokens":200,"messages":[{"role":"user","content":"hi"}]}' \
        -o /dev/null -w '%{http_code}')
    [ "$code" = 200 ] || fail "request $i: HTTP $code"
    code=$(sb_post /v1/chat/completions '{"model":"glm-4.6","stream":true,"messages":[{"role":"user","content":"hi"}]}' \
        -o /dev/null -w '%{http_code}')
    [ "$code" = 200 ] || fail "stream $i: HTTP $code"
done
[ "$(mock_stat cerebras requests)" = 0 ] || fail "Cerebras got $(mock_stat cerebras requests) attempts for a gone model"
[ "$(cerebras_field "['status']")" = "MODEL GONE" ] || fail "state: $(cerebras_field '')"
[ "$(cerebras_field "['lineup']['offered']")" = "['gpt-oss-120b', 'gemma-4-31b']" ] ||
    fail "state offered: $(cerebras_field "['lineup']")"
[ "$(cerebras_field "['model_gone']")" = True ] || fail "model_gone not set"
curl -sf -H "Authorization: Bearer sk-1234" "$SB_URL/metrics" >"$T/metrics.txt"
grep -q '^switchboard_provider_model_gone{provider="cerebras",model="zai-glm-4.6"} 1$' "$T/metrics.txt" ||
    fail "metrics: $(grep model_gone "$T/metrics.txt")"
grep -q '^switchboard_provider_model_offered{provider="cerebras",model="gpt-oss-120b"} 1$' "$T/metrics.txt" ||
    fail "metrics lack the offered models"
grep -q '^switchboard_provider_status{provider="cerebras",status="model_gone"} 1$' "$T/metrics.txt" ||
    fail "metrics status"
python3 "$SB_SRC/tests/integration/prom_check.py" <"$T/metrics.txt" || fail "metrics are not valid Prometheus text"
pass "12 requests: 0 client errors, 0 Cerebras attempts; /admin/state and /metrics say MODEL GONE with the offered models"

# A discovery that fails (the provider's list answers 503) changes nothing
curl -sf -X POST "http://127.0.0.1:$CEREBRAS_PORT/_mock/lineup" -d '{"fail":503}' >/dev/null
sb_post /admin/reload '{}' -o /dev/null
wait_for sh -c "curl -sf -H 'Authorization: Bearer sk-1234' $SB_URL/admin/state | grep -q 'HTTP 503'" ||
    fail "the failed discovery was not recorded: $(cerebras_field "['lineup']")"
[ "$(cerebras_field "['status']")" = "MODEL GONE" ] || fail "a failed discovery changed the status"
[ "$(cerebras_field "['lineup']['offered']")" = "['gpt-oss-120b', 'gemma-4-31b']" ] || fail "a failed discovery changed the list"
pass "a failed discovery (503) changes nothing and says why"

# The provider lists the model again: it comes back by itself at the next discovery
curl -sf -X POST "http://127.0.0.1:$CEREBRAS_PORT/_mock/lineup" \
    -d '{"fail":0,"models":["gpt-oss-120b","gemma-4-31b","zai-glm-4.6"]}' >/dev/null
sb_post /admin/reload '{}' -o /dev/null
wait_for sh -c "[ \"\$(curl -sf -H 'Authorization: Bearer sk-1234' $SB_URL/admin/state | python3 -c \"import json,sys; print([p['status'] for p in json.load(sys.stdin)['providers'] if p['id']=='cerebras'][0])\")\" = READY ]" ||
    fail "not back when listed again: $(cerebras_field "['status']")"
who=$(sb_post /v1/chat/completions '{"model":"glm-4.6","messages":[{"role":"user","content":"hi"}]}' -D - -o /dev/null |
    tr -d '\r' | awk 'tolower($1)=="x-switchboard-provider:" {print $2}')
[ "$who" = cerebras ] || fail "back, but not serving: $who"
pass "listed again: READY and serving"

# Retired meanwhile: the first request's 404 model_not_found makes it gone at once (no wait
# for discovery), the client is served by the fallback, and no later request tries it
curl -sf -X POST "http://127.0.0.1:$CEREBRAS_PORT/_mock/lineup" -d '{"models":["gpt-oss-120b","gemma-4-31b"]}' >/dev/null
for i in 1 2 3 4; do
    code=$(sb_post /v1/messages '{"model":"glm-4.6","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}' \
        -o /dev/null -w '%{http_code}')
    [ "$code" = 200 ] || fail "request after the retirement: HTTP $code"
done
[ "$(mock_stat cerebras model_refused)" = 1 ] || fail "Cerebras was asked $(mock_stat cerebras model_refused) times for the retired model"
[ "$(cerebras_field "['status']")" = "MODEL GONE" ] || fail "not gone after the 404"
[ "$(cerebras_field "['lineup']['refused_in_traffic']")" = True ] || fail "the refusal is not recorded"
pass "404 model_not_found in traffic: MODEL GONE at once, one attempt, 0 client errors"

# One call (what m does on the card): today's model written into the file, then reloaded
out=$(sb_post /admin/providers/cerebras/model '{"model":"gpt-oss-120b"}')
json_get "d['ok']" <<<"$out" | grep -qx True || fail "set model: $out"
grep -q 'backup' <<<"$out" || fail "no backup named: $out"
diff "$T/config.orig" "$T/config.yaml.bak" >/dev/null || fail "the backup is not the file as it was"
diff "$T/config.orig" "$T/config.yaml" >"$T/edit.diff" || true
[ "$(grep -c '^[<>]' "$T/edit.diff")" = 2 ] || fail "more than the model line changed: $(cat "$T/edit.diff")"
grep -q '^> *model: cerebras/gpt-oss-120b$' "$T/edit.diff" || fail "edit: $(cat "$T/edit.diff")"
wait_for sh -c "curl -sf -H 'Authorization: Bearer sk-1234' $SB_URL/admin/state | grep -q '\"model\":\"gpt-oss-120b\"'" ||
    fail "not reloaded"
[ "$(cerebras_field "['status']")" = READY ] || fail "after the fix: $(cerebras_field "['status']")"
who=$(sb_post /v1/chat/completions '{"model":"glm-4.6","messages":[{"role":"user","content":"hi"}]}' -D - -o /dev/null |
    tr -d '\r' | awk 'tolower($1)=="x-switchboard-provider:" {print $2}')
[ "$who" = cerebras ] || fail "Cerebras does not serve after the fix: $who"
pass "model set to gpt-oss-120b in config.yaml in place (one line changed, backup written), reloaded, Cerebras serves"

# The file changed on disk since it was loaded: refused, nothing written
echo "# edited by hand" >>"$T/config.yaml"
code=$(sb_post /admin/providers/cerebras/model '{"model":"gemma-4-31b"}' -o "$T/refused.json" -w '%{http_code}')
[ "$code" = 422 ] || fail "edit over a changed file: HTTP $code"
grep -q 'changed on disk since it was loaded' "$T/refused.json" || fail "refusal: $(cat "$T/refused.json")"
grep -q 'gpt-oss-120b' "$T/config.yaml" && ! grep -q 'gemma-4-31b' "$T/config.yaml" || fail "the file was written"
code=$(sb_post /admin/providers/nobody/model '{"model":"x"}' -o /dev/null -w '%{http_code}')
[ "$code" = 404 ] || fail "unknown deployment: HTTP $code"
pass "refused with a clear message when the file changed on disk; 404 for an unknown deployment"

# Periodic discovery, without a reload: a second instance asking every second
kill "$SB_PID"
wait "$SB_PID" 2>/dev/null || true
cp "$T/config.orig" "$T/config.yaml"
printf 'switchboard_settings:\n  discovery_interval: 1\n' >>"$T/config.yaml"
start_sb
wait_for grep -q 'cerebras MODEL GONE' "$T/switchboard.log" || fail "not gone at start"
curl -sf -X POST "http://127.0.0.1:$CEREBRAS_PORT/_mock/lineup" \
    -d '{"models":["gpt-oss-120b","zai-glm-4.6"]}' >/dev/null
wait_for grep -q 'cerebras READY' "$T/switchboard.log" || fail "not back by itself: $(tail -5 "$T/switchboard.log")"
pass "discovery every discovery_interval brings a listed model back without a reload"
