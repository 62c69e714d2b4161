#!/usr/bin/env python3
"""Request bodies for `make stress` (tests/stress/run.sh): writes OUT/NAME.json and, for the
client hang-ups, OUT/NAME_hangup.json (the same request for the slow model).

  oai         1 KB OpenAI chat completion
  ant         1 KB Anthropic message (translated to the OpenAI-dialect provider)
  oai_stream  1 KB OpenAI chat completion, streamed
  cc          ~100 KB Claude Code request (streamed Anthropic message): a captured Claude Code
              request whose conversation goes on with tool calls and file contents until it
              weighs 100 KB, as a session does after a few turns.

Usage: bodies.py OUT_DIR FIXTURE_JSON MODEL SLOW_MODEL"""
import json
import sys

out, fixture, model, slow = sys.argv[1:5]
FILLER = "The quick brown fox jumps over the lazy dog while the proxy relays every byte. "


def text(n):
    return (FILLER * (n // len(FILLER) + 1))[:n]


def dump(name, body):
    for suffix, m in (("", model), ("_hangup", slow)):
        with open(f"{out}/{name}{suffix}.json", "w") as f:
            json.dump(dict(body, model=m), f, separators=(",", ":"))


small = {"max_tokens": 200, "messages": [{"role": "user", "content": text(900)}]}
dump("oai", small)
dump("ant", small)
dump("oai_stream", dict(small, stream=True))

cc = json.load(open(fixture))["body"]
turn = 0
while len(json.dumps(cc, separators=(",", ":"))) < 100 * 1024:
    turn += 1
    call = f"toolu_stress_{turn:03d}"
    cc["messages"].append({"role": "assistant", "content": [
        {"type": "text", "text": f"Let me read part {turn} of the file."},
        {"type": "tool_use", "id": call, "name": "Read",
         "input": {"file_path": f"/src/part{turn}.c"}}]})
    cc["messages"].append({"role": "user", "content": [
        {"type": "tool_result", "tool_use_id": call,
         "content": "\n".join(f"{i:5}\t{text(70)}" for i in range(40))}]})
cc["messages"].append({"role": "user", "content": [{"type": "text", "text": "Go on."}]})
cc["stream"] = True
dump("cc", cc)
