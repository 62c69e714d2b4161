#!/usr/bin/env python3
"""Validates streamed answers with sse_check and tests an expression on each summary.

usage: sse_expect.py anthropic|openai EXPR            (the stream on stdin)
       sse_expect.py anthropic|openai EXPR FILE...    (one line per file: FILE ok|fail WHY)
EXPR is Python over `d`, the summary sse_check prints. With stdin, exits 0 when the stream is
valid and EXPR is true, else prints why and exits 1. With files, exits 1 if any fails. One
interpreter for many checks matters on a loaded machine.
"""
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sse_check  # noqa: E402


def verdict(api, expr, text):
    """Returns (ok, why, summary)."""
    check = sse_check.check_anthropic if api == "anthropic" else sse_check.check_openai
    try:
        d = check(text)
    except SystemExit:
        return False, "invalid stream", None
    except (ValueError, KeyError, TypeError) as e:
        return False, "invalid stream: " + repr(e), None
    if not eval(expr, {}, {"d": d}):
        return False, "expectation failed: " + json.dumps(d)[:600], d
    return True, "", d


def main():
    api, expr, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    if not files:
        ok, why, _ = verdict(api, expr, sys.stdin.read())
        if not ok:
            print(why, file=sys.stderr)
        sys.exit(0 if ok else 1)
    bad = False
    for f in files:
        with open(f, encoding="utf-8", errors="replace") as fh:
            ok, why, d = verdict(api, expr, fh.read())
        err = (d or {}).get("error")
        print(f, "ok" if ok else "fail", ("error" if err else "done") if ok else why)
        bad = bad or not ok
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
