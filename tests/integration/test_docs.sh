#!/usr/bin/env bash
# The manual (issue 15): assets/man/switchboard.1 renders without a single groff warning, has the
# sections a man page is expected to have, and names every option and command `--help` lists
# (and every option the parser accepts, as test_startup.sh checks for --help itself), the
# options of `configure-claude --help`, and the environment variables --help names.
source "$(dirname "$0")/lib.sh"
MAN=$SB_SRC/assets/man/switchboard.1
command -v groff >/dev/null || fail "groff missing: bash .ci/deps.sh --test installs groff-base"

groff -man -ww -z "$MAN" 2>"$T/groff.log" || fail "groff failed: $(cat "$T/groff.log")"
[ ! -s "$T/groff.log" ] || fail "groff warns: $(cat "$T/groff.log")"
# Rendered as man(1) shows it, one line per paragraph (no wrapping to split a word).
groff -man -Tascii -P-cbou -rLL=1000n "$MAN" 2>/dev/null >"$T/man.txt"
[ "$(wc -l <"$T/man.txt")" -ge 100 ] || fail "the man page rendered to almost nothing"
for s in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS ENVIRONMENT FILES SIGNALS "EXIT STATUS" EXAMPLES "SEE ALSO"; do
    grep -qx "$s" "$T/man.txt" || fail "the man page has no $s section"
done
pass "switchboard.1 renders without groff warnings and has all 11 sections"

# section NAME : the rendered text of one section.
section() { awk -v s="$1" '/^[A-Z][A-Z ]+$/ {on = ($0 == s); next} on' "$T/man.txt"; }
help=$("$SB_BIN" --help)
help_opts=$(sed -n '/^options:/,/^$/p' <<<"$help" | grep -oE -- '--[a-z][a-z-]+' | sort -u)
parser_opts=$(grep -oE '\{"[a-z-]+", +(no|required)_argument' "$SB_SRC/src/app/main.c" | grep -oE '"[a-z-]+"' | tr -d '"' | sed 's/^/--/')
[ "$(wc -w <<<"$help_opts")" -ge 10 ] && [ "$(wc -w <<<"$parser_opts")" -ge 10 ] ||
    fail "could not read the options: --help '$help_opts', parser '$parser_opts'"
section OPTIONS >"$T/options.txt"
for o in $help_opts $parser_opts; do
    grep -qE -- "(^|[ ,])$o( |,|$)" "$T/options.txt" || fail "OPTIONS does not describe $o"
done
short=$(sed -n '/^options:/,/^$/p' <<<"$help" | grep -oE '^  -[a-zA-Z],' | tr -d ' ,')
for o in $short; do grep -qE -- "(^| )$o, --" "$T/options.txt" || fail "OPTIONS does not give the short form $o"; done
pass "OPTIONS describes all $(wc -w <<<"$help_opts") options of --help ($(wc -w <<<"$short") short forms) and all $(wc -w <<<"$parser_opts") the parser accepts"

cmds=$(sed -n '/^commands:/,/^$/p' <<<"$help" | grep -oE '^  [a-z][a-z-]+' | tr -d ' ')
[ "$(wc -w <<<"$cmds")" -ge 4 ] || fail "could not read the commands from --help: $cmds"
section COMMANDS >"$T/commands.txt"
section SYNOPSIS >"$T/synopsis.txt"
for c in $cmds; do
    grep -qE "^       $c( |$)" "$T/commands.txt" || fail "COMMANDS does not describe $c"
    grep -q "switchboard $c\\b" "$T/synopsis.txt" || [ "$c" = help ] || fail "SYNOPSIS lacks switchboard $c"
done
cc_opts=$("$SB_BIN" configure-claude --help | grep -oE -- '--[a-z][a-z-]+' | sort -u)
for o in $cc_opts; do
    [ "$o" = --help ] || grep -qE -- "^ +$o( |$)" "$T/commands.txt" || fail "COMMANDS does not describe configure-claude $o"
done
init_opts=$("$SB_BIN" init --help | grep -oE -- '--[a-z][a-z-]+' | sort -u)
[ "$(wc -w <<<"$init_opts")" -ge 4 ] || fail "could not read init --help: $init_opts"
for o in $init_opts; do
    [ "$o" = --help ] || grep -qE -- "^ +$o( |$)" "$T/commands.txt" || fail "COMMANDS does not describe init $o"
done
pass "COMMANDS describes all $(wc -w <<<"$cmds") commands of --help, configure-claude's $(wc -w <<<"$cc_opts") options and init's $(wc -w <<<"$init_opts")"

vars=$(sed -n '/^environment:/,/^$/p' <<<"$help" | grep -oE '\b[A-Z][A-Z_]{3,}\b' | sort -u)
[ -n "$vars" ] || fail "could not read the environment from --help"
section ENVIRONMENT >"$T/env.txt"
for v in $vars XDG_CONFIG_HOME; do grep -qE "^       $v( |$)" "$T/env.txt" || fail "ENVIRONMENT does not describe $v"; done
section SIGNALS >"$T/signals.txt"
section "EXIT STATUS" >"$T/exit.txt"
for sig in SIGHUP SIGINT SIGTERM; do grep -q "$sig" "$T/signals.txt" || fail "SIGNALS does not describe $sig"; done
for code in 0 1 2; do grep -qE "^       $code( |$)" "$T/exit.txt" || fail "EXIT STATUS does not describe $code"; done
pass "ENVIRONMENT names $(wc -w <<<"$vars") variables of --help and XDG_CONFIG_HOME; SIGNALS and EXIT STATUS complete"
