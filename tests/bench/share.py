#!/usr/bin/env python3
"""make bench-share: how much of a Claude-Code-like session runs on Cerebras.

Subcommands (tests/bench/share.sh runs them in order):

  trace   writes a session: when each request arrives, its body (real Claude Code requests
          from tests/fixtures/claude-code, the main agent's context growing turn by turn,
          sub-agents starting fresh), max_tokens 32000, and how long its answer will be
          (carried to the simulated provider by its "[[reply_tokens=N]]" hook). A main agent
          takes turns about every 7.5 s; every 12 or so turns a burst of 3-5 sub-agents runs
          in parallel, 2-3 turns each: about 12 requests a minute.
  calib   sends every body once through switchboard to an unlimited Cerebras mock and reads
          back what arrived, so the oracle knows each request's input as Cerebras counts it.
  replay  sends the session to switchboard on its schedule (open loop: arrivals do not wait
          for answers) and records who served each request, its output tokens and the time
          it waited: switchboard's holds, and the client's own retries, which follow Claude
          Code's (a 429 or 5xx is retried up to 10 times, 0.5 s doubling to about 32 s, with
          retry-after as a floor; claude-code-client.md).
  oracle  offline schedules that know the whole session in advance: under Cerebras's rules
          (continuous buckets per minute, hour and day, booking input + budget on arrival)
          they place requests on Cerebras, each at the earliest moment within max_wait of its
          arrival when every bucket has room, either in arrival order or smallest bookings
          first (which fits the most requests into a scarce day). Their budget is the answer's
          real length, but never below min_output_tokens (the floor switchboard may lower to)
          and never above max_tokens, so no answer of theirs is cut.
  report  prints the table.
"""
import argparse
import glob
import json
import os
import random
import statistics
import threading
import time
import urllib.parse
import http.client

# Context growth that reads like source code (and never asks the simulated provider for a
# tool call or reasoning: no "tool", "think" or "parallel" in it).
FILLER = (
    "    def handle_{n}(self, request):\n"
    "        # output line {n}: read {n} bytes from src/module_{n}.c\n"
    "        return self.router.dispatch(request, timeout={n})\n"
)

# ---------------------------------------------------------------- trace


def load_bodies(fixtures):
    bodies = []
    for path in sorted(glob.glob(os.path.join(fixtures, "*.json"))):
        with open(path) as f:
            body = json.load(f).get("body")
        if not (isinstance(body, dict) and body.get("tools") and len(json.dumps(body)) > 30000):
            continue
        last = body["messages"][-1]
        content = last.get("content")
        if last.get("role") == "user" and isinstance(content, list) and any(
                isinstance(c, dict) and c.get("type") == "tool_result" for c in content):
            continue  # the simulated provider answers a tool result briefly, whatever it is asked
        bodies.append(body)
    if not bodies:
        raise SystemExit("no Claude Code fixtures with tools in " + fixtures)
    return bodies


def grown(body, extra_bytes, reply_tokens, seq):
    """A copy of a real request whose last user message carries extra_bytes of tool output
    (how a Claude Code context grows) and the reply-length hook."""
    b = json.loads(json.dumps(body))
    b["stream"] = True
    b["max_tokens"] = 32000
    b["model"] = "claude-sonnet-4-5"
    lines, n = [], seq * 1000
    while sum(len(x) for x in lines) < extra_bytes:
        lines.append(FILLER.format(n=n))
        n += 1
    text = "".join(lines)[:extra_bytes]
    last = b["messages"][-1]
    if last.get("role") != "user":
        b["messages"].append({"role": "user", "content": []})
        last = b["messages"][-1]
    if isinstance(last["content"], str):
        last["content"] = [{"type": "text", "text": last["content"]}]
    last["content"].append({"type": "text", "text": text + f"\n[[reply_tokens={reply_tokens}]]"})
    return b


def reply_length(rnd):
    """Most Claude Code turns are short tool calls; some explain; a few write whole files
    (mean about 600 tokens)."""
    x = rnd.random()
    if x < 0.80:
        return rnd.randint(60, 500)
    if x < 0.97:
        return rnd.randint(500, 2000)
    return rnd.randint(3000, 8000)


def make_trace(args):
    """The main agent takes a turn every 4-9 s (its answer plus the tools it runs);
    every 10-14 turns it hands work to 3-5 sub-agents and waits for them: they run in
    parallel, 2-3 turns each, 8-16 s apart, then the main agent goes on."""
    rnd = random.Random(args.seed)
    bodies = load_bodies(args.fixtures)
    main_body = max(bodies, key=lambda b: len(json.dumps(b)))
    reqs = []

    def add(t, agent, turn, base, extra):
        reqs.append({"t": round(t, 3), "agent": agent, "turn": turn,
                     "body": grown(base, extra, reply_length(rnd), len(reqs)),
                     "reply_tokens": None})

    t, turn, context = 2.0, 0, 0
    next_burst = rnd.randint(10, 14)
    while t < args.seconds:
        context += rnd.randint(400, 1400)
        add(t, "main", turn, main_body, context)
        turn += 1
        if turn < next_burst:
            t += rnd.uniform(4.0, 9.0)
            continue
        next_burst += rnd.randint(10, 14)
        start = end = t + rnd.uniform(1.5, 3.0)
        for a in range(rnd.randint(3, 5)):
            st, sub_ctx, base = start + rnd.uniform(0, 1.0), rnd.randint(0, 8000), rnd.choice(bodies)
            for k in range(rnd.randint(2, 3)):
                if st < args.seconds:
                    add(st, f"sub{turn}.{a}", k, base, sub_ctx)
                sub_ctx += rnd.randint(500, 2500)
                st += rnd.uniform(8.0, 16.0)
            end = max(end, st)
        t = end + rnd.uniform(2.0, 5.0)
    for r in reqs:
        text = r["body"]["messages"][-1]["content"][-1]["text"]
        r["reply_tokens"] = int(text.rsplit("[[reply_tokens=", 1)[1].rstrip("]"))
    reqs.sort(key=lambda r: r["t"])
    for i, r in enumerate(reqs):
        r["id"] = i
    with open(args.out, "w") as f:
        json.dump(reqs, f)
    per_min = 60.0 * len(reqs) / args.seconds
    print(f"trace: {len(reqs)} requests in {args.seconds:.0f} s ({per_min:.1f}/min)", flush=True)


# ---------------------------------------------------------------- HTTP


def post(url, key, body, timeout=600):
    u = urllib.parse.urlparse(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    c.request("POST", "/v1/messages?beta=true", body=json.dumps(body).encode(),
              headers={"content-type": "application/json", "x-api-key": key,
                       "anthropic-version": "2023-06-01"})
    return c, c.getresponse()


def get_json(url):
    u = urllib.parse.urlparse(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    c.request("GET", u.path or "/")
    data = c.getresponse().read()
    c.close()
    return json.loads(data)


def calibrate(args):
    """Input tokens of each request as the Cerebras mock counts them (body bytes / 4)."""
    reqs = json.load(open(args.trace))
    out = {}
    for r in reqs:
        body = dict(r["body"], stream=False, max_tokens=1, model="calib")
        c, resp = post(args.url, args.key, body, timeout=60)
        resp.read()
        c.close()
        if resp.status != 200:
            raise SystemExit(f"calibration request {r['id']}: HTTP {resp.status}")
        last = get_json(args.mock + "/_mock/last")
        sent = json.dumps(last["body"], separators=(",", ":"), ensure_ascii=False)
        out[r["id"]] = len(sent.encode()) // 4
    json.dump(out, open(args.out, "w"))
    vals = list(out.values())
    print(f"calibration: input tokens {min(vals)}..{max(vals)} (median {int(statistics.median(vals))})",
          flush=True)


# ---------------------------------------------------------------- replay


def usage_out(stream_bytes):
    out = 0
    for line in stream_bytes.split(b"\n"):
        if line.startswith(b"data: ") and b'"output_tokens"' in line:
            try:
                d = json.loads(line[6:])
            except ValueError:
                continue
            u = d.get("usage") or (d.get("message") or {}).get("usage") or {}
            out = max(out, int(u.get("output_tokens", 0) or 0))
    return out


def attempt_once(args, r, res):
    """One send. Returns the retry-after the answer asked for (seconds), or None when done."""
    res["error"] = None
    try:
        c, resp = post(args.url, args.key, r["body"])
        res["status"] = resp.status
        res["provider"] = resp.getheader("x-switchboard-provider") or ""
        res["wait_ms"] += float(resp.getheader("x-switchboard-wait-ms") or 0)
        res["budget"] = resp.getheader("x-switchboard-output-budget") or ""
        retry_after = float(resp.getheader("retry-after") or 0)
        no_retry = (resp.getheader("x-should-retry") or "").lower() == "false"
        data = resp.read()
        c.close()
        if resp.status != 200:
            res["error"] = data[:300].decode(errors="replace")
            res["client_429"] += resp.status == 429
            retryable = resp.status == 429 or resp.status >= 500
            return retry_after if retryable and not no_retry else None
        if b"event: error" in data or b"message_stop" not in data:
            res["error"] = "stream ended without message_stop or with an error event"
        else:
            res["out"] = usage_out(data)
            res["stop"] = "max_tokens" if b'"stop_reason":"max_tokens"' in data else ""
    except Exception as e:  # a broken connection is a client error, not a crash
        res["error"] = repr(e)
    return None


def send_one(args, r, t0, results, lock):
    delay = t0 + r["t"] - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    res = {"id": r["id"], "status": 0, "provider": "", "wait_ms": 0.0, "out": 0, "error": None,
           "budget": "", "stop": "", "client_429": 0, "retry_ms": 0.0}
    rnd = random.Random(r["id"])
    start = time.monotonic()
    for n in range(11):  # Claude Code: 10 retries
        retry_after = attempt_once(args, r, res)
        if retry_after is None or n == 10:
            break
        pause = max(retry_after, min(0.5 * 2 ** n, 32.0)) * (1 + rnd.uniform(0, 0.25))
        res["retry_ms"] += pause * 1000
        time.sleep(pause)
    res["latency_ms"] = (time.monotonic() - start) * 1000
    with lock:
        results.append(res)


def replay(args):
    reqs = json.load(open(args.trace))
    results, lock = [], threading.Lock()
    t0 = time.monotonic() + 1.0
    threads = [threading.Thread(target=send_one, args=(args, r, t0, results, lock)) for r in reqs]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    json.dump(sorted(results, key=lambda x: x["id"]), open(args.out, "w"))


# ---------------------------------------------------------------- oracle

WINDOWS = {"minute": 60.0, "hour": 3600.0, "day": 86400.0}


class Bucket:
    def __init__(self, limit, window):
        self.limit, self.rate = float(limit), float(limit) / window


def feasible(bookings, buckets):
    """bookings: sorted list of (time, requests, tokens). Every bucket starts full and refills
    continuously; each booking needs its whole amount to be there."""
    for kind, b in buckets:
        level, at = b.limit, 0.0
        for t, nreq, ntok in bookings:
            level = min(b.limit, level + (t - at) * b.rate)
            need = nreq if kind == "requests" else ntok
            if level + 1e-6 < need:
                return False
            level -= need
            at = t
    return True


def oracle(args):
    reqs = json.load(open(args.trace))
    calib = {int(k): v for k, v in json.load(open(args.calib)).items()}
    lim = json.loads(args.limits)
    buckets = []
    for key, window in (("rpm", "minute"), ("rph", "hour"), ("rpd", "day")):
        if lim.get(key):
            buckets.append(("requests", Bucket(lim[key], WINDOWS[window])))
    for key, window in (("tpm", "minute"), ("tph", "hour"), ("tpd", "day")):
        if lim.get(key):
            buckets.append(("tokens", Bucket(lim[key], WINDOWS[window])))
    floor, want, max_wait = args.floor, 32000, args.max_wait
    cand = []
    for r in reqs:
        budget = min(want, max(floor, r["reply_tokens"]))
        cand.append((calib[r["id"]] + budget, r))
    res = {}
    for order in ("arrival", "smallest"):
        ranked = sorted(cand, key=(lambda x: (x[0], x[1]["t"])) if order == "smallest"
                        else (lambda x: x[1]["t"]))
        res[order] = schedule(reqs, ranked, buckets, max_wait)
    json.dump(res, open(args.out, "w"))


def schedule(reqs, ranked, buckets, max_wait):
    """Places each request, in the given order, at the earliest moment within max_wait of its
    arrival when every bucket has room for it with everything placed so far."""
    placed = []  # (time, 1, tokens)
    plan = {}
    step = 0.25
    for tokens, r in ranked:
        t = r["t"]
        while t <= r["t"] + max_wait + 1e-9:
            trial = sorted(placed + [(t, 1, tokens)])
            if feasible(trial, buckets):
                placed = trial
                plan[r["id"]] = t - r["t"]
                break
            t += step
    on = [r for r in reqs if r["id"] in plan]
    waits = sorted(plan.get(r["id"], 0.0) for r in reqs)
    return {"requests": len(reqs), "cerebras": len(on),
            "out_total": sum(r["reply_tokens"] for r in reqs),
            "out_cerebras": sum(r["reply_tokens"] for r in on),
            "wait_p50_ms": 1000 * waits[len(waits) // 2] if waits else 0.0,
            "booked": sum(p[2] for p in placed)}


# ---------------------------------------------------------------- report


def pct(v, p):
    if not v:
        return 0.0
    v = sorted(v)
    return v[max(0, min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1))]


def run_row(name, results, mocks, trace):
    n = len(results)
    ok = [r for r in results if not r["error"]]
    cer = [r for r in ok if r["provider"].startswith("cerebras")]
    out_all = sum(r["reply_tokens"] for r in trace)
    out_cer = sum(r["out"] for r in cer)
    waits = [r["wait_ms"] + r["retry_ms"] for r in results]  # held + the client's retry pauses
    lowered = sum(1 for r in cer if r["budget"])
    cut = sum(1 for r in cer if r["budget"] and r["stop"] == "max_tokens")
    return {"name": name, "n": n, "req_share": 100.0 * len(cer) / n if n else 0,
            "cer": len(cer), "out_share": 100.0 * out_cer / out_all if out_all else 0,
            "c429": mocks["cerebras"]["rate_limited"], "z429": mocks["zai"]["rate_limited"],
            "client429": sum(r["client_429"] for r in results),
            "errors": n - len(ok), "wait_p50": pct(waits, 50), "wait_p95": pct(waits, 95),
            "lowered": lowered, "cut": cut,
            "samples": [r["error"] for r in results if r["error"]][:3]}


def report(args):
    trace = json.load(open(args.trace))
    rows = []
    for spec in args.runs:
        name, res_path, cer_path, zai_path = spec.split(",")
        mocks = {"cerebras": json.load(open(cer_path)), "zai": json.load(open(zai_path))}
        rows.append(run_row(name, json.load(open(res_path)), mocks, trace))
    o = json.load(open(args.oracle))
    print(f"{'routing':<12} {'requests':>8} {'cerebras share':>15} {'output share':>13} "
          f"{'upstream 429 c/z':>17} {'429s to client':>15} {'failed':>7} "
          f"{'added wait p50/p95':>19} {'lowered/cut':>12}")
    for r in rows:
        print(f"{r['name']:<12} {r['n']:>8} {r['req_share']:>9.1f}% ({r['cer']:>3}) "
              f"{r['out_share']:>12.1f}% {r['c429']:>8}/{r['z429']:<8} {r['client429']:>15} "
              f"{r['errors']:>7} {r['wait_p50'] / 1000:>8.1f}/{r['wait_p95'] / 1000:<8.1f}s "
              f"{r['lowered']:>5}/{r['cut']:<6}")
        for s in r["samples"]:
            print(f"    error: {s}")
    for key, label in (("arrival", "oracle (in arrival order)"), ("smallest", "oracle (smallest first)")):
        o_ = o[key]
        share = 100.0 * o_["cerebras"] / o_["requests"]
        out = 100.0 * o_["out_cerebras"] / o_["out_total"] if o_["out_total"] else 0
        print(f"{label:<27} {share:>5.1f}% ({o_['cerebras']:>3}) {out:>12.1f}%   "
              f"added wait p50 {o_['wait_p50_ms'] / 1000:.1f}s")
    for r in rows:
        rel = {k: 100.0 * r["req_share"] / (100.0 * o[k]["cerebras"] / o[k]["requests"])
               for k in ("arrival", "smallest") if o[k]["cerebras"]}
        print(f"{r['name']}: {rel.get('smallest', 0):.1f}% of the smallest-first oracle's Cerebras "
              f"share of requests ({rel.get('arrival', 0):.1f}% of the arrival-order one; aim "
              f">= 95%); {r['errors']} failed turns; {r['client429']} 429s to the client; "
              f"{r['c429'] + r['z429']} upstream 429s")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("trace")
    p.add_argument("--fixtures", required=True)
    p.add_argument("--seed", type=int, default=12)
    p.add_argument("--seconds", type=float, default=600)
    p.add_argument("--out", required=True)
    p = sub.add_parser("calib")
    p.add_argument("--trace", required=True)
    p.add_argument("--url", required=True)
    p.add_argument("--mock", required=True)
    p.add_argument("--key", default="sk-bench")
    p.add_argument("--out", required=True)
    p = sub.add_parser("replay")
    p.add_argument("--trace", required=True)
    p.add_argument("--url", required=True)
    p.add_argument("--key", default="sk-bench")
    p.add_argument("--out", required=True)
    p = sub.add_parser("oracle")
    p.add_argument("--trace", required=True)
    p.add_argument("--calib", required=True)
    p.add_argument("--limits", required=True, help='{"rpm":10,"rph":100,...}')
    p.add_argument("--floor", type=int, default=4096)
    p.add_argument("--max-wait", type=float, default=20)
    p.add_argument("--out", required=True)
    p = sub.add_parser("report")
    p.add_argument("--trace", required=True)
    p.add_argument("--oracle", required=True)
    p.add_argument("runs", nargs="+", help="name,results.json,cerebras-stats.json,zai-stats.json")
    args = ap.parse_args()
    {"trace": make_trace, "calib": calibrate, "replay": replay, "oracle": oracle,
     "report": report}[args.cmd](args)


if __name__ == "__main__":
    main()
