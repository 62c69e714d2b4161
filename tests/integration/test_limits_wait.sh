#!/usr/bin/env bash
# Wait instead of fail, end to end: when every candidate is out but one has room within
# switchboard_settings.max_wait, the request is held and sent then (first come, first served);
# beyond max_wait the client gets the fast 429 with retry-after; a client that hangs up while
# held frees its place and is never sent upstream.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"

# Cerebras takes 6 requests a minute: one more every 10 s once the 6 are spent. No fallback.
start_mock cerebras openai --key ck-test --rpm 6
config() { # MAX_WAIT
    {
        echo "model_list:"
        cerebras_entry glm-4.6
        echo "      rpm: 6"
        cat <<YAML
general_settings:
  master_key: sk-1234
switchboard_settings:
  max_wait: $1
YAML
    } >"$T/config.yaml"
}
config 25
start_sb

req() { # OUT [curl args] : one request; status to stdout, headers and body to OUT.h / OUT.b
    local out=$1
    shift
    sb_post /v1/chat/completions "$(OAI_BODY glm-4.6)" -D "$out.h" -o "$out.b" \
        -w '%{http_code}' --max-time 60 "$@"
}
now_ms() { date +%s%3N; }

for i in $(seq 6); do
    [ "$(req "$T/r$i")" = 200 ] || fail "request $i of the first six"
done
[ "$(dep_field cerebras status)" = "RPM FULL" ] || fail "not RPM FULL after 6: $(dep_field cerebras status)"

# ---- two held requests, served in the order they came ----
(req "$T/a" >"$T/a.code"; now_ms >"$T/a.done") &
A=$!
held() { [ "$(state_json | json_get "d['waits']['waiting']")" -ge "$1" ]; }
wait_for held 1 || fail "the first request was not held"
(req "$T/b" >"$T/b.code"; now_ms >"$T/b.done") &
B=$!
wait_for held 2 || fail "the second request was not held"
wait $A $B
[ "$(cat "$T/a.code")" = 200 ] && [ "$(cat "$T/b.code")" = 200 ] ||
    fail "held requests answered $(cat "$T/a.code") and $(cat "$T/b.code")"
[ "$(cat "$T/a.done")" -lt "$(cat "$T/b.done")" ] || fail "the second was served before the first"
wa=$(header x-switchboard-wait-ms "$T/a.h")
wb=$(header x-switchboard-wait-ms "$T/b.h")
in_range "${wa:-0}" 1000 25000 && in_range "${wb:-0}" "${wa:-0}" 25000 ||
    fail "waits $wa ms and $wb ms"
[ "$(mstat cerebras rate_limited)" = 0 ] || fail "a held request was sent before there was room"
pass "two held requests served first come, first served after ${wa} and ${wb} ms; no 429 upstream"

# ---- a client that hangs up while held is never sent, and frees its place ----
before=$(mstat cerebras requests)
req "$T/gone" --max-time 2 >/dev/null 2>&1 || true
left() { [ "$(state_json | json_get "d['waits']['client_left']")" -ge 1 ]; }
wait_for left || fail "the hang-up was not counted"
[ "$(state_json | json_get "d['waits']['waiting']")" = 0 ] || fail "the gone request still holds its place"
code=$(req "$T/c")
[ "$code" = 200 ] || fail "the next request got $code"
[ "$(mstat cerebras requests)" = $((before + 1)) ] || fail "the gone request reached cerebras"
pass "a client that hung up while held freed its place and never reached the provider"

# ---- beyond max_wait: the fast 429 with retry-after ----
config 3
code=$(curl -s "${ADMIN[@]}" -H 'Content-Type: application/json' -X POST "$SB_URL/admin/reload" -o "$T/reload.json" -w '%{http_code}')
[ "$code" = 200 ] || fail "reload: $code $(cat "$T/reload.json")"
t0=$(now_ms)
code=$(req "$T/far")
t1=$(now_ms)
[ "$code" = 429 ] || fail "beyond max_wait: got $code"
[ $((t1 - t0)) -lt 2500 ] || fail "the 429 took $((t1 - t0)) ms: it waited"
ra=$(header retry-after "$T/far.h")
in_range "${ra:-0}" 4 10 || fail "retry-after '$ra', want the ~10 s until room"
is_openai_error "$T/far.b" || fail "not an OpenAI error: $(cat "$T/far.b")"
pass "room ${ra}s away with max_wait 3: 429 at once with retry-after"
stop_sb_clean
