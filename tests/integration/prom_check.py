#!/usr/bin/env python3
"""Checks Prometheus text exposition (format 0.0.4) read from a file or stdin.

Every line is a comment (# HELP / # TYPE) or a sample `name{label="value",...} number`; every
family has HELP and TYPE before its samples, once each, and its samples are contiguous;
counters are non-negative; every histogram series has buckets with ascending le, cumulative
counts, a last bucket le="+Inf" equal to _count, and a _sum.

With --dump it prints every sample as JSON lines {"name","labels","value"} after the checks,
for the calling test to assert on. Exits 1 with the first problem on stderr."""
import json
import math
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*"'
SAMPLE = re.compile(rf"^({NAME})(?:\{{((?:{LABEL})(?:,{LABEL})*)?\}})? (\S+)$")
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"')
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def die(msg):
    print("prom_check: " + msg, file=sys.stderr)
    sys.exit(1)


def number(s, line):
    if s in ("+Inf", "-Inf", "NaN"):
        return float(s.replace("Inf", "inf"))
    try:
        return float(s)
    except ValueError:
        die(f"bad value in: {line}")


def family_of(name, types):
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[: -len(suffix)] if name.endswith(suffix) else None
        if base and types.get(base) in ("histogram", "summary"):
            return base
    return name


def parse(text):
    helps, types, samples, order = {}, {}, [], []
    if not text.endswith("\n"):
        die("output does not end with a newline")
    for line in text.splitlines():
        if not line:
            die("empty line")
        if line.startswith("#"):
            m = re.match(rf"^# (HELP|TYPE) ({NAME}) (.+)$", line)
            if not m:
                die(f"bad comment: {line}")
            kind, name, rest = m.groups()
            table = helps if kind == "HELP" else types
            if name in table:
                die(f"second {kind} for {name}")
            if kind == "TYPE" and rest not in TYPES:
                die(f"unknown type in: {line}")
            if any(s["family"] == name for s in samples):
                die(f"{kind} for {name} after its samples")
            table[name] = rest
            continue
        m = SAMPLE.match(line)
        if not m:
            die(f"bad sample line: {line}")
        name, labels, value = m.groups()
        fam = family_of(name, types)
        if fam not in helps or fam not in types:
            die(f"sample without HELP and TYPE: {line}")
        if order and order[-1] != fam and fam in order:
            die(f"samples of {fam} are not contiguous: {line}")
        if not order or order[-1] != fam:
            order.append(fam)
        lab = dict(LABEL_RE.findall(labels or ""))
        v = number(value, line)
        if types[fam] == "counter" and not v >= 0:
            die(f"negative counter: {line}")
        samples.append({"name": name, "family": fam, "labels": lab, "value": v})
    return types, samples


def check_histograms(types, samples):
    for fam, t in types.items():
        if t != "histogram":
            continue
        series = {}
        for s in samples:
            if s["family"] != fam:
                continue
            key = tuple(sorted((k, v) for k, v in s["labels"].items() if k != "le"))
            series.setdefault(key, {"buckets": [], "sum": None, "count": None})
            entry = series[key]
            if s["name"] == fam + "_bucket":
                if "le" not in s["labels"]:
                    die(f"{fam} bucket without le")
                entry["buckets"].append((number(s["labels"]["le"], fam), s["value"]))
            elif s["name"] == fam + "_sum":
                entry["sum"] = s["value"]
            elif s["name"] == fam + "_count":
                entry["count"] = s["value"]
            else:
                die(f"{s['name']} in histogram {fam}")
        if not series:
            die(f"histogram {fam} has no series")
        for key, e in series.items():
            b = e["buckets"]
            if not b or not math.isinf(b[-1][0]):
                die(f"{fam}{dict(key)}: last bucket is not +Inf")
            if any(b[i][0] >= b[i + 1][0] for i in range(len(b) - 1)):
                die(f"{fam}{dict(key)}: le not ascending")
            if any(b[i][1] > b[i + 1][1] for i in range(len(b) - 1)):
                die(f"{fam}{dict(key)}: buckets not cumulative")
            if e["count"] is None or e["sum"] is None:
                die(f"{fam}{dict(key)}: _count or _sum missing")
            if b[-1][1] != e["count"]:
                die(f"{fam}{dict(key)}: +Inf bucket {b[-1][1]} != _count {e['count']}")


def main():
    args = [a for a in sys.argv[1:] if a != "--dump"]
    text = open(args[0]).read() if args else sys.stdin.read()
    types, samples = parse(text)
    check_histograms(types, samples)
    if "--dump" in sys.argv:
        for s in samples:
            print(json.dumps({"name": s["name"], "labels": s["labels"], "value": s["value"]}))


if __name__ == "__main__":
    main()
