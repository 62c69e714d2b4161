#!/usr/bin/env bash
# Rate limits: a 429 sends the request on to Z.AI with no error for the client and cools
# Cerebras down for as long as the provider said (retry-after, else x-ratelimit-reset-*, else
# cooldown_time); when every provider is rate-limited for longer than max_wait the client gets
# a 429 with retry-after at once.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"
COOLDOWN=45
setup_faults
C=$(dep_id glm-4.6 cerebras)
Z=$(dep_id zai-glm-4.6 zai)

# served_by_zai API [stream] : one glm-4.6 request that must come back 200 from Z.AI with the
# trail naming the 429 first.
served_by_zai() {
    local api=$1 stream=${2:-} path=/v1/chat/completions body
    body=$(OAI_BODY glm-4.6 "$stream")
    [ "$api" = anthropic ] && path=/v1/messages body=$(ANT_BODY glm-4.6 "$stream")
    code=$(sb_post "$path" "$body" -D "$T/h" -o "$T/b" -w '%{http_code}')
    [ "$code" = 200 ] || fail "$api: got $code, want 200: $(head -c 300 "$T/b")"
    [ "$(header x-switchboard-provider "$T/h")" = "$Z" ] || fail "$api: served by $(header x-switchboard-provider "$T/h")"
    [ "$(header x-switchboard-attempts "$T/h")" = "$C=429,$Z=200" ] ||
        fail "$api: attempts '$(header x-switchboard-attempts "$T/h")', want '$C=429,$Z=200'"
    if [ -n "$stream" ]; then
        $CHECK "$api" <"$T/b" >/dev/null || fail "$api: fallback stream invalid: $(head -c 400 "$T/b")"
    elif [ "$api" = anthropic ]; then
        json_get "d['type']=='message' and d['content'][0]['text'].startswith('Hello from zai')" <"$T/b" |
            grep -q True || fail "anthropic answer: $(head -c 300 "$T/b")"
    else
        json_get "d['choices'][0]['message']['content'].startswith('Hello from zai')" <"$T/b" |
            grep -q True || fail "openai answer: $(head -c 300 "$T/b")"
    fi
}

# cooldown_in LO HI : Cerebras is in COOLDOWN with remaining seconds in [LO, HI].
cooldown_in() {
    local st rem
    st=$(dep_field "$C" status)
    rem=$(dep_field "$C" remaining_s)
    [ "$st" = COOLDOWN ] || fail "cerebras status $st, want COOLDOWN"
    in_range "$rem" "$1" "$2" || fail "cerebras cooldown remaining $rem, want $1..$2"
    echo "$rem"
}

# ---- 429 with retry-after ----
mock_fault cerebras 429:25
served_by_zai openai
rem=$(cooldown_in 8 25)
mock_fault cerebras none
before=$(mstat cerebras requests)
code=$(sb_post /v1/messages "$(ANT_BODY glm-4.6)" -D "$T/h" -o /dev/null -w '%{http_code}')
[ "$code" = 200 ] && [ "$(header x-switchboard-provider "$T/h")" = "$Z" ] || fail "cooldown did not send the request to zai"
[ "$(mstat cerebras requests)" = "$before" ] || fail "cerebras was called during its cooldown"
pass "429 retry-after: 25 -> client 200 from zai, cerebras COOLDOWN ${rem}s and untouched"

reset_all
mock_fault cerebras 429:25
served_by_zai anthropic
reset_all
served_by_zai anthropic stream
reset_all
served_by_zai openai stream
pass "429 before the first byte: both APIs, streaming and not, fall back cleanly"

# ---- 429 with only x-ratelimit-reset-* (the mock says 9.5 s) ----
reset_all
mock_fault cerebras 429_reset
served_by_zai openai
rem=$(cooldown_in 0.01 10)
pass "429 with x-ratelimit-reset-* only: cooldown ${rem}s (header 9.5)"

# ---- 429 with neither: cooldown_time from the config ----
reset_all
mock_fault cerebras 429_plain
served_by_zai anthropic
rem=$(cooldown_in 25 $COOLDOWN)
pass "429 with neither header: cooldown ${rem}s (cooldown_time $COOLDOWN)"

# ---- both rate-limited, for longer than max_wait (20 s): no waiting ----
reset_all
mock_fault cerebras 429:40
mock_fault zai 429:50
for api in openai anthropic; do
    reset_all
    path=/v1/chat/completions body=$(OAI_BODY glm-4.6)
    [ $api = anthropic ] && path=/v1/messages body=$(ANT_BODY glm-4.6)
    code=$(sb_post "$path" "$body" -D "$T/h" -o "$T/b" -w '%{http_code}' --max-time 30)
    [ "$code" = 429 ] || fail "both 429 ($api): got $code: $(head -c 300 "$T/b")"
    ra=$(header retry-after "$T/h")
    in_range "${ra:-0}" 1 50 || fail "both 429 ($api): retry-after '$ra'"
    [ "$(header x-switchboard-attempts "$T/h")" = "$C=429,$Z=429" ] ||
        fail "both 429 ($api): attempts $(header x-switchboard-attempts "$T/h")"
    if [ $api = anthropic ]; then is_anthropic_error "$T/b"; else is_openai_error "$T/b"; fi ||
        fail "both 429 ($api): not an $api error: $(cat "$T/b")"
    # Both cool down now: the next request is refused at once without calling anyone.
    before=$(($(mstat cerebras requests) + $(mstat zai requests)))
    code=$(sb_post "$path" "$body" -D "$T/h" -o "$T/b" -w '%{http_code}' --max-time 30)
    [ "$code" = 429 ] || fail "both cooling down ($api): got $code"
    ra=$(header retry-after "$T/h")
    in_range "${ra:-0}" 1 40 || fail "both cooling down ($api): retry-after '$ra', want the earliest reset (<= 40)"
    after=$(($(mstat cerebras requests) + $(mstat zai requests)))
    [ "$before" = "$after" ] || fail "a provider was called while both cool down"
done
pass "both rate-limited: 429 with retry-after in the client's format; then refused without a call"

mock_fault cerebras none
mock_fault zai none
reset_all
settle cerebras zai
alive
stop_sb_clean
pass "nothing left in flight; clean exit"
