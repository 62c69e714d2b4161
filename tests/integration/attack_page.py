#!/usr/bin/env python3
"""A hostile web page on another local port, for the headless-browser test.

usage: attack_page.py PORT_FILE TARGET_URL MASTER_KEY REPORT_FILE

Serves GET / : a page that, as soon as it loads, throws at TARGET_URL everything a page can
send without the user's help: fetch() in no-cors mode with text/plain and form bodies and with
no body, fetch() in cors mode with a JSON body and an Authorization header (preflighted),
cross-origin reads of GET routes, sendBeacon, and real HTML form posts (urlencoded, text/plain,
multipart) into hidden iframes. Each attempt reports what the page could see; the page then
POSTs its report to /report here (same origin), which writes it to REPORT_FILE. Serves until
killed.
"""
import http.server
import json
import sys

port_file, target, key, report_file = sys.argv[1:5]

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>attack</title></head><body>
<script>
const T = %(target)s, KEY = %(key)s;
const ANT = JSON.stringify({model: "glm-4.6", max_tokens: 16, messages: [{role: "user", content: "hi"}]});
const OAI = JSON.stringify({model: "glm-4.6", messages: [{role: "user", content: "hi"}]});
const POSTS = [["/v1/messages", ANT], ["/v1/messages/count_tokens", ANT],
  ["/v1/chat/completions", OAI], ["/chat/completions", OAI], ["/admin/fallback", '{"force":true}'],
  ["/admin/providers/cerebras/disable", "{}"], ["/admin/reload", "{}"]];
const GETS = ["/admin/state", "/v1/models", "/metrics", "/health"];
const results = [];
function note(what, outcome) { results.push({what, outcome}); }

async function attempt(what, f) {
  try {
    const r = await f();
    if (r.type === "opaque") { note(what, "opaque"); return; }
    let text = "";
    try { text = await r.text(); } catch (e) {}
    note(what, "read " + r.status + " " + text.slice(0, 200));
  } catch (e) {
    note(what, "blocked");
  }
}

function formPost(action, enctype, fields) {
  return new Promise(resolve => {
    const name = "f" + Math.random().toString(36).slice(2);
    const ifr = document.createElement("iframe");
    ifr.name = name; ifr.style.display = "none";
    document.body.appendChild(ifr);
    const form = document.createElement("form");
    form.method = "POST"; form.action = T + action; form.enctype = enctype; form.target = name;
    for (const [k, v] of Object.entries(fields)) {
      const i = document.createElement("input"); i.type = "hidden"; i.name = k; i.value = v;
      form.appendChild(i);
    }
    document.body.appendChild(form);
    let done = false;
    const finish = how => { if (!done) { done = true; note("form " + enctype + " " + action, how); resolve(); } };
    ifr.onload = () => {
      let seen = "cross-origin (unreadable)";
      try { seen = "read " + ifr.contentDocument.body.innerText.slice(0, 200); } catch (e) {}
      finish(seen);
    };
    setTimeout(() => finish("no load event"), 5000);
    form.submit();
  });
}

async function run() {
  for (const [p, body] of POSTS) {
    await attempt("no-cors text/plain " + p, () => fetch(T + p, {method: "POST", mode: "no-cors",
      headers: {"Content-Type": "text/plain"}, body}));
    await attempt("no-cors urlencoded " + p, () => fetch(T + p, {method: "POST", mode: "no-cors",
      headers: {"Content-Type": "application/x-www-form-urlencoded"}, body}));
    await attempt("no-cors no body " + p, () => fetch(T + p, {method: "POST", mode: "no-cors"}));
    await attempt("cors json+auth " + p, () => fetch(T + p, {method: "POST", mode: "cors",
      headers: {"Content-Type": "application/json", "Authorization": "Bearer " + KEY,
                "x-api-key": KEY, "anthropic-version": "2023-06-01"}, body}));
    note("beacon " + p, navigator.sendBeacon(T + p, new Blob([body], {type: "text/plain"})) ? "queued" : "refused");
  }
  for (const p of GETS) {
    await attempt("cors read " + p, () => fetch(T + p, {headers: {"Authorization": "Bearer " + KEY}}));
    await attempt("simple read " + p, () => fetch(T + p));
  }
  await formPost("/admin/fallback", "application/x-www-form-urlencoded", {force: "true"});
  await formPost("/v1/chat/completions", "text/plain", {'{"model":"glm-4.6","messages":[{"role":"user","content":"hi"}],"x":"': '"}'});
  await formPost("/admin/providers/cerebras/disable", "multipart/form-data", {a: "b"});
  await formPost("/admin/reload", "application/x-www-form-urlencoded", {});
  await fetch("/report", {method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({results})});
  document.title = "DONE";
}
run();
</script></body></html>
"""


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _send(self, code, ctype, body):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path != "/":
            return self._send(404, "text/plain", b"no")
        page = PAGE % {"target": json.dumps(target), "key": json.dumps(key)}
        self._send(200, "text/html; charset=utf-8", page.encode())

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        data = self.rfile.read(n)
        if self.path == "/report":
            with open(report_file + ".tmp", "wb") as f:
                f.write(data)
            import os
            os.replace(report_file + ".tmp", report_file)
        self._send(204, "text/plain", b"")

    def log_message(self, *args):
        pass


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.replace(port_file + ".tmp", port_file)
srv.serve_forever()
