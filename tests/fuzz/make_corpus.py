#!/usr/bin/env python3
"""Writes the seed corpora for the fuzz targets into OUT/<target>/ from the repo's fixtures
(Claude Code request bodies, recorded provider streams, config files) and the small hand seeds
in tests/fuzz/seeds/. Each seed gets the selector byte its harness reads first (see the
comment at the top of each fuzz_*.c). Crash reproducers kept in seeds/crash/<target>-* are
copied as they are. Usage: make_corpus.py SRC_DIR OUT_DIR"""
import glob
import hashlib
import json
import os
import sys

src, out = sys.argv[1], sys.argv[2]
seeds = os.path.join(src, "tests/fuzz/seeds")
fixtures = os.path.join(src, "tests/fixtures")


def put(target, sel, payload):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    data = (bytes([sel]) if sel is not None else b"") + payload
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


# Claude Code bodies (Anthropic client); compact so the fuzzer mutates content, not spaces.
cc = [json.dumps(json.load(open(p))["body"], separators=(",", ":")).encode()
      for p in sorted(glob.glob(os.path.join(fixtures, "claude-code/*.json")))]
oai = [read(p) for p in sorted(glob.glob(os.path.join(seeds, "openai_req_*.json")))]
resp_o = [read(p) for p in sorted(glob.glob(os.path.join(seeds, "resp_openai_*.json")))]
resp_a = [read(p) for p in sorted(glob.glob(os.path.join(seeds, "resp_anthropic_*.json")))]
resp_e = [read(p) for p in sorted(glob.glob(os.path.join(seeds, "resp_error*.json")))]
streams_o = [read(p) for p in sorted(glob.glob(os.path.join(fixtures, "streams/o_*.sse")))]
streams_a = [read(p) for p in sorted(glob.glob(os.path.join(fixtures, "streams/a_*.sse")))]
yamls = [read(p) for p in [os.path.join(src, "config.yaml")] +
         sorted(glob.glob(os.path.join(src, "assets/*.yaml"))) +
         sorted(glob.glob(os.path.join(seeds, "*.yaml")))]

CEREBRAS, ZAI = 1 << 2, 2 << 2
for s in streams_o + streams_a:
    put("fuzz_sse", 0, s)
    put("fuzz_sse", 1, s)  # 16-byte event cap
# fuzz_xstream: bit 1 = provider speaks Anthropic, bit 0 = client speaks Anthropic.
for s in streams_o:
    put("fuzz_xstream", 0 | CEREBRAS | 0x10, s)  # o2o with include_usage
    put("fuzz_xstream", 1 | CEREBRAS, s)  # o2a
for s in streams_a:
    put("fuzz_xstream", 2 | ZAI, s)  # a2o
    put("fuzz_xstream", 3 | ZAI | 0x20, s)  # a2a, ended by a failure
for b in cc:
    put("fuzz_xlate_req", 0 | CEREBRAS | 0x10 | 0x40, b)  # a2o, stream, cap 4096
    put("fuzz_xlate_req", 1 | ZAI, b)  # a2a
    put("fuzz_front", 1, b)
    put("fuzz_front", 3, b)  # count_tokens
for b in oai:
    put("fuzz_xlate_req", 2 | ZAI | 0x10, b)  # o2a
    put("fuzz_xlate_req", 3 | CEREBRAS | 0x60, b)  # o2o, cap 16000
    put("fuzz_front", 0, b)
for b in resp_o:
    put("fuzz_xlate_resp", 0, b)  # o2a
    put("fuzz_xlate_resp", 2, b)  # o2o
for b in resp_a:
    put("fuzz_xlate_resp", 1, b)  # a2o
    put("fuzz_xlate_resp", 3, b)  # a2a
for b in resp_e:
    for sel in range(4):
        put("fuzz_xlate_resp", sel, b)
for y in yamls:
    put("fuzz_config", None, y)
for p in sorted(glob.glob(os.path.join(seeds, "crash/*"))):
    target = os.path.basename(p).split("-", 1)[0]
    put(target, None, read(p))
