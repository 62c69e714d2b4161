#!/usr/bin/env python3
"""Checks that README-RU.md is README.md in Russian, kept in step (issue 15).

usage: readme_sync.py README.md README-RU.md

Fails (exit 1, naming the first difference) unless:
  - each file links to the other within its first five lines;
  - both have the same headings: as many, at the same levels, in the same order;
  - section by section (the text under each heading): the same fenced code blocks, in order:
    shell blocks with the same commands (comments, which are translated, left out), other blocks
    (screens, output) byte for byte;
  - section by section, the same inline commands (`make ...`, `switchboard ...`,
    `build/switchboard ...`, `systemctl ...`, `curl ...`), the same set of inline code spans
    (names, keys, paths, values a translation must not lose), the same link targets and as
    many table rows.
Prints a one-line summary on success.
"""
import re
import sys

COMMAND = re.compile(r"^(make|switchboard|build/switchboard|build-release/switchboard|systemctl|curl|sudo|cp|man)\b")


def parse(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    sections = [{"heading": None, "level": 0, "blocks": [], "text": []}]
    fence = None
    for line in lines:
        if fence is not None:
            if line.startswith("```"):
                sections[-1]["blocks"].append((fence_lang, fence))
                fence = None
            else:
                fence.append(line)
            continue
        if line.startswith("```"):
            fence, fence_lang = [], line[3:].strip()
            continue
        m = re.match(r"^(#{1,6}) (.+)$", line)
        if m:
            sections.append({"heading": m.group(2), "level": len(m.group(1)), "blocks": [], "text": []})
            continue
        sections[-1]["text"].append(line)
    return lines, sections


def shell_commands(block):
    out = []
    for line in block:
        line = re.sub(r"(^|\s)#.*$", "", line).strip()
        if line:
            out.append(re.sub(r"\s+", " ", line))
    return out


def inline_spans(text):
    """Inline code, which may run over a line end (its spaces normalised)."""
    joined = " ".join(text)
    return [re.sub(r"\s+", " ", s).strip() for s in re.findall(r"`([^`]+)`", joined)]


def links(text):
    """Link targets, but the two files' links to each other."""
    found = re.findall(r"\]\(([^)\s]+)\)", "\n".join(text))
    return sorted(t for t in found if t not in ("README.md", "README-RU.md"))


def table_rows(text):
    return sum(1 for line in text if line.startswith("|"))


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def main():
    en_path, ru_path = sys.argv[1], sys.argv[2]
    en_lines, en = parse(en_path)
    ru_lines, ru = parse(ru_path)
    if not any("README-RU.md" in l for l in en_lines[:5]):
        fail(f"{en_path} does not link to README-RU.md in its first five lines")
    if not any("README.md" in l and "README-RU.md" not in l for l in ru_lines[:5]):
        fail(f"{ru_path} does not link to README.md in its first five lines")
    if [s["level"] for s in en] != [s["level"] for s in ru]:
        fail("headings differ: %s vs %s" % ([(s["level"], s["heading"]) for s in en],
                                            [(s["level"], s["heading"]) for s in ru]))
    n_blocks = n_cmds = n_spans = 0
    for e, r in zip(en, ru):
        where = f"section '{e['heading']}' / '{r['heading']}'"
        if len(e["blocks"]) != len(r["blocks"]):
            fail(f"{where}: {len(e['blocks'])} code blocks vs {len(r['blocks'])}")
        for (el, eb), (rl, rb) in zip(e["blocks"], r["blocks"]):
            if el != rl:
                fail(f"{where}: a ```{el} block is ```{rl}")
            if el == "sh":
                if shell_commands(eb) != shell_commands(rb):
                    fail(f"{where}: commands differ:\n  {shell_commands(eb)}\n  {shell_commands(rb)}")
                n_cmds += len(shell_commands(eb))
            elif eb != rb:
                fail(f"{where}: a ```{el} block differs")
            n_blocks += 1
        es, rs = inline_spans(e["text"]), inline_spans(r["text"])
        ec = sorted(s for s in es if COMMAND.match(s))
        rc = sorted(s for s in rs if COMMAND.match(s))
        if ec != rc:
            fail(f"{where}: inline commands differ: {sorted(set(ec) ^ set(rc))}")
        n_cmds += len(ec)
        if set(es) != set(rs):
            fail(f"{where}: inline code differs: only in {en_path}: {sorted(set(es) - set(rs))}; "
                 f"only in {ru_path}: {sorted(set(rs) - set(es))}")
        n_spans += len(set(es))
        if links(e["text"]) != links(r["text"]):
            fail(f"{where}: links differ: {links(e['text'])} vs {links(r['text'])}")
        if table_rows(e["text"]) != table_rows(r["text"]):
            fail(f"{where}: {table_rows(e['text'])} table rows vs {table_rows(r['text'])}")
    print(f"{len(en) - 1} headings, {n_blocks} code blocks, {n_cmds} commands, {n_spans} inline code spans in step")


main()
