#!/usr/bin/env bash
# Fallback between different models: one conversation moves between Cerebras gpt-oss-120b and
# Z.AI glm-5.2 every turn, for 20 turns with thinking and tool calls, from an Anthropic client
# and from an OpenAI client, starting on either side. What one model wrote (thinking with its
# signature, reasoning fields, tool-call ids) must be accepted by the other: both simulated
# providers are strict (they refuse what the real ones refuse), and a refusal fails the turn.
source "$(dirname "$0")/lib.sh"

start_mock cerebras openai --key ck-test
start_mock zai anthropic --key zk-test
{
    echo "model_list:"
    cerebras_entry glm-4.6
    echo "      max_tokens: 16000"
    zai_entry zai-glm glm-5.2
    cat <<YAML
router_settings:
  fallbacks: [{"glm-4.6": ["zai-glm"]}]
  num_retries: 0
general_settings:
  master_key: sk-1234
YAML
} >"$T/config.yaml"
start_sb

drive() { # CLIENT FIRST
    python3 "$SB_SRC/tests/integration/crossmodel.py" "$SB_URL" sk-1234 "$1" "$2" 20 \
        "http://127.0.0.1:$CEREBRAS_PORT" "http://127.0.0.1:$ZAI_PORT" >"$T/cross-$1-$2.json" ||
        fail "$1 client starting on $2: $(cat "$T/cross-$1-$2.json")"
    python3 - "$T/cross-$1-$2.json" "$1" <<'PY' || fail "$1 client starting on $2: $(cat "$T/cross-$1-$2.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["turns"] == 20 and len(d["served"]) == 20, d
# thinking came from both models and tool calls were made on both sides (and answered on
# the other, since the side changes every turn)
assert d["thinking_from"].get("cerebras", 0) >= 5 and d["thinking_from"].get("zai", 0) >= 5, d
assert d["calls_from"].get("cerebras", 0) >= 2 and d["calls_from"].get("zai", 0) >= 2, d
PY
}

# The last request each side saw carried the other model's history in its own terms: Cerebras
# got earlier reasoning in `reasoning` (never Z.AI's reasoning_content) and gpt-oss's effort;
# Z.AI got no thinking block that switchboard made from Cerebras' reasoning, and kept its own.
check_last_bodies() {
    curl -sf "http://127.0.0.1:$CEREBRAS_PORT/_mock/last" >"$T/last-cerebras.json"
    curl -sf "http://127.0.0.1:$ZAI_PORT/_mock/last" >"$T/last-zai.json"
    python3 - "$T/last-cerebras.json" "$T/last-zai.json" <<'PY' || fail "a side did not get the history in its own terms"
import json, sys
b = json.load(open(sys.argv[1]))["body"]
msgs = b["messages"]
assert any("reasoning" in m for m in msgs if m["role"] == "assistant"), "no reasoning replayed"
assert not any("reasoning_content" in m for m in msgs), "reasoning_content reached Cerebras"
assert b.get("reasoning_effort") in ("low", "medium", "high"), b.get("reasoning_effort")
assert "disable_reasoning" not in b and "clear_thinking" not in b, "a GLM switch reached gpt-oss"
z = json.load(open(sys.argv[2]))["body"]
blocks = [x for m in z["messages"] if isinstance(m["content"], list) for x in m["content"]]
assert not any(x.get("signature") == "switchboard-reasoning-v1" for x in blocks), "foreign thinking reached Z.AI"
assert any(x["type"] == "thinking" for x in blocks), "Z.AI lost its own thinking"
PY
}

for client in anthropic openai; do
    for first in cerebras zai; do
        drive "$client" "$first"
        pass "20 turns, $client client, starting on $first: every turn accepted by the other model"
        if [ $client = anthropic ] && [ $first = cerebras ]; then
            check_last_bodies
            pass "each side got the other's history in its own terms"
        fi
    done
done
