#!/usr/bin/env bash
# A real browser as the attacker: headless Chromium opens a page served from another local
# port, which fires fetch() (no-cors and preflighted, with the master key), sendBeacon and
# HTML form posts at every POST route and reads every GET route, with and without a master
# key. The mock providers must see no request, the admin state and config must not change, the
# page must read nothing, and the attempts must have arrived (switchboard logged them as
# refused). Then a DNS-rebinding page's view: Chromium told that rebind.test is 127.0.0.1
# loads switchboard's state by that name and gets the 421 refusal only.
# Chromium comes from .ci/deps.sh --test (Debian's chromium); without it this test fails.
source "$(dirname "$0")/lib.sh"
CHROME=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROME" ] || fail "chromium is not installed: run 'bash .ci/deps.sh --test' (Debian package chromium)"
start_mock cerebras openai --key ck-test
start_mock zai anthropic --key zk-test

CHROME_PID=
# Chromium starts helpers (zygote, renderers, crashpad) in its own session (setsid below):
# its process group, whose id is the pid we started, is stopped as a whole.
stop_chrome() {
    if [ -n "$CHROME_PID" ] && kill -0 "$CHROME_PID" 2>/dev/null; then
        kill -- "-$CHROME_PID" 2>/dev/null || kill "$CHROME_PID" 2>/dev/null || true
        wait "$CHROME_PID" 2>/dev/null || true
    fi
    CHROME_PID=
}
eval "$(declare -f cleanup | sed '1s/^cleanup/lib_cleanup/')"
cleanup() {
    local rc=$?
    stop_chrome
    (exit $rc)
    lib_cleanup
}
trap cleanup EXIT
# chrome URL [flags...] : headless Chromium on URL in the background (its own profile).
chrome() {
    local url=$1
    shift
    rm -rf "$T/chrome-profile"
    setsid "$CHROME" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-default-apps --disable-extensions --user-data-dir="$T/chrome-profile" \
        "$@" "$url" >"$T/chrome.log" 2>&1 &
    CHROME_PID=$!
    PIDS+=($CHROME_PID)
}

mock_total() { echo $(($(mock_stat cerebras requests) + $(mock_stat zai requests))); }
state_sig() {
    curl -sf "${AUTH[@]}" "$SB_URL/admin/state" |
        json_get "(d['force_fallback'], [(p['id'], p['enabled'], p['status']) for p in d['providers']], d['requests'])"
}

attack() {
    local mode=$1 key=${MK:-sk-guess-1234}
    local sig0 mocks0 page_port
    sig0=$(state_sig)
    mocks0=$(mock_total)
    rm -f "$T/report.json" "$T/page.port"
    python3 "$(dirname "$0")/attack_page.py" "$T/page.port" "$SB_URL" "$key" "$T/report.json" \
        >"$T/page.log" 2>&1 &
    PIDS+=($!)
    local page_pid=$!
    wait_for test -s "$T/page.port" || fail "the attack page server did not start"
    page_port=$(cat "$T/page.port")
    chrome "http://127.0.0.1:$page_port/"
    SB_WAIT=90 wait_for test -s "$T/report.json" ||
        fail "[$mode] the page never reported (is Chromium working?): $(tail -20 "$T/chrome.log")"
    stop_chrome
    kill "$page_pid" 2>/dev/null || true
    python3 - "$T/report.json" "$mode" <<'PY' || fail "[$mode] the page saw something: $(cat "$T/report.json")"
import json, sys
r = json.load(open(sys.argv[1]))["results"]
bad = [x for x in r if x["outcome"].startswith("read")]
for x in bad:
    print("READ:", x["what"], "->", x["outcome"], file=sys.stderr)
forms = [x for x in r if x["what"].startswith("form")]
# 7 POST routes x (3 no-cors fetches, 1 preflighted fetch, 1 beacon), 4 GET routes x 2, 4 forms.
assert len(r) == 47 and len(forms) == 4, f"{len(r)} attempts reported, 47 expected"
sys.exit(1 if bad else 0)
PY
    [ "$(mock_total)" = "$mocks0" ] || fail "[$mode] the page reached a provider ($mocks0 -> $(mock_total))"
    [ "$(state_sig)" = "$sig0" ] || fail "[$mode] the page changed the admin state: $sig0 -> $(state_sig)"
    ! grep -qE '"event":"(admin|reload)"' "$T/requests.jsonl" ||
        fail "[$mode] an admin command ran: $(grep -E '"event":"(admin|reload)"' "$T/requests.jsonl")"
    # Not vacuous: the browser's requests did arrive, and were refused for their Origin.
    grep -q "\"event\":\"refused\".*Origin 'http://127.0.0.1:$page_port'" "$T/requests.jsonl" ||
        fail "[$mode] switchboard saw no request from the page: $(tail -5 "$T/requests.jsonl")"
    pass "[$mode] Chromium page on port $page_port: $(json_get 'len(d["results"])' <"$T/report.json") attempts, nothing read, no provider request, state unchanged"
}

# DNS rebinding as the browser sees it: the attacker's name now resolves to 127.0.0.1, so the
# page is "same-origin" with switchboard and could read whatever it answers by that name.
rebind() {
    local port=${SB_URL##*:}
    setsid "$CHROME" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$T/chrome-rebind" --host-resolver-rules="MAP rebind.test 127.0.0.1" \
        --dump-dom "http://rebind.test:$port/admin/state" >"$T/rebind.html" 2>"$T/chrome.log" &
    CHROME_PID=$!
    PIDS+=($CHROME_PID)
    local deadline=$((SECONDS + 60))
    while kill -0 "$CHROME_PID" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    stop_chrome
    grep -q 'does not name this switchboard' "$T/rebind.html" ||
        fail "[$1] rebinding: the page did not get the 421 refusal: $(head -c 600 "$T/rebind.html") $(tail -5 "$T/chrome.log")"
    ! grep -q '"providers"' "$T/rebind.html" || fail "[$1] rebinding: the state was readable"
    pass "[$1] a page rebound to 127.0.0.1 (rebind.test) reads only the 421 refusal"
}

MK=sk-browser-0123456789abcdef
write_config "$T/config.yaml"
sed -i "s/master_key: sk-1234/master_key: $MK/" "$T/config.yaml"
AUTH=(-H "Authorization: Bearer $MK")
start_sb --log-file "$T/requests.jsonl"
attack key
rebind key
kill "$SB_PID" && wait "$SB_PID" 2>/dev/null || true

MK=
AUTH=()
write_config "$T/config.yaml"
sed -i '/master_key:/d' "$T/config.yaml"
rm -f "$T/requests.jsonl"
start_sb --log-file "$T/requests.jsonl"
attack nokey
rebind nokey
