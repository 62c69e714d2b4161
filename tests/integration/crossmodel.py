#!/usr/bin/env python3
"""Drives one conversation through switchboard that changes model every turn: turn 1 goes to
FIRST (cerebras or zai), turn 2 to the other, and so on (the other side is reached with the
x-switchboard-force-fallback header). Turns ask for thinking and a tool call, answer the call
on the next turn (on the other side), and every third turn only talks, so both sides make
calls and answer the other's. Each turn is sent as the client would: the assistant's answer, as it came
(thinking with its signature, reasoning fields, tool calls with their ids), goes back into the
history verbatim, streamed turns reassembled from their events.

usage: crossmodel.py URL KEY anthropic|openai cerebras|zai TURNS MOCK_CEREBRAS MOCK_ZAI
Prints one JSON line: {"turns": n, "served": [...], "thinking_from": {...}, ...}; exits 1 with
the reason when a turn fails, is served by the wrong side, or a mock refused a request.
"""
import http.client
import json
import re
import sys
import urllib.parse

url, key, client, first, turns = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
mock = {"cerebras": sys.argv[6], "zai": sys.argv[7]}
U = urllib.parse.urlparse(url)
ANT_ID = re.compile(r"^[a-zA-Z0-9_-]+$")


def fail(msg):
    print(json.dumps({"error": msg}))
    sys.exit(1)


def post(path, body, force):
    conn = http.client.HTTPConnection(U.hostname, U.port, timeout=60)
    headers = {"Authorization": "Bearer " + key, "Content-Type": "application/json"}
    if force:
        headers["x-switchboard-force-fallback"] = "1"
    conn.request("POST", path, body=json.dumps(body).encode(), headers=headers)
    r = conn.getresponse()
    data = r.read().decode()
    return r.status, r.getheader("x-switchboard-provider") or "", data


def mock_json(name, what):
    u = urllib.parse.urlparse(mock[name])
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    conn.request("GET", "/_mock/" + what)
    return json.loads(conn.getresponse().read().decode())


def sse_events(data):
    for frame in data.split("\n\n"):
        for line in frame.split("\n"):
            if line.startswith("data: ") and line[6:].strip() != "[DONE]":
                yield json.loads(line[6:])


def ant_from_stream(data):
    """The message an Anthropic SDK would assemble from the events."""
    blocks = {}
    for ev in sse_events(data):
        t = ev.get("type")
        if t == "content_block_start":
            blocks[ev["index"]] = dict(ev["content_block"])
            if blocks[ev["index"]]["type"] == "tool_use":
                blocks[ev["index"]]["_json"] = ""
        elif t == "content_block_delta":
            b, d = blocks[ev["index"]], ev["delta"]
            if d["type"] == "text_delta":
                b["text"] += d["text"]
            elif d["type"] == "thinking_delta":
                b["thinking"] += d["thinking"]
            elif d["type"] == "signature_delta":
                b["signature"] = d["signature"]
            elif d["type"] == "input_json_delta":
                b["_json"] += d["partial_json"]
        elif t == "error":
            fail("stream error: %s" % ev)
    content = []
    for i in sorted(blocks):
        b = blocks[i]
        if b["type"] == "tool_use":
            b["input"] = json.loads(b.pop("_json") or "{}")
        content.append(b)
    return {"role": "assistant", "content": content}


def oai_from_stream(data):
    msg = {"role": "assistant", "content": ""}
    calls = {}
    for ev in sse_events(data):
        if "error" in ev:
            fail("stream error: %s" % ev)
        for ch in ev.get("choices", []):
            d = ch.get("delta", {})
            msg["content"] += d.get("content") or ""
            for f in ("reasoning", "reasoning_content"):
                if d.get(f):
                    msg[f] = msg.get(f, "") + d[f]
            for tc in d.get("tool_calls") or []:
                c = calls.setdefault(tc.get("index", 0), {"id": "", "type": "function",
                                                           "function": {"name": "", "arguments": ""}})
                c["id"] = tc.get("id") or c["id"]
                fn = tc.get("function") or {}
                c["function"]["name"] += fn.get("name") or ""
                c["function"]["arguments"] += fn.get("arguments") or ""
    if calls:
        msg["tool_calls"] = [calls[i] for i in sorted(calls)]
    return msg


TOOLS_ANT = [{"name": "read_file", "description": "Read a file",
              "input_schema": {"type": "object", "properties": {"path": {"type": "string"}}}}]
TOOLS_OAI = [{"type": "function", "function": {"name": "read_file", "description": "Read a file",
                                               "parameters": {"type": "object",
                                                              "properties": {"path": {"type": "string"}}}}}]

other = {"cerebras": "zai", "zai": "cerebras"}
history, served, thinking_from, calls_from = [], [], {}, {}
pending = []  # tool calls of the last answer, to answer in the next turn
for t in range(1, turns + 1):
    side = first if t % 2 == 1 else other[first]
    force = side == "zai"
    stream = t % 4 in (2, 3)
    if pending:
        ask = "Thanks. Turn %d." % t
    elif t % 3 == 0:
        ask = "Turn %d: think about what we have so far." % t
    else:
        ask = "Turn %d: think, then use the tool to read notes.md" % t
    if client == "anthropic":
        content = [{"type": "tool_result", "tool_use_id": c, "content": "file %s" % c} for c in pending]
        content.append({"type": "text", "text": ask})
        history.append({"role": "user", "content": content})
        body = {"model": "glm-4.6", "max_tokens": 4000, "stream": stream, "tools": TOOLS_ANT,
                "thinking": {"type": "enabled", "budget_tokens": 2048}, "messages": history}
        status, who, data = post("/v1/messages", body, force)
    else:
        for c in pending:
            history.append({"role": "tool", "tool_call_id": c, "content": "file %s" % c})
        history.append({"role": "user", "content": ask})
        body = {"model": "glm-4.6", "stream": stream, "tools": TOOLS_OAI, "reasoning_effort": "medium",
                "messages": history}
        status, who, data = post("/v1/chat/completions", body, force)
    if status != 200:
        fail("turn %d (%s, %s): HTTP %d %s" % (t, side, "stream" if stream else "whole", status, data[:400]))
    if not who.startswith(side):
        fail("turn %d went to %s, not %s" % (t, who, side))
    served.append(who)
    if client == "anthropic":
        msg = ant_from_stream(data) if stream else json.loads(data)
        msg = {"role": "assistant", "content": msg["content"]}
        pending = [b["id"] for b in msg["content"] if b["type"] == "tool_use"]
        for b in msg["content"]:
            if b["type"] == "thinking":
                thinking_from[side] = thinking_from.get(side, 0) + 1
                if not b.get("signature"):
                    fail("turn %d: a thinking block without a signature" % t)
            if b["type"] == "tool_use" and not ANT_ID.match(b["id"]):
                fail("turn %d: tool id %r is not one Anthropic accepts" % (t, b["id"]))
    else:
        msg = oai_from_stream(data) if stream else json.loads(data)["choices"][0]["message"]
        msg = {k: v for k, v in msg.items() if v is not None}
        pending = [c["id"] for c in msg.get("tool_calls", [])]
        if msg.get("reasoning") or msg.get("reasoning_content"):
            thinking_from[side] = thinking_from.get(side, 0) + 1
    if pending:
        calls_from[side] = calls_from.get(side, 0) + len(pending)
    history.append(msg)

# Every request each strict mock saw passed its checks.
for name in mock:
    st = mock_json(name, "stats")
    if st["rejected"] or st["model_refused"]:
        fail("%s refused %d request(s): %s" % (name, st["rejected"] + st["model_refused"], st))
print(json.dumps({"turns": turns, "served": served, "thinking_from": thinking_from,
                  "calls_from": calls_from}))
