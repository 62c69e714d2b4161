#!/usr/bin/env bash
# The dashboard shows what the limits did, driven through tmux against the mock providers:
# the provider card's cache hit rate once a prompt is read from the provider's cache, and a
# lowered output budget on the card and in the log row.
source "$(dirname "$0")/lib_tui.sh"
# 60000 tokens a minute: the second request asking for 32000 gets what is left
start_mock cerebras openai --key ck-test --tpm 60000
start_mock zai anthropic --key zk-test
EXTRA_YAML="switchboard_settings:
  min_output_tokens: 1000" write_config "$T/config.yaml"
sed -i 's/^      max_tokens: 16000$/      tpm: 60000/' "$T/config.yaml"
grep -q '      tpm: 60000' "$T/config.yaml" || fail "config has no tpm line: $(cat "$T/config.yaml")"
start_tui
wait_screen ' cerebras gpt-oss-120b +READY' >/dev/null || fail "no READY cerebras card: $(screen)"

long=$(python3 -c 'print("lorem ipsum " * 600)')
body="{\"model\":\"glm-4.6\",\"max_tokens\":32000,\"messages\":[{\"role\":\"user\",\"content\":\"$long\"}]}"
for i in 1 2; do
    code=$(sb_post /v1/chat/completions "$body" -o /dev/null -w '%{http_code}' --max-time 60)
    [ "$code" = 200 ] || fail "request $i: $code"
done
out=$(wait_screen 'cache [1-9][0-9]?%') || fail "no cache hit rate on the card: $(screen)"
pass "the card shows the cache hit rate: $(grep -oE 'cache [0-9]+%' <<<"$out" | head -1)"

wait_screen 'budget lowered [1-9]' >/dev/null || fail "the card does not count lowered budgets: $(screen)"
wait_screen 'cerebras +200 .*budget [0-9]+/32000' >/dev/null ||
    fail "the log row does not show the lowered budget: $(screen)"
pass "a budget lowered from 32000 shows on the card and in the log row"
quit_idle
st=$(sb_exit_status) || fail "q did not quit: $(screen | tail -3)"
[ "$st" = 0 ] || fail "exit status $st: $(tail -20 "$T/stderr.log")"
