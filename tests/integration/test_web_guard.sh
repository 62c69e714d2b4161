#!/usr/bin/env bash
# What a web page can make a browser send, sent with curl exactly as a browser would, against
# the real binary with and without a master key: CORS preflights get no Access-Control-*
# header; cross-origin POSTs (text/plain, forms, multipart, even JSON with the key) to every
# POST route are refused before anything happens (the mock providers see no request, the
# admin state and the config stay as they were); a foreign Host (DNS rebinding) is refused on
# every route. Ordinary clients still work: curl, requests shaped like the official SDKs',
# Claude Code's recorded requests, by 127.0.0.1, localhost and [::1].
source "$(dirname "$0")/lib.sh"
start_mock cerebras openai --key ck-test
start_mock zai anthropic --key zk-test
EVIL=https://evil.example
ANT='{"model":"glm-4.6","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}'
OAI='{"model":"glm-4.6","messages":[{"role":"user","content":"hi"}]}'
POST_ROUTES=(/v1/messages /v1/messages/count_tokens /v1/chat/completions /chat/completions
    /openai/v1/chat/completions /messages /admin/fallback /admin/providers/cerebras/disable
    /admin/providers/cerebras/enable /admin/providers/cerebras/reset /admin/reload)
GET_ROUTES=(/ /health /health/readiness /api/hello /v1/models /metrics /admin/state /nope)

body_for() {
    case $1 in
    */messages* | /messages) echo "$ANT" ;;
    /admin/fallback) echo '{"force":true}' ;;
    */admin/*) echo '{}' ;;
    *) echo "$OAI" ;;
    esac
}

mock_total() { echo $(($(mock_stat cerebras requests) + $(mock_stat zai requests))); }

# state_sig : what a refused request must not change: the mode, every provider's enabled flag
# and cooldown, and the requests switchboard counted.
state_sig() {
    curl -sf "${AUTH[@]}" "$SB_URL/admin/state" |
        json_get "(d['force_fallback'], [(p['id'], p['enabled'], p['status']) for p in d['providers']], d['requests'])"
}

# req METHOD PATH [curl args...] : status in CODE, headers in $T/h, body in $T/b.
req() {
    local m=$1 p=$2
    shift 2
    CODE=$(curl -s -D "$T/h" -o "$T/b" -w '%{http_code}' -X "$m" "$@" "$SB_URL$p") || CODE=000
}

no_cors_headers() {
    ! grep -qi '^access-control-' "$T/h" || fail "$1: CORS header sent: $(grep -i '^access-control-' "$T/h")"
}

check_mode() {
    local mode=$1
    AUTH=()
    [ "$mode" = key ] && AUTH=(-H "Authorization: Bearer $MK")
    local sig0 mocks0
    sig0=$(state_sig)
    mocks0=$(mock_total)

    # ---- preflights: never answered with CORS headers ----
    for p in "${POST_ROUTES[@]}" "${GET_ROUTES[@]}"; do
        req OPTIONS "$p" -H "Origin: $EVIL" -H 'Access-Control-Request-Method: POST' \
            -H 'Access-Control-Request-Headers: authorization, content-type, x-api-key'
        [ "$CODE" = 403 ] || fail "[$mode] preflight $p: $CODE"
        no_cors_headers "[$mode] preflight $p"
        req OPTIONS "$p" -H 'Access-Control-Request-Method: POST'
        [ "$CODE" = 405 ] || fail "[$mode] OPTIONS $p without Origin: $CODE"
        no_cors_headers "[$mode] OPTIONS $p"
    done
    pass "[$mode] preflights and OPTIONS: refused, no Access-Control-* header on any route"

    # ---- cross-origin POSTs a page can send without a preflight, and with one ----
    for p in "${POST_ROUTES[@]}"; do
        b=$(body_for "$p")
        for ct in 'text/plain' 'text/plain;charset=UTF-8' 'application/x-www-form-urlencoded' \
            'multipart/form-data; boundary=x'; do
            req POST "$p" -H "Origin: $EVIL" -H "Content-Type: $ct" --data-binary "$b" "${AUTH[@]}"
            [ "$CODE" = 403 ] || fail "[$mode] cross-origin POST $p ($ct): $CODE $(cat "$T/b")"
            no_cors_headers "[$mode] POST $p"
            # Without an Origin (a browser too old to send one on forms): the content type.
            req POST "$p" -H "Content-Type: $ct" --data-binary "$b" "${AUTH[@]}"
            [ "$CODE" = 415 ] || fail "[$mode] POST $p as $ct without Origin: $CODE $(cat "$T/b")"
        done
        req POST "$p" -H "Origin: null" -H 'Content-Type: text/plain' --data-binary "$b"
        [ "$CODE" = 403 ] || fail "[$mode] POST $p from Origin null: $CODE"
        # What only a preflight would let through, sent anyway: still refused by its Origin.
        req POST "$p" -H "Origin: http://127.0.0.1:1" -H 'Content-Type: application/json' \
            --data-binary "$b" "${AUTH[@]}"
        [ "$CODE" = 403 ] || fail "[$mode] JSON POST $p from another local port: $CODE"
        # POST with no body at all (fetch with mode no-cors): no Content-Type.
        req POST "$p" "${AUTH[@]}"
        [ "$CODE" = 415 ] || fail "[$mode] empty POST $p: $CODE"
    done
    grep -q '"type":"error"' "$T/b" || grep -q '"error"' "$T/b" || fail "refusal is not a JSON error: $(cat "$T/b")"
    req POST /v1/messages -H "Origin: $EVIL" -H 'Content-Type: text/plain' --data-binary "$ANT"
    echo "$(cat "$T/b")" | json_get "d['type']=='error' and d['error']['type']=='permission_error'" |
        grep -qx True || fail "Anthropic route: refusal not in Anthropic's error shape: $(cat "$T/b")"
    req POST /v1/chat/completions -H 'Content-Type: text/plain' --data-binary "$OAI" "${AUTH[@]}"
    echo "$(cat "$T/b")" | json_get "d['error']['code']=='unsupported_media_type'" | grep -qx True ||
        fail "OpenAI route: 415 not in OpenAI's error shape: $(cat "$T/b")"
    [ "$(mock_total)" = "$mocks0" ] || fail "[$mode] a refused request reached a provider ($mocks0 -> $(mock_total))"
    [ "$(state_sig)" = "$sig0" ] || fail "[$mode] the admin state changed: $sig0 -> $(state_sig)"
    ! grep -qE '"event":"(admin|reload)"' "$T/requests.jsonl" || fail "[$mode] an admin command ran: $(grep -E '"event":"(admin|reload)"' "$T/requests.jsonl")"
    pass "[$mode] cross-origin, form and bodyless POSTs to ${#POST_ROUTES[@]} POST routes refused; providers saw nothing, state unchanged"

    # ---- DNS rebinding: the page's own host name, on every route ----
    local port=${SB_URL##*:}
    for host in "rebind.attacker.example:$port" attacker.example "localhost.attacker.example:$port" \
        "127.0.0.1.nip.io:$port" "localhost.:$port" "evil.localhost:$port" "127.0.0.1@evil:$port"; do
        for p in "${GET_ROUTES[@]}"; do
            req GET "$p" -H "Host: $host" "${AUTH[@]}"
            [ "$CODE" = 421 ] || fail "[$mode] GET $p with Host '$host': $CODE"
        done
        for p in "${POST_ROUTES[@]}"; do
            req POST "$p" -H "Host: $host" -H 'Content-Type: application/json' \
                --data-binary "$(body_for "$p")" "${AUTH[@]}"
            [ "$CODE" = 421 ] || fail "[$mode] POST $p with Host '$host': $CODE"
        done
    done
    [ "$(mock_total)" = "$mocks0" ] || fail "[$mode] a rebound request reached a provider"
    [ "$(state_sig)" = "$sig0" ] || fail "[$mode] a rebound request changed the state"
    pass "[$mode] a foreign Host is refused (421) on all $((${#GET_ROUTES[@]} + ${#POST_ROUTES[@]})) routes"

    # ---- ordinary clients ----
    for host in "127.0.0.1:$port" "localhost:$port" "[::1]:$port" 127.0.0.1 LOCALHOST; do
        req POST /v1/chat/completions -H "Host: $host" -H 'Content-Type: application/json' \
            --data-binary "$OAI" "${AUTH[@]}"
        [ "$CODE" = 200 ] || fail "[$mode] Host '$host': $CODE $(cat "$T/b")"
    done
    req POST /v1/messages --data-binary "$ANT" -H 'content-type: application/json; charset=utf-8' \
        -H 'anthropic-version: 2023-06-01' "${AUTH[@]}"
    [ "$CODE" = 200 ] || fail "[$mode] curl Anthropic request: $CODE $(cat "$T/b")"
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://localhost:$port/health")
    [ "$code" = 200 ] || fail "[$mode] http://localhost: $code"
    # switchboard's own origin (a page it served, were it to serve one) is not refused.
    req POST /v1/chat/completions -H "Origin: http://127.0.0.1:$port" -H 'Content-Type: application/json' \
        --data-binary "$OAI" "${AUTH[@]}"
    [ "$CODE" = 200 ] || fail "[$mode] own origin: $CODE"
    req POST /v1/chat/completions -H "Origin: http://localhost:$port" -H 'Content-Type: application/json' \
        --data-binary "$OAI" "${AUTH[@]}"
    [ "$CODE" = 200 ] || fail "[$mode] own origin by localhost: $CODE"
    for f in "$SB_SRC"/tests/fixtures/sdk/*.json; do
        out=$(python3 "$(dirname "$0")/replay_request.py" "$SB_URL" "$f" "${MK:-}")
        [ "$out" = 200 ] || fail "[$mode] $(basename "$f") replayed: $out"
    done
    for f in "$SB_FIXTURES"/claude-code/basic_json-01.json "$SB_FIXTURES"/claude-code/tool_bash-01.json; do
        out=$(python3 "$(dirname "$0")/replay_request.py" "$SB_URL" "$f" "${MK:-}")
        [ "$out" = 200 ] || fail "[$mode] Claude Code's $(basename "$f") replayed: $out"
    done
    pass "[$mode] curl, SDK-shaped requests and Claude Code's recorded requests are served, by 127.0.0.1, localhost and [::1]"
}

# ---- with a master key ----
MK=sk-guard-0123456789abcdef
write_config "$T/config.yaml"
sed -i "s/master_key: sk-1234/master_key: $MK/" "$T/config.yaml"
start_sb --log-file "$T/requests.jsonl"
t0=$SECONDS
check_mode key
elapsed=$((SECONDS - t0))
# Refusals are told, not silent: a headless line and a log event (at most every few seconds).
wait_for grep -q 'warning: refused .*Origin' "$T/switchboard.log" ||
    fail "no refusal on the headless output: $(tail -5 "$T/switchboard.log")"
grep -q '"event":"refused"' "$T/requests.jsonl" || fail "no refusal event in the log file"
n=$(grep -c 'warning: refused' "$T/switchboard.log")
total=$(grep -o 'and [0-9]* more refused since' "$T/switchboard.log" | awk '{s+=$2} END {print s+0}')
# One line per 5 s at most, the rest counted in them (hundreds of refusals were sent).
[ "$n" -le $((elapsed / 5 + 2)) ] || fail "$n refusal lines in ${elapsed}s: not rate-limited"
[ "$total" -gt 100 ] || fail "the untold refusals are not counted ($total)"
pass "refusals are reported on the headless output and in the log, rate-limited ($n lines)"
kill "$SB_PID" && wait "$SB_PID" 2>/dev/null || true

# ---- without a master key (loopback: allowed, and just as closed to web pages) ----
MK=
write_config "$T/config.yaml"
sed -i '/master_key:/d' "$T/config.yaml"
rm -f "$T/requests.jsonl"
start_sb --log-file "$T/requests.jsonl"
grep -q 'note: no master key: every program on this machine can use switchboard' "$T/switchboard.log" ||
    fail "no note about running without a master key: $(head -5 "$T/switchboard.log")"
check_mode nokey
kill "$SB_PID" && wait "$SB_PID" 2>/dev/null || true

# ---- configured names for a reverse proxy: allowed, and nothing else ----
EXTRA_YAML='switchboard_settings:
  allowed_hosts: [chat.example.com, "fd00::5"]
  allowed_origins: ["https://chat.example.com"]' write_config "$T/config.yaml"
start_sb
for h in chat.example.com:443 CHAT.example.com "[fd00::5]:8080"; do
    req POST /v1/chat/completions -H "Host: $h" -H "Origin: https://chat.example.com" \
        -H 'Content-Type: application/json' --data-binary "$OAI" -H 'Authorization: Bearer sk-1234'
    [ "$CODE" = 200 ] || fail "allowed host $h with allowed origin: $CODE $(cat "$T/b")"
    no_cors_headers "allowed origin"
done
req POST /v1/chat/completions -H "Host: other.example.com" -H 'Content-Type: application/json' \
    --data-binary "$OAI" -H 'Authorization: Bearer sk-1234'
[ "$CODE" = 421 ] || fail "a host not listed: $CODE"
req POST /v1/chat/completions -H "Origin: https://chat.example.com:8443" -H 'Content-Type: application/json' \
    --data-binary "$OAI" -H 'Authorization: Bearer sk-1234'
[ "$CODE" = 403 ] || fail "an origin on another port than the listed one: $CODE"
pass "allowed_hosts and allowed_origins admit exactly the listed names, still without CORS headers"
kill "$SB_PID" && wait "$SB_PID" 2>/dev/null || true

# ---- listening on [::1] ----
if python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0))' 2>/dev/null; then
    write_config "$T/config.yaml"
    port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0)); print(s.getsockname()[1])')
    CEREBRAS_API_KEY=ck-test ZAI_API_KEY=zk-test "$SB_BIN" --headless --config "$T/config.yaml" \
        --host ::1 --port "$port" >"$T/v6.log" 2>&1 &
    PIDS+=($!)
    wait_for grep -qE 'listening on|cannot listen' "$T/v6.log" || fail "no start on [::1]: $(cat "$T/v6.log")"
fi
if grep -q 'cannot listen' "$T/v6.log" 2>/dev/null; then
    # Debian's civetweb 1.15 is built without IPv6 listeners; the [::1] Host name is still
    # accepted above (a client may reach 127.0.0.1 by it through a proxy).
    echo "note: this civetweb cannot listen on [::1] ($(head -1 "$T/v6.log")): the [::1] listener was not tried"
elif [ -s "$T/v6.log" ]; then
    wait_for curl -sf "http://[::1]:$port/health" || fail "no answer on [::1]: $(cat "$T/v6.log")"
    code=$(curl -s -o "$T/b" -w '%{http_code}' -H 'Authorization: Bearer sk-1234' \
        -H 'Content-Type: application/json' --data-binary "$OAI" "http://[::1]:$port/v1/chat/completions")
    [ "$code" = 200 ] || fail "http://[::1]: $code $(cat "$T/b")"
    code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: rebind.example' "http://[::1]:$port/health")
    [ "$code" = 421 ] || fail "[::1] listener, foreign Host: $code"
    pass "listening on [::1]: served by http://[::1]:$port, a foreign Host refused"
else
    echo "note: no IPv6 loopback on this machine: the [::1] listener was not tried (the [::1] Host was)"
fi
