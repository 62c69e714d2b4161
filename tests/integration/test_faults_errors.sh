#!/usr/bin/env bash
# Provider failures before the answer: 5xx (quick retries, then cooldown and fallback), refused
# connections, hosts that do not resolve, a first byte later than the timeout, a 200 that is
# not JSON, an answer far too large, both providers down, and a provider that flaps. The
# client gets a 200 from the fallback, or a clear 5xx in its own format at once.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"
EXTRA_PARAMS='      timeout: 3
      stream_timeout: 1'
SB_EXTRA='  connect_timeout: 5'
setup_faults
C=$(dep_id glm-4.6 cerebras)
Z=$(dep_id zai-glm-4.6 zai)

# request API GROUP [curl args] : one non-streamed request; status in CODE, headers in $T/h,
# body in $T/b, wall time in ELAPSED_MS.
request() {
    local api=$1 group=$2 path=/v1/chat/completions body
    shift 2
    body=$(OAI_BODY "$group")
    [ "$api" = anthropic ] && path=/v1/messages body=$(ANT_BODY "$group")
    local t0
    t0=$(date +%s%N)
    CODE=$(sb_post "$path" "$body" -D "$T/h" -o "$T/b" -w '%{http_code}' --max-time 60 "$@") || true
    ELAPSED_MS=$((($(date +%s%N) - t0) / 1000000))
}

# from_zai API WANT_TRAIL_REGEX : the last request was served by Z.AI with that trail.
from_zai() {
    local trail
    trail=$(header x-switchboard-attempts "$T/h")
    [ "$CODE" = 200 ] || fail "$1: got $CODE, want 200: $(head -c 300 "$T/b")"
    [ "$(header x-switchboard-provider "$T/h")" = "$Z" ] || fail "$1: served by $(header x-switchboard-provider "$T/h")"
    [[ $trail =~ ^$2$ ]] || fail "$1: attempts '$trail' do not match '$2'"
    if [ "$1" = anthropic ]; then
        json_get "d['content'][0]['text'].startswith('Hello from zai')" <"$T/b" | grep -q True
    else
        json_get "d['choices'][0]['message']['content'].startswith('Hello from zai')" <"$T/b" | grep -q True
    fi || fail "$1: not Z.AI's answer: $(head -c 300 "$T/b")"
}

client_error() { # API STATUS_REGEX
    [[ $CODE =~ ^$2$ ]] || fail "$1: got $CODE, want $2: $(head -c 300 "$T/b")"
    if [ "$1" = anthropic ]; then is_anthropic_error "$T/b"; else is_openai_error "$T/b"; fi ||
        fail "$1: not an $1 error: $(head -c 300 "$T/b")"
}

# ---- 500/502/503/529: quick retries, cooldown (allowed_fails 1), fallback ----
api=openai
for code in 500 502 503 529; do
    reset_all
    mock_fault cerebras "$code"
    before=$(mstat cerebras requests)
    request $api glm-4.6
    from_zai $api "($C=$code,){2,3}$Z=200"
    n=$(grep -o "$C=$code" <<<"$(header x-switchboard-attempts "$T/h")" | wc -l)
    [ $(($(mstat cerebras requests) - before)) = "$n" ] || fail "$code: trail says $n cerebras attempts, mock saw $(($(mstat cerebras requests) - before))"
    [ "$(dep_field "$C" status)" = COOLDOWN ] || fail "$code: cerebras not cooling down: $(dep_field "$C" status)"
    pass "$code ($api): $n quick attempts, cerebras COOLDOWN, 200 from zai: $(header x-switchboard-attempts "$T/h")"
    api=$([ $api = openai ] && echo anthropic || echo openai)
done
# With failures allowed, every quick retry is used (num_retries 2: three attempts) and the
# deployment stays up.
ALLOWED_FAILS=10 write_fault_config "$T/config.yaml"
admin_post reload || fail "reload with allowed_fails 10 failed"
reset_all
mock_fault cerebras 502
request anthropic glm-4.6
from_zai anthropic "$C=502,$C=502,$C=502,$Z=200"
[ "$(dep_field "$C" status)" = READY ] || fail "cerebras cooling down below allowed_fails: $(dep_field "$C" status)"
write_fault_config "$T/config.yaml"
admin_post reload || fail "reload back to allowed_fails 1 failed"
pass "allowed_fails 10: 1 + num_retries (2) attempts, then zai; cerebras stays READY"
mock_fault cerebras none

# ---- connection refused, host that does not resolve ----
for g in refused nxdomain; do
    for api in openai anthropic; do
        reset_all
        request $api "$g"
        from_zai $api "($(dep_id "$g" cerebras)=connect,){1,3}$Z=200"
        [ $ELAPSED_MS -lt 30000 ] || fail "$g ($api) took ${ELAPSED_MS}ms"
    done
    pass "$g: falls back to zai (${ELAPSED_MS}ms)"
done

# ---- first byte later than the timeout (stream_timeout 1 s, the mock waits 30 s) ----
reset_all
mock_fault cerebras slow
a0=$(mstat cerebras aborted)
request anthropic glm-4.6
from_zai anthropic "($C=timeout,){1,3}$Z=200"
[ $ELAPSED_MS -lt 20000 ] || fail "slow first byte: ${ELAPSED_MS}ms, the timeout is 1 s"
n=$(grep -o "$C=timeout" <<<"$(header x-switchboard-attempts "$T/h")" | wc -l)
settle cerebras
expect_aborted cerebras $((a0 + n))
pass "first byte after the timeout: $n timeouts, each upstream request aborted, 200 from zai"

# ---- a 200 whose body is not JSON ----
reset_all
mock_fault cerebras not_json
request openai glm-4.6
from_zai openai "($C=protocol,){1,3}$Z=200"
pass "200 with a non-JSON body: falls back"

# ---- an answer far larger than any sane reply (64 MiB of text) ----
reset_all
mock_fault cerebras huge
request anthropic glm-4.6
[ $ELAPSED_MS -lt 60000 ] || fail "huge answer took ${ELAPSED_MS}ms"
if [ "$CODE" = 200 ]; then
    from_zai anthropic "($C=[a-z]+,){1,3}$Z=200"
else
    client_error anthropic '5[0-9][0-9]'
fi
settle cerebras
pass "huge answer: $CODE (attempts $(header x-switchboard-attempts "$T/h"))"
mock_fault cerebras none

# ---- both providers down ----
mock_fault cerebras 500
mock_fault zai 500
for api in openai anthropic; do
    reset_all
    request $api glm-4.6
    client_error $api '50[0-9]'
    [ $ELAPSED_MS -lt 30000 ] || fail "both down ($api) took ${ELAPSED_MS}ms"
    [[ $(header x-switchboard-attempts "$T/h") =~ $C=500.*$Z=500 ]] || fail "both down: attempts $(header x-switchboard-attempts "$T/h")"
    request $api glm-4.6 # both cool down now: refused without a call, never a hang
    client_error $api '503'
    [ -n "$(header retry-after "$T/h")" ] || fail "both cooling down: no retry-after"
done
# Z.AI's 503 carries its business code 1305 (overloaded), which protocol.md classes with
# rate limits: the client may see that 429 (with retry-after) or a 5xx, but at once.
mock_fault cerebras 503
mock_fault zai 503
for api in openai anthropic; do
    reset_all
    request $api glm-4.6
    client_error $api '429|50[0-9]'
    [ "$CODE" != 429 ] || [ -n "$(header retry-after "$T/h")" ] || fail "both 503 ($api): 429 without retry-after"
    [ $ELAPSED_MS -lt 30000 ] || fail "both 503 ($api) took ${ELAPSED_MS}ms"
done
mock_fault cerebras none
mock_fault zai none
for api in openai anthropic; do
    reset_all
    request $api all-refused
    client_error $api '50[0-9]'
    [ $ELAPSED_MS -lt 30000 ] || fail "all refused ($api) took ${ELAPSED_MS}ms"
done
pass "both down (500s, 503s, refused): a clear error in the client's format, at once"

# ---- a provider that flaps every 2 s: ten seconds of sequential requests, no error ----
COOLDOWN=1 write_fault_config "$T/config.yaml"
admin_post reload || fail "reload with cooldown_time 1 failed"
reset_all
mock_fault cerebras flap
ok=0 served_c=0 end=$((SECONDS + 10))
while [ $SECONDS -lt $end ]; do
    request openai glm-4.6
    [ "$CODE" = 200 ] || fail "flap: request $((ok + 1)) got $CODE: $(head -c 300 "$T/b")"
    [ "$(header x-switchboard-provider "$T/h")" = "$C" ] && served_c=$((served_c + 1))
    ok=$((ok + 1))
done
mock_fault cerebras none
[ $ok -ge 3 ] || fail "flap: only $ok requests in 10 s"
pass "flapping provider: $ok sequential requests, 0 errors ($served_c served by cerebras)"

settle cerebras zai
alive
stop_sb_clean
pass "nothing left in flight; clean exit"
