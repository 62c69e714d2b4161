#!/usr/bin/env bash
# Bad input beyond test_bad_input.sh: huge and many headers, wrong methods on every endpoint,
# clients that send a byte per second while others are served, and a wrong type in every field
# the translators read. Each gets a clear 4xx; the server keeps serving throughout.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"
HERE=$(dirname "$0")
setup_faults

# ---- a 100 KB header value, and 200 headers ----
python3 -c 'print("X-Big: " + "a" * 100000)' >"$T/big.hdr"
for i in $(seq 1 200); do echo "X-Many-$i: value $i"; done >"$T/many.hdr"
for ep in "/v1/messages anthropic" "/v1/chat/completions openai"; do
    set -- $ep
    path=$1 api=$2
    body=$(OAI_BODY glm-4.6)
    [ $api = anthropic ] && body=$(ANT_BODY glm-4.6)
    code=$(curl -s -o "$T/b" -w '%{http_code}' -H "Authorization: Bearer sk-1234" -H @"$T/big.hdr" \
        -X POST "$SB_URL$path" --data-binary "$body" --max-time 30) || true
    [[ $code =~ ^4[0-9][0-9]$ ]] || fail "$path with a 100 KB header: $code"
    # civetweb refuses it before the path is read, so the body is in the shape both SDKs read:
    # Anthropic's, whose error.message the OpenAI SDKs take too.
    is_anthropic_error "$T/b" || fail "$path with a 100 KB header: not a JSON error: $(head -c 200 "$T/b")"
    code=$(curl -s -o "$T/b" -w '%{http_code}' -H "Authorization: Bearer sk-1234" -H @"$T/many.hdr" \
        -X POST "$SB_URL$path" --data-binary "$body" --max-time 30) || true
    [ "$code" = 431 ] || fail "$path with 200 headers: $code $(head -c 200 "$T/b")"
    if [ $api = anthropic ]; then is_anthropic_error "$T/b"; else is_openai_error "$T/b"; fi ||
        fail "$path with 200 headers: not an $api error: $(head -c 200 "$T/b")"
    code=$(sb_post "$path" "$body" -o /dev/null -w '%{http_code}')
    [ "$code" = 200 ] || fail "$path after the header abuse: $code"
done
pass "100 KB header -> 4xx JSON error; 200 headers -> 431 in the endpoint's format; still serving"

# ---- wrong methods on every endpoint: 405 with Allow ----
A=(-H "Authorization: Bearer sk-1234")
checked=0
while read -r path allow methods; do
    for m in $methods; do
        code=$(curl -s "${A[@]}" -X "$m" -D "$T/h" -o "$T/b" -w '%{http_code}' "$SB_URL$path")
        [ "$code" = 405 ] || fail "$m $path: $code, want 405"
        [ "$(header allow "$T/h")" = "$allow" ] || fail "$m $path: Allow '$(header allow "$T/h")', want '$allow'"
        case $path in
        */messages*) error_shape anthropic "$T/b" ;;
        *) error_shape openai "$T/b" ;;
        esac || fail "$m $path: error body $(head -c 200 "$T/b")"
        checked=$((checked + 1))
    done
done <<'EOF'
/v1/messages POST GET PUT DELETE PATCH
/v1/messages/count_tokens POST GET PUT DELETE
/v1/chat/completions POST GET PUT DELETE PATCH
/chat/completions POST GET PUT DELETE
/v1/models GET PUT DELETE POST
/models GET PUT DELETE POST
/health GET PUT DELETE POST
/health/liveliness GET PUT DELETE POST
/health/readiness GET PUT DELETE POST
/metrics GET PUT DELETE POST
/admin/state GET PUT DELETE POST
/admin/reload POST GET PUT DELETE
/admin/fallback POST GET PUT DELETE
/admin/providers/cerebras/glm-4.6/reset POST GET PUT DELETE
/ GET PUT DELETE POST
/api/hello GET PUT DELETE POST
EOF
pass "wrong methods: $checked method/endpoint pairs answered 405 with Allow"

# ---- clients that send a byte per second while others are served ----
port=${SB_URL##*:}
slow_pids=()
for i in 1 2 3 4 5 6; do
    path=/v1/messages body=$(ANT_BODY glm-4.6)
    [ $((i % 2)) = 0 ] && path=/v1/chat/completions body=$(OAI_BODY glm-4.6)
    python3 "$HERE/slow_client.py" 127.0.0.1 "$port" "$path" sk-1234 "$body" 8 >"$T/slow$i" 2>&1 &
    slow_pids+=($!)
done
# The slow clients take about 8 s to send their requests; serve others for half of that.
end=$((SECONDS + 4))
served=0
while [ $SECONDS -lt $end ] || [ $served -lt 4 ]; do
    api=openai path=/v1/chat/completions body=$(OAI_BODY glm-4.6)
    [ $((served % 2)) = 0 ] && api=anthropic path=/v1/messages body=$(ANT_BODY glm-4.6 1)
    code=$(sb_post "$path" "$body" -o "$T/b" -w '%{http_code}' --max-time 30) || true
    [ "$code" = 200 ] || fail "a normal $api request beside slow clients: $code"
    served=$((served + 1))
done
for p in "${slow_pids[@]}"; do wait "$p" || true; done
for i in 1 2 3 4 5 6; do
    grep -q '^HTTP/1.1 200' "$T/slow$i" || fail "slow client $i got: $(cat "$T/slow$i")"
done
pass "6 clients at a byte per second: $served normal requests served meanwhile; each slow one answered 200"

# ---- a wrong type in every field the translators read, on both endpoints ----
python3 "$HERE/wrong_types.py" "$SB_URL" sk-1234 >"$T/types.log" 2>&1 || fail "wrong types: $(tail -n 20 "$T/types.log")"
pass "$(tail -n 1 "$T/types.log")"

settle cerebras zai
alive
stop_sb_clean
pass "no request left in flight; clean exit"
