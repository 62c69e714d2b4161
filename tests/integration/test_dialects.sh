#!/usr/bin/env bash
# Every (client API x provider) path, streaming and not, with text, reasoning and tool calls:
# OpenAI and Anthropic clients, served by the Cerebras mock (OpenAI dialect) and by the Z.AI
# mock (Anthropic dialect). Streams are validated frame by frame.
source "$(dirname "$0")/lib.sh"
setup_default
CHECK="python3 $(dirname "$0")/sse_check.py"

tools_o='[{"type":"function","function":{"name":"Bash","description":"run","parameters":{"type":"object","properties":{"command":{"type":"string"}},"required":["command"]}}}]'
tools_a='[{"name":"Bash","description":"run","input_schema":{"type":"object","properties":{"command":{"type":"string"}},"required":["command"]}}]'

for model in glm-4.6 zai-glm-4.6; do
    want=cerebras
    [ $model = zai-glm-4.6 ] && want=zai
    # OpenAI client, stream with usage
    sb_post /v1/chat/completions "{\"model\":\"$model\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"please think, then say hi\"}]}" \
        -D "$T/h" >"$T/o.sse"
    grep -qi "^x-switchboard-provider: $want" "$T/h" || fail "$model openai stream not served by $want: $(cat "$T/h")"
    r=$($CHECK openai <"$T/o.sse") || fail "$model openai stream invalid: $(head -c 600 "$T/o.sse")"
    echo "$r" | json_get "d['text'] and d['finish_reason']=='stop' and d['usage']['completion_tokens']>0" | grep -q True ||
        fail "$model openai stream summary wrong: $r"
    echo "$r" | json_get "len(d['reasoning'])>0" | grep -q True || fail "$model openai stream lost reasoning: $r"
    pass "$model: openai stream via $want"

    # OpenAI client, stream without include_usage: no usage chunk reaches the client
    sb_post /v1/chat/completions "{\"model\":\"$model\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}" >"$T/o2.sse"
    r=$($CHECK openai <"$T/o2.sse") || fail "$model openai stream (no usage) invalid"
    echo "$r" | json_get "d['usage'] is None" | grep -q True || fail "$model usage chunk sent although not asked: $r"

    # OpenAI client, tool call, stream
    sb_post /v1/chat/completions "{\"model\":\"$model\",\"stream\":true,\"tools\":$tools_o,\"messages\":[{\"role\":\"user\",\"content\":\"use the Bash tool\"}]}" >"$T/o3.sse"
    r=$($CHECK openai <"$T/o3.sse") || fail "$model openai tool stream invalid: $(head -c 800 "$T/o3.sse")"
    echo "$r" | json_get "d['finish_reason']=='tool_calls' and d['tools'][0]['name']=='Bash' and d['tools'][0]['arguments']['command']=='echo mock-tool-ok'" |
        grep -q True || fail "$model openai tool stream wrong: $r"
    pass "$model: openai tool-call stream via $want"

    # OpenAI client, non-stream, tool call
    sb_post /v1/chat/completions "{\"model\":\"$model\",\"tools\":$tools_o,\"messages\":[{\"role\":\"user\",\"content\":\"use the Bash tool\"}]}" >"$T/o4.json"
    json_get "d['choices'][0]['finish_reason']=='tool_calls' and json.loads(d['choices'][0]['message']['tool_calls'][0]['function']['arguments'])['command']=='echo mock-tool-ok'" <"$T/o4.json" |
        grep -q True || fail "$model openai non-stream tool call wrong: $(cat "$T/o4.json")"
    pass "$model: openai non-stream tool call via $want"

    # Anthropic client, stream with thinking and text
    sb_post "/v1/messages?beta=true" "{\"model\":\"$model\",\"max_tokens\":1000,\"stream\":true,\"thinking\":{\"type\":\"adaptive\"},\"messages\":[{\"role\":\"user\",\"content\":\"think and answer\"}]}" \
        -D "$T/h" >"$T/a.sse"
    grep -qi "^x-switchboard-provider: $want" "$T/h" || fail "$model anthropic stream not served by $want"
    r=$($CHECK anthropic <"$T/a.sse") || fail "$model anthropic stream invalid: $(head -c 800 "$T/a.sse")"
    echo "$r" | json_get "d['text'] and d['stop_reason']=='end_turn' and d['usage'].get('output_tokens',0)>0" | grep -q True ||
        fail "$model anthropic stream summary wrong: $r"
    pass "$model: anthropic stream via $want"

    # Anthropic client, tool use, stream, then the tool_result turn
    sb_post /v1/messages "{\"model\":\"$model\",\"max_tokens\":1000,\"stream\":true,\"tools\":$tools_a,\"messages\":[{\"role\":\"user\",\"content\":\"use the Bash tool\"}]}" >"$T/a2.sse"
    r=$($CHECK anthropic <"$T/a2.sse") || fail "$model anthropic tool stream invalid: $(head -c 800 "$T/a2.sse")"
    echo "$r" | json_get "d['stop_reason']=='tool_use' and d['tools'][0]['input']['command']=='echo mock-tool-ok'" | grep -q True ||
        fail "$model anthropic tool stream wrong: $r"
    id=$(echo "$r" | json_get "d['tools'][0]['id']")
    turn2="{\"model\":\"$model\",\"max_tokens\":1000,\"stream\":true,\"tools\":$tools_a,\"messages\":[{\"role\":\"user\",\"content\":\"use the Bash tool\"},{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"$id\",\"name\":\"Bash\",\"input\":{\"command\":\"echo mock-tool-ok\"}}]},{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"$id\",\"content\":\"mock-tool-ok\"}]}]}"
    sb_post /v1/messages "$turn2" >"$T/a3.sse"
    r=$($CHECK anthropic <"$T/a3.sse") || fail "$model tool_result turn invalid: $(head -c 800 "$T/a3.sse")"
    echo "$r" | json_get "'mock-tool-ok' in d['text']" | grep -q True || fail "$model tool_result turn: $r"
    pass "$model: anthropic tool round trip via $want"

    # Anthropic client, non-stream
    sb_post /v1/messages "{\"model\":\"$model\",\"max_tokens\":1000,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}" >"$T/a4.json"
    json_get "d['type']=='message' and d['content'][-1]['type']=='text' and d['stop_reason']=='end_turn' and d['model']=='$model'" <"$T/a4.json" |
        grep -q True || fail "$model anthropic non-stream wrong: $(cat "$T/a4.json")"
    pass "$model: anthropic non-stream via $want"
done

# Structured output from an OpenAI client on the Z.AI path, which has no response_format: it
# travels as a forced tool call and comes back as the message text, as JSON that fits the schema.
rf='"response_format":{"type":"json_schema","json_schema":{"name":"city","strict":true,"schema":{"type":"object","properties":{"city":{"type":"string"},"population":{"type":"integer"}},"required":["city","population"],"additionalProperties":false}}}'
sb_post /v1/chat/completions "{\"model\":\"zai-glm-4.6\",$rf,\"messages\":[{\"role\":\"user\",\"content\":\"largest city?\"}]}" \
    -D "$T/h" >"$T/rf.json"
grep -qi '^x-switchboard-provider: zai' "$T/h" || fail "structured output not served by zai: $(cat "$T/h")"
json_get "d['choices'][0]['finish_reason']=='stop' and 'tool_calls' not in d['choices'][0]['message'] and sorted(json.loads(d['choices'][0]['message']['content']))==['city','population'] and isinstance(json.loads(d['choices'][0]['message']['content'])['population'], int)" <"$T/rf.json" |
    grep -q True || fail "response_format via zai: not the schema's JSON as text: $(cat "$T/rf.json")"
sb_post /v1/chat/completions "{\"model\":\"zai-glm-4.6\",\"stream\":true,$rf,\"messages\":[{\"role\":\"user\",\"content\":\"largest city?\"}]}" >"$T/rf.sse"
r=$($CHECK openai <"$T/rf.sse") || fail "response_format stream invalid: $(head -c 600 "$T/rf.sse")"
echo "$r" | json_get "d['finish_reason']=='stop' and not d['tools'] and sorted(json.loads(d['text']))==['city','population']" | grep -q True ||
    fail "response_format stream via zai: not the schema's JSON as text: $r"
pass "openai response_format via zai: schema-shaped JSON as the message text, streaming and not"

# A Claude Code MCP tool whose name passes OpenAI's 64-character limit (the Cerebras mock
# refuses such names as Cerebras does): it travels shortened and comes back under its own name,
# streaming and not, and the next turn's history carries it again.
mcp=mcp__claude_ai_Google_Drive__google_drive_search_files_in_shared_folder
tools_mcp="[{\"name\":\"$mcp\",\"description\":\"search\",\"input_schema\":{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\"}},\"required\":[\"query\"]}}]"
sb_post /v1/messages "{\"model\":\"glm-4.6\",\"max_tokens\":1000,\"tools\":$tools_mcp,\"messages\":[{\"role\":\"user\",\"content\":\"use the tool\"}]}" \
    -D "$T/h" >"$T/mcp.json"
grep -qi '^x-switchboard-provider: cerebras' "$T/h" || fail "long tool name not served by cerebras: $(cat "$T/h") $(cat "$T/mcp.json")"
json_get "d['stop_reason']=='tool_use' and d['content'][-1]['name']=='$mcp'" <"$T/mcp.json" | grep -q True ||
    fail "long tool name not given back: $(cat "$T/mcp.json")"
id=$(json_get "d['content'][-1]['id']" <"$T/mcp.json")
sb_post /v1/messages "{\"model\":\"glm-4.6\",\"max_tokens\":1000,\"stream\":true,\"tools\":$tools_mcp,\"messages\":[{\"role\":\"user\",\"content\":\"use the tool\"},{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"$id\",\"name\":\"$mcp\",\"input\":{\"query\":\"x\"}}]},{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"$id\",\"content\":\"found\"}]},{\"role\":\"assistant\",\"content\":\"ok\"},{\"role\":\"user\",\"content\":\"use the tool again\"}]}" \
    -D "$T/h" >"$T/mcp.sse"
grep -qi '^x-switchboard-provider: cerebras' "$T/h" || fail "long tool name stream not served by cerebras: $(cat "$T/h")"
r=$($CHECK anthropic <"$T/mcp.sse") || fail "long tool name stream invalid: $(head -c 800 "$T/mcp.sse")"
echo "$r" | json_get "d['stop_reason']=='tool_use' and d['tools'][0]['name']=='$mcp'" | grep -q True ||
    fail "long tool name not given back in the stream: $r"
pass "a ${#mcp}-character MCP tool name via cerebras: shortened there, its own name back, streaming and not"

# Nothing was rejected by the strict mocks along the way.
[ "$(mock_stat cerebras rejected)" = 0 ] || fail "cerebras mock rejected a translated request (see mock log)"
[ "$(mock_stat zai rejected)" = 0 ] || fail "zai mock rejected a translated request (see mock log)"
pass "strict mocks accepted every translated request"
