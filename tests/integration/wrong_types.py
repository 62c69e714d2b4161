#!/usr/bin/env python3
"""Sends requests that are valid but for one field the translators read, replaced by a value
of the wrong type (or out of range), to both endpoints, streaming and not. Each must get a 400
in the endpoint's own error format: never a 500, never a stream, never a crash.

usage: wrong_types.py BASE_URL MASTER_KEY
Prints one line per case; exits 1 listing the cases that got anything else.
"""
import copy
import http.client
import json
import sys
import urllib.parse

TOOL_A = {"name": "Bash", "description": "run", "input_schema": {"type": "object", "properties": {}}}
TOOL_O = {"type": "function", "function": {"name": "Bash", "parameters": {"type": "object"}}}

BASE = {
    "anthropic": {
        "model": "glm-4.6",
        "max_tokens": 50,
        "messages": [{"role": "user", "content": "hi"}],
    },
    "openai": {
        "model": "glm-4.6",
        "max_tokens": 50,
        "messages": [{"role": "user", "content": "hi"}],
    },
}

# (label, path into the body, value); a path ending at a new key adds it.
COMMON = [
    ("messages[0]=5", ["messages", 0], 5),
    ("messages[0].role=5", ["messages", 0, "role"], 5),
    ("messages[0].role=robot", ["messages", 0, "role"], "robot"),
    ("messages[0].content=[text:5]", ["messages", 0, "content"], [{"type": "text", "text": 5}]),
    ("messages[0].content=[5]", ["messages", 0, "content"], [5]),
    ("messages[0].content=[{}]", ["messages", 0, "content"], [{}]),
    ("messages[0].content={}", ["messages", 0, "content"], {}),
    ("messages=[]", ["messages"], []),
    ("tools=x", ["tools"], "x"),
    ("tools=[5]", ["tools"], [5]),
    ("tool_choice=5", ["tool_choice"], 5),
    ("temperature=hot", ["temperature"], "hot"),
    ("top_p=x", ["top_p"], "x"),
    ("max_tokens=-1", ["max_tokens"], -1),
    ("max_tokens=1.5", ["max_tokens"], 1.5),
    ("max_tokens=1e30", ["max_tokens"], 1e30),
    ("stream=1", ["stream"], 1),
]
ANTHROPIC = [
    ("metadata=5", ["metadata"], 5),
    ("tools[0].input_schema=5", ["tools"], [dict(TOOL_A, input_schema=5)]),
    ("tools[0].name=5", ["tools"], [dict(TOOL_A, name=5)]),
    ("tool_choice={type:5}", ["tool_choice"], {"type": 5}),
    ("system=5", ["system"], 5),
    ("system=[5]", ["system"], [5]),
    ("system=[text:5]", ["system"], [{"type": "text", "text": 5}]),
    ("thinking=5", ["thinking"], 5),
    ("thinking={type:enabled,budget_tokens:x}", ["thinking"], {"type": "enabled", "budget_tokens": "x"}),
    ("stop_sequences=5", ["stop_sequences"], 5),
    ("stop_sequences=[5]", ["stop_sequences"], [5]),
    ("top_k=x", ["top_k"], "x"),
    ("content=[tool_use input:5]", ["messages"], [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "Bash", "input": 5}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "ok"}]},
    ]),
    ("content=[tool_result tool_use_id:5]", ["messages"], [
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": 5, "content": "ok"}]},
    ]),
    ("content=[tool_result content:5]", ["messages"], [
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": 5}]},
    ]),
    ("content=[image source:5]", ["messages", 0, "content"], [{"type": "image", "source": 5}]),
]
OPENAI = [
    ("stop=5", ["stop"], 5),
    ("stop=[5]", ["stop"], [5]),
    ("metadata=5", ["metadata"], 5),
    ("tools[0].function=5", ["tools"], [{"type": "function", "function": 5}]),
    ("tools[0].function.name=5", ["tools"], [{"type": "function", "function": {"name": 5}}]),
    ("tools[0].function.parameters=5", ["tools"], [dict(TOOL_O, function={"name": "Bash", "parameters": 5})]),
    ("tool_choice={function:5}", ["tool_choice"], {"type": "function", "function": 5}),
    ("stream_options=5", ["stream_options"], 5),
    ("stream_options.include_usage=x", ["stream_options"], {"include_usage": "x"}),
    ("max_completion_tokens=x", ["max_completion_tokens"], "x"),
    ("n=x", ["n"], "x"),
    ("response_format=5", ["response_format"], 5),
    ("reasoning_effort=5", ["reasoning_effort"], 5),
    ("content=[image_url:5]", ["messages", 0, "content"], [{"type": "image_url", "image_url": 5}]),
    ("assistant tool_calls=5", ["messages"], [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": None, "tool_calls": 5},
    ]),
    ("assistant tool_calls[0].function.arguments=5", ["messages"], [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "Bash", "arguments": 5}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "ok"},
    ]),
    ("tool message tool_call_id=5", ["messages"], [
        {"role": "user", "content": "hi"},
        {"role": "tool", "tool_call_id": 5, "content": "ok"},
    ]),
]


def put(body, path, value):
    node = body
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value


def cases(api):
    for label, path, value in COMMON + (ANTHROPIC if api == "anthropic" else OPENAI):
        for stream in (False, True):
            body = copy.deepcopy(BASE[api])
            put(body, path, value)
            if stream:
                body.setdefault("stream", True)
            yield label + (" (stream)" if stream else ""), body


def right_format(api, data):
    try:
        d = json.loads(data)
    except ValueError:
        return False
    if api == "anthropic":
        e = d.get("error") if d.get("type") == "error" else None
    else:
        e = d.get("error")
    return isinstance(e, dict) and bool(e.get("type")) and bool(e.get("message"))


def send(conn, path, key, body):
    conn.request("POST", path, json.dumps(body),
                 {"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    r = conn.getresponse()
    return r.status, r.getheader("Content-Type", ""), r.read()


def main():
    url = urllib.parse.urlparse(sys.argv[1])
    key = sys.argv[2]
    bad = []
    n = 0
    for api, path in (("anthropic", "/v1/messages"), ("openai", "/v1/chat/completions")):
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        for label, body in cases(api):
            n += 1
            try:
                status, ctype, data = send(conn, path, key, body)
            except (OSError, http.client.HTTPException) as e:
                bad.append(f"{api} {label}: {e!r}")
                conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
                continue
            ok = status == 400 and ctype.startswith("application/json") and right_format(api, data)
            print(f"{api} {label}: {status} {data[:120]!r}")
            if not ok:
                bad.append(f"{api} {label}: {status} {ctype} {data[:200]!r}")
        conn.close()
    if bad:
        print(f"{len(bad)} of {n} cases not answered 400 in the endpoint's format:", file=sys.stderr)
        for b in bad:
            print("  " + b, file=sys.stderr)
        sys.exit(1)
    print(f"all {n} cases: 400 in the endpoint's format")


if __name__ == "__main__":
    main()
