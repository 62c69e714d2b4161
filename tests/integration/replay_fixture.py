#!/usr/bin/env python3
"""Replays a recorded Claude Code request against switchboard and validates the answer.

usage: replay_fixture.py BASE_URL FIXTURE.json  -> prints {"provider","status","summary"}
Sends the recorded method, path, headers (auth replaced by the test master key) and body.
"""
import http.client
import json
import subprocess
import sys
import urllib.parse

base, path_ = sys.argv[1], sys.argv[2]
fx = json.load(open(path_))
u = urllib.parse.urlparse(base)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
skip = {"host", "content-length", "authorization", "x-api-key", "accept-encoding", "connection"}
headers = {k: v for k, v in fx["headers"] if k.lower() not in skip}
headers["Authorization"] = "Bearer sk-1234"
body = json.dumps(fx["body"]).encode()
conn.request(fx["method"], fx["path"], body=body, headers=headers)
r = conn.getresponse()
data = r.read().decode()
out = {"status": r.status, "provider": r.getheader("x-switchboard-provider"),
       "attempts": r.getheader("x-switchboard-attempts")}
if r.status != 200:
    out["body"] = data[:500]
elif "count_tokens" in fx["path"]:
    out["summary"] = json.loads(data)
elif fx["body"].get("stream"):
    chk = subprocess.run([sys.executable, __file__.replace("replay_fixture.py", "sse_check.py"), "anthropic"],
                         input=data, capture_output=True, text=True)
    if chk.returncode != 0:
        out["status"] = -1
        out["body"] = chk.stderr + data[:500]
    else:
        out["summary"] = json.loads(chk.stdout)
else:
    out["summary"] = json.loads(data)
print(json.dumps(out))
