#!/usr/bin/env python3
"""Validates a streamed answer read from stdin and prints a JSON summary.

usage: sse_check.py anthropic|openai
Anthropic: every frame has an event: line matching its data type; message_start first,
message_stop last; block indices 0-based, contiguous, opened once and closed; delta types
match the block. OpenAI: data-only chunks, ends with [DONE]. Exits 1 with a reason otherwise.
"""
import json
import sys


def frames(text):
    for raw in text.replace("\r\n", "\n").split("\n\n"):
        if not raw.strip():
            continue
        ev, data = None, []
        for line in raw.split("\n"):
            if line.startswith(":"):
                continue
            if line.startswith("event:"):
                ev = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip(" "))
        yield ev, "\n".join(data)


def bad(msg):
    print("invalid stream: " + msg, file=sys.stderr)
    sys.exit(1)


def check_anthropic(text):
    out = {"text": "", "thinking": "", "tools": [], "stop_reason": None, "usage": {}, "error": None}
    started, stopped, open_block, next_index = False, False, None, 0
    kinds = {}
    for ev, data in frames(text):
        if ev is None:
            bad("frame without event: line")
        d = json.loads(data)
        if d.get("type") != ev:
            bad(f"event {ev} carries type {d.get('type')}")
        if stopped:
            bad(f"{ev} after message_stop")
        if ev == "message_start":
            if started:
                bad("second message_start")
            started = True
            continue
        if not started and ev != "ping":
            bad(f"{ev} before message_start")
        if ev == "content_block_start":
            if open_block is not None:
                bad("block opened while another is open")
            if d["index"] != next_index:
                bad(f"block index {d['index']} expected {next_index}")
            open_block = d["index"]
            next_index += 1
            cb = d["content_block"]
            kinds[open_block] = cb["type"]
            if cb["type"] == "tool_use":
                out["tools"].append({"id": cb["id"], "name": cb["name"], "json": ""})
        elif ev == "content_block_delta":
            if d["index"] != open_block:
                bad("delta for a block that is not open")
            t, k = d["delta"]["type"], kinds[open_block]
            want = {"text": "text_delta", "thinking": "thinking_delta", "tool_use": "input_json_delta"}[k]
            if t != want and not (k == "thinking" and t == "signature_delta"):
                bad(f"{t} inside a {k} block")
            if t == "text_delta":
                out["text"] += d["delta"]["text"]
            elif t == "thinking_delta":
                out["thinking"] += d["delta"]["thinking"]
            elif t == "input_json_delta":
                out["tools"][-1]["json"] += d["delta"]["partial_json"]
        elif ev == "content_block_stop":
            if d["index"] != open_block:
                bad("stop for a block that is not open")
            open_block = None
        elif ev == "message_delta":
            out["stop_reason"] = d["delta"].get("stop_reason")
            out["usage"] = d.get("usage", {})
        elif ev == "message_stop":
            if open_block is not None:
                bad("message_stop with an open block")
            stopped = True
        elif ev == "error":
            out["error"] = d["error"]
            stopped = True
        elif ev != "ping":
            bad(f"unknown event {ev}")
    if not stopped:
        bad("no message_stop")
    for t in out["tools"]:
        t["input"] = json.loads(t.pop("json") or "{}")
        if not isinstance(t["input"], dict):
            bad("tool input is not an object")
    return out


def check_openai(text):
    out = {"text": "", "reasoning": "", "tools": {}, "finish_reason": None, "usage": None, "error": None}
    done = False
    for ev, data in frames(text):
        if done:
            bad("data after [DONE]")
        if data == "[DONE]":
            done = True
            continue
        d = json.loads(data)
        if "error" in d:
            out["error"] = d["error"]
            continue
        if d.get("object") != "chat.completion.chunk":
            bad("chunk object is " + str(d.get("object")))
        if d.get("usage"):
            out["usage"] = d["usage"]
        for ch in d.get("choices", []):
            delta = ch.get("delta", {})
            out["text"] += delta.get("content") or ""
            out["reasoning"] += delta.get("reasoning") or delta.get("reasoning_content") or ""
            for tc in delta.get("tool_calls") or []:
                t = out["tools"].setdefault(tc["index"], {"id": None, "name": None, "arguments": ""})
                if tc.get("id"):
                    t["id"] = tc["id"]
                fn = tc.get("function") or {}
                if fn.get("name"):
                    t["name"] = fn["name"]
                t["arguments"] += fn.get("arguments") or ""
            if ch.get("finish_reason"):
                out["finish_reason"] = ch["finish_reason"]
    if not done and not out["error"]:
        bad("no [DONE]")
    out["tools"] = [out["tools"][k] for k in sorted(out["tools"])]
    for t in out["tools"]:
        t["arguments"] = json.loads(t["arguments"] or "{}")
    return out


if __name__ == "__main__":
    text = sys.stdin.read()
    res = check_anthropic(text) if sys.argv[1] == "anthropic" else check_openai(text)
    print(json.dumps(res))
