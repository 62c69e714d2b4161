#!/usr/bin/env python3
"""Prints the `make bench` table from the JSON lines tests/bench/run.sh collects. Every figure
is switchboard against the mock reached directly in the same run (added ms, or a ratio); the
aims are issue 6's. Usage: table.py RESULTS.jsonl"""
import json
import sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
meta = next((r for r in rows if r["kind"] == "meta"), {})


def ms(v):
    return f"{v:8.3f}" if v is not None else "       -"


def add(p, d, key):
    if not p or not d:
        return None
    return p[key] - d[key]


def fmt_add(v):
    return f"{v:+8.3f}" if v is not None else "       -"


def errs(r):
    d, p = r.get("direct") or {}, r.get("proxy") or {}
    e = (d.get("errors", 0), p.get("errors", 0))
    return f"  errors {e[0]}/{e[1]}" if any(e) else ""


print(f"\nswitchboard bench: loopback, {meta.get('cores')} cores, load before the run ended "
      f"{meta.get('load')}; all times in ms; 'added' = through switchboard minus the mock direct")
print("\nLatency (whole request; for streams, to the last byte)       direct p50/p99       "
      "proxy p50/p99        added p50 / p99     ttfb added p50")
for r in (x for x in rows if x["kind"] == "lat"):
    d, p = r["direct"], r["proxy"]
    print(f"  {r['name']:<46} c={r['c']:<3} {ms(d and d['p50'])}/{ms(d and d['p99'])}  "
          f"{ms(p and p['p50'])}/{ms(p and p['p99'])}  {fmt_add(add(p, d, 'p50'))} /"
          f"{fmt_add(add(p, d, 'p99'))}  {fmt_add(add(p, d, 'ttfb_p50'))}{errs(r)}")
print("  aims: 1 KB c=1 added p50 <= 0.1, p99 <= 0.5; 50 KB translation path <= 1")

print("\nStreaming (TTFT = first chunk with text)                 chunks  TTFT added p50/p99  "
      "  gap direct p50/p99   gap added p50 / p99")
for r in (x for x in rows if x["kind"] == "stream"):
    d, p = r["direct"], r["proxy"]
    print(f"  {r['name']:<46} c={r['c']:<2} {p['chunks'] if p else 0:5.0f}  "
          f"{fmt_add(add(p, d, 'ttft_p50'))} /{fmt_add(add(p, d, 'ttft_p99'))}  "
          f"{ms(d and d['gap_p50'])}/{ms(d and d['gap_p99'])}  {fmt_add(add(p, d, 'gap_p50'))} /"
          f"{fmt_add(add(p, d, 'gap_p99'))}{errs(r)}")
print("  aim: added TTFT <= 0.2")

holds = [x for x in rows if x["kind"] == "hold"]
if holds:
    print(f"\nConcurrent streams (50 chunks, one every {meta.get('held_ms')} ms, opened over "
          f"{meta.get('ramp_ms')} ms; stalled = a gap between chunks > pacing + 100 ms)")
    print("  streams threads | direct: stalled err worst-gap ttfb-p50 | switchboard: stalled err "
          "peak-open worst-gap gap-p99 ttfb-p50 ttfb-max | RSS MB idle/all open/peak/after")
    best = 0
    for h in holds:
        d, p = h.get("direct") or {}, h.get("proxy") or {}
        ok = p and p.get("stalled", 1) == 0 and p.get("errors", 1) == 0
        ok_d = d and d.get("stalled", 1) == 0 and d.get("errors", 1) == 0
        if ok and (not holds or h["n"] > best):
            best = h["n"]
        mb = lambda kb: f"{kb / 1024:.1f}" if kb and kb > 0 else "-"
        print(f"  {h['n']:7} {h['threads']:7} | {d.get('stalled', '-'):>15} {d.get('errors', '-'):>3} "
              f"{d.get('worst_gap', 0):9.1f} {d.get('ttfb_p50', 0):8.1f} | {p.get('stalled', '-'):>20} "
              f"{p.get('errors', '-'):>3} {p.get('peak_open', '-'):>9} {p.get('worst_gap', 0):9.1f} "
              f"{p.get('gap_p99', 0):7.1f} {p.get('ttfb_p50', 0):8.1f} {p.get('ttfb_max', 0):8.1f} | "
              f"{mb(h.get('rss_idle'))}/{mb(p.get('rss_all_open_kb'))}/{mb(p.get('rss_peak_kb'))}/"
              f"{mb(h.get('rss_after'))}{'' if ok_d else '  (direct stalled too)'}")
    print(f"  largest count held with no stall through switchboard: {best} (aim >= 1000); "
          f"switchboard's first byte is the first text chunk, one pacing interval in")

print("\nMemory (switchboard RSS, MB)")
print(f"  idle after start, default num_threads: RSS {meta.get('rss_idle', 0) / 1024:.1f} "
      f"(private {meta.get('anon_idle', 0) / 1024:.1f}, PSS {meta.get('pss_idle', 0) / 1024:.1f}; "
      f"{meta.get('threads_idle')} threads); after the latency rows: RSS "
      f"{meta.get('rss_after_latency', 0) / 1024:.1f}   (aim idle <= 8)")
h256 = next((h for h in holds if h["n"] == 256), None)
if h256 and h256.get("proxy"):
    p = h256["proxy"]
    print(f"  256 streams: idle {h256['rss_idle'] / 1024:.1f} -> all open "
          f"{p['rss_all_open_kb'] / 1024:.1f}, peak {p['rss_peak_kb'] / 1024:.1f} -> 2 s after "
          f"{h256['rss_after'] / 1024:.1f}   (aim <= 64 under 256 streams, back down after)")

fo = next((x for x in rows if x["kind"] == "failover"), None)
if fo and fo["via_429"] and fo["fallback_direct"] and fo["mock_429"]:
    v, f, m = fo["via_429"], fo["fallback_direct"], fo["mock_429"]
    extra = v["ttfb_p50"] - f["ttfb_p50"]
    print("\nFailover (OpenAI stream; primary mock answers 429, fallback zai)")
    print(f"  first byte via the 429: p50 {v['ttfb_p50']:.3f} p99 {v['ttfb_p99']:.3f}; "
          f"straight to the fallback: p50 {f['ttfb_p50']:.3f} p99 {f['ttfb_p99']:.3f}; "
          f"the mock's 429 alone: p50 {m['p50']:.3f}")
    print(f"  added by the failover: {extra:+.3f} ms p50, of which the 429 exchange itself "
          f"{m['p50']:.3f}: switchboard's own failover cost {extra - m['p50']:+.3f} ms "
          f"(aim <= 1 beyond the fallback's own latency){errs({'direct': f, 'proxy': v})}")
