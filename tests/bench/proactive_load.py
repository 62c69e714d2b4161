#!/usr/bin/env python3
"""A Claude-Code-like workload for tests/bench/proactive.sh.

A main agent sends streamed Anthropic requests of 40-60 KB (real Claude Code requests from
tests/fixtures/claude-code, resized) one after the other with a pause for "tool work" between
them; every few steps it starts a burst of 3-5 sub-agents that run in parallel, each sending a
few requests of its own, and waits for them. The sequence of decisions comes from a fixed seed,
so two runs against two switchboards send the same workload.

Prints one JSON object: requests, client errors, how many each provider served, time to first
byte percentiles.
"""
import argparse
import glob
import http.client
import json
import os
import random
import threading
import time
import urllib.parse

FILLER = (
    "    def handle_{n}(self, request):\n"
    "        # tool output line {n}: read {n} bytes from src/module_{n}.c\n"
    "        return self.router.dispatch(request, timeout={n})\n"
)


def load_bodies(fixtures):
    bodies = []
    for path in sorted(glob.glob(os.path.join(fixtures, "*.json"))):
        with open(path) as f:
            body = json.load(f).get("body")
        if isinstance(body, dict) and body.get("tools") and len(json.dumps(body)) > 30000:
            bodies.append(body)
    if not bodies:
        raise SystemExit("no Claude Code fixtures with tools in " + fixtures)
    return bodies


def resize(body, target, rnd):
    """A copy of body of about target bytes: trims tools when too large, then appends tool
    output to the last user message (how a Claude Code context grows)."""
    b = json.loads(json.dumps(body))
    b["stream"] = True
    b["model"] = "glm-4.6"  # every request aims at the Cerebras-first group
    while len(json.dumps(b)) > target - 2000 and len(b.get("tools", [])) > 1:
        b["tools"].pop()
    missing = target - len(json.dumps(b))
    if missing > 0:
        lines, n = [], rnd.randrange(1000)
        while sum(len(x) for x in lines) < missing - 40:
            lines.append(FILLER.format(n=n))
            n += 1
        text = "".join(lines)[: max(0, missing - 40)]
        last = b["messages"][-1]
        if last.get("role") != "user":
            b["messages"].append({"role": "user", "content": []})
            last = b["messages"][-1]
        if isinstance(last["content"], str):
            last["content"] = [{"type": "text", "text": last["content"]}]
        last["content"].append({"type": "text", "text": text})
    return json.dumps(b).encode()


class Client:
    def __init__(self, url, key):
        u = urllib.parse.urlparse(url)
        self.host, self.port = u.hostname, u.port
        self.key = key
        self.lock = threading.Lock()
        self.results = []

    def send(self, payload):
        r = {"status": 0, "ttfb_ms": None, "provider": "", "error": None}
        t0 = time.monotonic()
        try:
            c = http.client.HTTPConnection(self.host, self.port, timeout=300)
            c.request("POST", "/v1/messages?beta=true", body=payload,
                      headers={"content-type": "application/json", "x-api-key": self.key,
                               "anthropic-version": "2023-06-01"})
            resp = c.getresponse()
            r["status"] = resp.status
            r["provider"] = resp.getheader("x-switchboard-provider") or ""
            first = resp.read1(65536) if hasattr(resp, "read1") else resp.read(1)
            r["ttfb_ms"] = (time.monotonic() - t0) * 1000
            rest = first + resp.read()
            c.close()
            if resp.status != 200:
                r["error"] = rest[:200].decode(errors="replace")
            elif b"event: error" in rest or b"message_stop" not in rest:
                r["error"] = "stream ended without message_stop or with an error event"
        except Exception as e:  # a broken connection is a client error, not a crash
            r["error"] = repr(e)
        with self.lock:
            self.results.append(r)


def agent(client, bodies, rnd, steps, pause):
    for _ in range(steps):
        size = rnd.randint(40 * 1024, 60 * 1024)
        client.send(resize(rnd.choice(bodies), size, rnd))
        time.sleep(rnd.uniform(*pause))


def run(args):
    bodies = load_bodies(args.fixtures)
    rnd = random.Random(args.seed)
    client = Client(args.url, args.key)
    for step in range(args.steps):
        if step % args.burst_every == args.burst_every - 1:
            k = rnd.randint(3, 5)
            subs = [threading.Thread(target=agent,
                                     args=(client, bodies, random.Random(rnd.random()),
                                           rnd.randint(2, 3), (0.3, 1.0)))
                    for _ in range(k)]
            for t in subs:
                t.start()
            for t in subs:
                t.join()
        agent(client, bodies, rnd, 1, (args.pause_min, args.pause_max))
    return client.results


def pct(v, p):
    if not v:
        return 0.0
    v = sorted(v)
    return v[max(0, min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--key", default="sk-bench")
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--burst-every", type=int, default=5)
    ap.add_argument("--pause-min", type=float, default=1.5)
    ap.add_argument("--pause-max", type=float, default=4.0)
    args = ap.parse_args()
    t0 = time.monotonic()
    res = run(args)
    ttfb = [r["ttfb_ms"] for r in res if r["ttfb_ms"] is not None and not r["error"]]
    by = {}
    for r in res:
        if not r["error"]:
            by[r["provider"]] = by.get(r["provider"], 0) + 1
    errors = [r for r in res if r["error"]]
    print(json.dumps({
        "requests": len(res),
        "errors": len(errors),
        "error_samples": [e["error"] for e in errors[:3]],
        "served": by,
        "ttfb_p50_ms": pct(ttfb, 50),
        "ttfb_p90_ms": pct(ttfb, 90),
        "seconds": time.monotonic() - t0,
    }))


if __name__ == "__main__":
    main()
