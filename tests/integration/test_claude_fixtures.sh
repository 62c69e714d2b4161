#!/usr/bin/env bash
# Every recorded Claude Code request is served end to end on both paths: translated for the
# strict Cerebras mock, and cleaned for the Z.AI mock (forced fallback). Then a conversation
# that changes provider between the tool_use turn and the tool_result turn, both ways.
source "$(dirname "$0")/lib.sh"
setup_default
REPLAY="python3 $(dirname "$0")/replay_fixture.py"
admin() { curl -sf -H "Authorization: Bearer sk-1234" -H 'Content-Type: application/json' -X POST "$SB_URL/admin/$1" ${2:+-d "$2"} >/dev/null; }

run_all() {
    local want=$1
    for f in "$SB_FIXTURES"/claude-code/*.json; do
        r=$($REPLAY "$SB_URL" "$f")
        echo "$r" | json_get "d['status']==200" | grep -q True || fail "$(basename "$f") via $want: $r"
        case $f in *count_tokens* | *interactive-0[2-7]*) continue ;; esac
        p=$(echo "$r" | json_get "d['provider']")
        w=$want
        grep -q '"model": *"glm-4.5-air"' "$f" && w=zai # a Z.AI-only model group
        case $p in $w*) ;; *) fail "$(basename "$f") served by $p, want $w" ;; esac
    done
    pass "all $(ls "$SB_FIXTURES"/claude-code/*.json | wc -l) fixtures served via $want"
}

run_all cerebras
admin fallback '{"force":true}'
run_all zai
admin fallback '{"force":false}'

[ "$(mock_stat cerebras rejected)" = 0 ] || fail "the strict cerebras mock rejected a request"
[ "$(mock_stat zai rejected)" = 0 ] || fail "the strict zai mock rejected a request"

# Mid-conversation fallback: turn 1 on cerebras, the tool_result turn on zai, and back.
r=$($REPLAY "$SB_URL" "$SB_FIXTURES/claude-code/tool_bash-01.json")
echo "$r" | json_get "d['provider']" | grep -q cerebras || fail "turn 1 not on cerebras: $r"
admin providers/cerebras/disable
r=$($REPLAY "$SB_URL" "$SB_FIXTURES/claude-code/tool_bash-02.json")
echo "$r" | json_get "d['provider'].startswith('zai') and d['summary']['stop_reason']=='end_turn'" | grep -q True ||
    fail "tool_result turn on zai failed: $r"
pass "tool_use on cerebras, tool_result on zai"
r=$($REPLAY "$SB_URL" "$SB_FIXTURES/claude-code/tool_read-01.json")
echo "$r" | json_get "d['provider']" | grep -q zai || fail "turn 1 not on zai: $r"
admin providers/cerebras/enable
r=$($REPLAY "$SB_URL" "$SB_FIXTURES/claude-code/tool_read-02.json")
echo "$r" | json_get "d['provider']=='cerebras' and d['summary']['stop_reason']=='end_turn'" | grep -q True ||
    fail "tool_result turn on cerebras failed: $r"
pass "tool_use on zai, tool_result on cerebras"
