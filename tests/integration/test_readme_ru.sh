#!/usr/bin/env bash
# README-RU.md is README.md in Russian (issue 15), linked from the top of each to the other and
# kept in step: the same sections, code blocks, commands, inline code, links and tables
# (tests/integration/readme_sync.py says what exactly is compared).
source "$(dirname "$0")/lib.sh"
out=$(python3 "$SB_SRC/tests/integration/readme_sync.py" "$SB_SRC/README.md" "$SB_SRC/README-RU.md") || fail "$out"
cyr=$(python3 -c 'import sys; print(sum("\u0400" <= c <= "\u04ff" for c in open(sys.argv[1], encoding="utf-8").read()))' "$SB_SRC/README-RU.md")
[ "$cyr" -gt 5000 ] || fail "README-RU.md holds $cyr Cyrillic letters: not a translation"
pass "README-RU.md in step with README.md: $out"
