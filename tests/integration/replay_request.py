#!/usr/bin/env python3
"""Sends one recorded request (a Claude Code fixture or an SDK capture) to switchboard and
prints the HTTP status.

usage: replay_request.py BASE_URL FIXTURE.json [MASTER_KEY]
Sends the recorded method, path, headers and body as they were, except the connection's own
headers (Host, Content-Length, Connection, Accept-Encoding) and the key: the recorded
Authorization / x-api-key is replaced by MASTER_KEY in the same header, or dropped without one.
"""
import http.client
import json
import sys
import urllib.parse

base, path_ = sys.argv[1], sys.argv[2]
key = sys.argv[3] if len(sys.argv) > 3 else ""
fx = json.load(open(path_))
u = urllib.parse.urlparse(base)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
skip = {"host", "content-length", "connection", "accept-encoding"}
headers = {}
for k, v in fx["headers"]:
    lk = k.lower()
    if lk in skip:
        continue
    if lk == "authorization":
        v = "Bearer " + key if key else None
    elif lk == "x-api-key":
        v = key or None
    if v is not None:
        headers[k] = v
body = fx["body"] if isinstance(fx["body"], str) else json.dumps(fx["body"])
conn.request(fx["method"], fx["path"], body=body.encode(), headers=headers)
r = conn.getresponse()
r.read()
print(r.status)
