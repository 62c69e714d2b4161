#!/usr/bin/env python3
"""Soak traffic for `make soak` (driven by tests/soak/run.sh): mixed requests against a running
switchboard for a set time while the mock providers rate-limit and change fault modes, with
the process's RSS, open descriptors and threads printed at the start, after warm-up, every
minute and at the end. Exit status 1 when the process leaked (RSS at the end more than twice
the value after warm-up, more descriptors or threads at rest than after warm-up) or when a
client got something no client should get (a broken answer, a dropped connection, a 500).

What counts as fine: a complete answer; a stream that ends properly or with an error event in
its own dialect; an error status in the client's API format that the providers' state
explains (429, 502, 503, 504; 400 for the deliberately bad requests)."""
import argparse
import http.client
import json
import os
import random
import socket
import sys
import threading
import time

KEY = "sk-soak"
ALLOWED_ERRORS = {429, 502, 503, 504, 529}  # 529: a provider overloaded, passed on


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--seconds", type=int, default=600)
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--mock-ports", required=True, help="name=port,name=port")
    ap.add_argument("--fixture", required=True, help="a Claude Code request body (JSON)")
    return ap.parse_args()


# ---- process vitals ----

def tcp_peers():
    """inode -> remote port for every TCP socket of the machine."""
    out = {}
    for f in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(f).read().splitlines()[1:]
        except OSError:
            continue
        for ln in lines:
            p = ln.split()
            out[p[9]] = int(p[2].rsplit(":", 1)[1], 16)
    return out


def vitals(pid, mock_ports):
    status = open(f"/proc/{pid}/status").read()
    rss = int(next(l for l in status.splitlines() if l.startswith("VmRSS")).split()[1])
    threads = int(next(l for l in status.splitlines() if l.startswith("Threads")).split()[1])
    fds, pooled = 0, 0
    peers = tcp_peers()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        fds += 1
        if target.startswith("socket:[") and peers.get(target[8:-1]) in mock_ports:
            pooled += 1  # a kept-alive connection to a provider: a pool, not a leak
    return {"rss_kb": rss, "threads": threads, "fds": fds, "pooled": pooled}


def fmt_vitals(v):
    return (f"rss {v['rss_kb'] / 1024:6.1f} MB  fds {v['fds']:4} (of which {v['pooled']} pooled "
            f"provider connections)  threads {v['threads']}")


# ---- traffic ----

class Counts:
    def __init__(self):
        self.lock = threading.Lock()
        self.c = {}
        self.errors = []

    def add(self, key, err=None):
        with self.lock:
            self.c[key] = self.c.get(key, 0) + 1
            if err:
                self.c["ERROR"] = self.c.get("ERROR", 0) + 1
                if len(self.errors) < 20:
                    self.errors.append(err)

    def snapshot(self):
        with self.lock:
            return dict(self.c)


def anthropic_error_ok(body):
    try:
        d = json.loads(body)
        return d["type"] == "error" and d["error"]["type"] and d["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return False


def openai_error_ok(body):
    try:
        d = json.loads(body)
        return bool(d["error"]["message"] and d["error"]["type"])
    except (ValueError, KeyError, TypeError):
        return False


def stream_end(api, text):
    """'done', 'error' (an error event in the client's dialect) or None (cut short)."""
    if api == "anthropic":
        if "event: message_stop" in text:
            return "done"
        return "error" if "event: error" in text else None
    if "data: [DONE]" in text:
        return "done"
    return "error" if '"error"' in text else None


class Worker(threading.Thread):
    def __init__(self, n, args, counts, fixture, gate):
        super().__init__(daemon=True)
        self.rng = random.Random(n)
        self.args, self.counts, self.fixture, self.gate = args, counts, fixture, gate
        self.conn = None

    def connection(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.args.port, timeout=60)
        return self.conn

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def body(self, api, stream):
        model = self.rng.choice(["glm-4.6", "glm-4.6", "glm-4.6", "zai-glm-4.6"])
        text = "soak " + "x" * self.rng.randint(10, 2000)
        if api == "anthropic":
            if stream and self.rng.random() < 0.15:
                return self.fixture  # a real 50 KB Claude Code request
            model = self.rng.choice([model, "claude-sonnet-4-5-20250929"])
            b = {"model": model, "max_tokens": 300, "messages": [{"role": "user", "content": text}]}
        else:
            b = {"model": model, "max_tokens": 300, "messages": [{"role": "user", "content": text}]}
            if stream and self.rng.random() < 0.5:
                b["stream_options"] = {"include_usage": True}
        if stream:
            b["stream"] = True
        return json.dumps(b).encode()

    def request(self, api, stream):
        path = "/v1/messages" if api == "anthropic" else "/v1/chat/completions"
        key = f"{api}-{'stream' if stream else 'json'}"
        hdr = {"content-type": "application/json", "authorization": f"Bearer {KEY}",
               "anthropic-version": "2023-06-01"}
        try:
            c = self.connection()
            c.request("POST", path, self.body(api, stream), hdr)
            r = c.getresponse()
            data = r.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as e:
            self.close()
            return self.counts.add(key + " transport", f"{key}: {type(e).__name__}: {e}")
        self.judge(key, api, stream, r.status, data)

    def judge(self, key, api, stream, status, data):
        if status == 200 and stream:
            end = stream_end(api, data)
            if end is None:
                return self.counts.add(key + " cut", f"{key}: stream ended without end or error")
            return self.counts.add(f"{key} 200 {end}")
        if status == 200:
            try:
                d = json.loads(data)
                ok = d.get("type") == "message" if api == "anthropic" else "choices" in d
            except ValueError:
                ok = False
            return self.counts.add(key + " 200", None if ok else f"{key}: bad 200 body {data[:200]}")
        shape = anthropic_error_ok if api == "anthropic" else openai_error_ok
        if status in ALLOWED_ERRORS and shape(data):
            return self.counts.add(f"{key} {status}")
        self.counts.add(f"{key} {status}", f"{key}: {status} {data[:200]}")

    def hang_up(self):
        """A client that leaves mid-stream: opens a stream, reads a little, drops the socket."""
        api = self.rng.choice(["anthropic", "openai"])
        path = "/v1/messages" if api == "anthropic" else "/v1/chat/completions"
        body = self.body(api, True)
        head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"Authorization: Bearer {KEY}\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        try:
            s = socket.create_connection(("127.0.0.1", self.args.port), timeout=30)
            s.sendall(head + body)
            s.recv(self.rng.choice([1, 200, 2000]))
            s.close()
            self.counts.add("hang-up")
        except OSError as e:
            self.counts.add("hang-up transport", f"hang-up: {e}")

    def bad_input(self):
        c = self.connection()
        try:
            c.request("POST", "/v1/chat/completions", b'{"model": "glm-4.6", "messages": [',
                      {"authorization": f"Bearer {KEY}", "content-type": "application/json"})
            r = c.getresponse()
            data = r.read()
        except (OSError, http.client.HTTPException) as e:
            self.close()
            return self.counts.add("bad-input transport", f"bad-input: {e}")
        ok = r.status == 400 and openai_error_ok(data)
        self.counts.add(f"bad-input {r.status}", None if ok else f"bad-input: {r.status} {data[:200]}")

    def count_tokens(self):
        c = self.connection()
        try:
            c.request("POST", "/v1/messages/count_tokens", self.fixture,
                      {"authorization": f"Bearer {KEY}", "content-type": "application/json"})
            r = c.getresponse()
            data = r.read()
            ok = r.status == 200 and json.loads(data)["input_tokens"] > 0
        except (OSError, http.client.HTTPException, ValueError, KeyError) as e:
            self.close()
            return self.counts.add("count_tokens transport", f"count_tokens: {e}")
        self.counts.add(f"count_tokens {r.status}", None if ok else f"count_tokens: {data[:200]}")

    def run(self):
        while self.gate.wait() and not self.gate.done:
            with self.gate.lock:
                self.gate.busy += 1
            self.one()
            with self.gate.lock:
                self.gate.busy -= 1
            if self.gate.paused:
                self.close()  # at rest, no client connection stays open

    def one(self):
        x = self.rng.random()
        if x < 0.06:
            self.hang_up()
        elif x < 0.08:
            self.bad_input()
        elif x < 0.10:
            self.count_tokens()
        else:
            self.request(self.rng.choice(["anthropic", "openai"]), self.rng.random() < 0.6)


class Gate(threading.Event):
    """Lets workers run while set; pause() clears it, and workers drop their connections."""

    def __init__(self):
        super().__init__()
        self.paused = False
        self.done = False
        self.lock = threading.Lock()
        self.busy = 0  # workers in the middle of a request

    def pause(self):
        self.paused = True
        self.clear()

    def resume(self):
        self.paused = False
        self.set()


def fault_flipper(ports, stop, counts):
    """Every 20 s one provider gets a fault for 8 s: outages, flapping, cut or stalled streams,
    slow first bytes, garbage. Plain 429s come from the cerebras mock's own rpm limit."""
    rng = random.Random(7)
    # ("huge", an endless stream, is left to the fault suite: a client reading it never ends.)
    modes = ["503", "500", "529", "429", "429_reset", "flap", "cut", "stall", "slow", "bad_sse",
             "not_json"]
    while not stop.wait(12):
        name = rng.choice(sorted(ports))
        mode = rng.choice(modes)
        set_fault(ports[name], mode)
        counts.add(f"fault {name}={mode}")
        stop.wait(8)
        set_fault(ports[name], "none")


def set_fault(port, mode):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request("POST", "/_mock/fault", json.dumps({"mode": mode}).encode())
        c.getresponse().read()
        c.close()
    except OSError:
        pass


def settle(pid, ports, gate):
    """Vitals once the process is at rest: no request in flight and nothing changing."""
    deadline = time.time() + 120
    while gate.busy and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(3)
    prev = None
    for _ in range(20):
        v = vitals(pid, ports)
        if prev and v["fds"] == prev["fds"] and v["threads"] == prev["threads"]:
            return v
        prev = v
        time.sleep(1)
    return prev


def summary(counts, t0):
    c = counts.snapshot()
    total = sum(v for k, v in c.items() if not k.startswith("fault") and k != "ERROR")
    ok = sum(v for k, v in c.items() if " 200" in k or k == "hang-up" or k.startswith("bad-input 400"))
    limited = sum(v for k, v in c.items() if k.endswith(" 429"))
    failed = sum(v for k, v in c.items() if k.endswith((" 502", " 503", " 504", " 529")))
    instream = sum(v for k, v in c.items() if k.endswith("200 error"))
    return (f"{time.time() - t0:5.0f}s  requests {total}  ok {ok} (stream error events {instream})  "
            f"429 {limited}  5xx {failed}  errors {c.get('ERROR', 0)}")


def main():
    a = parse_args()
    ports = {n: int(p) for n, p in (x.split("=") for x in a.mock_ports.split(","))}
    fixture = json.dumps(dict(json.load(open(a.fixture)), model="glm-4.6")).encode()
    counts, gate, stop = Counts(), Gate(), threading.Event()
    start = vitals(a.pid, set(ports.values()))
    print(f"start (idle):        {fmt_vitals(start)}", flush=True)
    workers = [Worker(i, a, counts, fixture, gate) for i in range(a.workers)]
    for w in workers:
        w.start()
    t0 = time.time()
    warm = min(60, max(10, a.seconds // 10))
    gate.resume()
    time.sleep(warm)
    gate.pause()
    base = settle(a.pid, set(ports.values()), gate)
    print(f"after warm-up ({warm}s): {fmt_vitals(base)}  [{summary(counts, t0)}]", flush=True)
    flipper = threading.Thread(target=fault_flipper, args=(ports, stop, counts), daemon=True)
    flipper.start()
    gate.resume()
    next_report = time.time() + 60
    while time.time() - t0 < a.seconds:
        time.sleep(1)
        if time.time() >= next_report:
            next_report += 60
            print(f"under load:          {fmt_vitals(vitals(a.pid, set(ports.values())))}  "
                  f"[{summary(counts, t0)}]", flush=True)
    stop.set()
    for p in ports.values():
        set_fault(p, "none")
    gate.pause()
    end = settle(a.pid, set(ports.values()), gate)
    print(f"end (at rest):       {fmt_vitals(end)}  [{summary(counts, t0)}]", flush=True)
    gate.done = True
    gate.set()

    c = counts.snapshot()
    print("\nrequests by kind and outcome:")
    for k in sorted(c):
        print(f"  {k:<40} {c[k]}")
    bad = []
    if end["rss_kb"] > 2 * base["rss_kb"]:
        bad.append(f"RSS grew from {base['rss_kb']} kB after warm-up to {end['rss_kb']} kB")
    if end["fds"] - end["pooled"] > base["fds"] - base["pooled"]:
        bad.append(f"descriptors other than pooled provider connections grew: "
                   f"{base['fds'] - base['pooled']} -> {end['fds'] - end['pooled']}")
    if end["pooled"] > 4 * a.workers * len(ports):
        bad.append(f"{end['pooled']} pooled provider connections for {a.workers} clients")
    if end["threads"] > base["threads"]:
        bad.append(f"threads grew: {base['threads']} -> {end['threads']}")
    if c.get("ERROR"):
        bad.append(f"{c['ERROR']} requests got an answer no client should get, e.g.:\n    " +
                   "\n    ".join(counts.errors[:10]))
    for b in bad:
        print(f"FAIL: {b}")
    if not bad:
        print("soak passed: no growth in RSS, descriptors or threads; every answer well-formed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
