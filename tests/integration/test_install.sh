#!/usr/bin/env bash
# make install / make uninstall (issue 15), run as a user would, with the build under test
# (BUILD_DIR): PREFIX and DESTDIR are honoured, every file lands where the man page and the
# README say, the unit runs the installed binary, the installed binary runs, bash completion
# offers every command and every option --help lists, and uninstall removes exactly what
# install put there.
source "$(dirname "$0")/lib.sh"
BUILD=$(dirname "$SB_BIN")
MAKE_ARGS=(-s -C "$SB_SRC" BUILD_DIR="$BUILD")

expected_files() { # PREFIX UNIT_DIR
    printf '%s\n' "$1/bin/switchboard" "$1/share/man/man1/switchboard.1" \
        "$1/share/switchboard/config.yaml" "$1/share/switchboard/config.example.yaml" \
        "$1/share/switchboard/config.litellm-minimal.yaml" "$1/share/switchboard/env.example" \
        "$1/share/bash-completion/completions/switchboard" "$1/share/doc/switchboard/README.md" \
        "$1/share/doc/switchboard/README-RU.md" \
        "$2/switchboard.service" | sort
}

# DESTDIR + the default PREFIX: a staged install, as packagers use it.
make "${MAKE_ARGS[@]}" install DESTDIR="$T/stage" >"$T/install.log" 2>&1 || fail "make install: $(cat "$T/install.log")"
(cd "$T/stage" && find . -type f | sed 's|^\.||' | sort) >"$T/files"
expected_files /usr/local /usr/local/lib/systemd/user >"$T/want"
diff "$T/want" "$T/files" >"$T/diff" || fail "make install DESTDIR: files differ from the layout: $(cat "$T/diff")"
grep -qx 'ExecStart=/usr/local/bin/switchboard --headless .*' "$T/stage/usr/local/lib/systemd/user/switchboard.service" ||
    fail "the unit does not run /usr/local/bin/switchboard"
[ "$(stat -c %a "$T/stage/usr/local/bin/switchboard")" = 755 ] || fail "binary mode $(stat -c %a "$T/stage/usr/local/bin/switchboard")"
cmp -s "$SB_SRC/config.yaml" "$T/stage/usr/local/share/switchboard/config.yaml" || fail "share/switchboard/config.yaml is not the repo's"
pass "make install DESTDIR=...: $(wc -l <"$T/files") files under /usr/local, the unit runs /usr/local/bin/switchboard"

make "${MAKE_ARGS[@]}" uninstall DESTDIR="$T/stage" >"$T/uninstall.log" 2>&1 || fail "make uninstall: $(cat "$T/uninstall.log")"
left=$(find "$T/stage" -type f)
[ -z "$left" ] || fail "make uninstall left: $left"
[ ! -e "$T/stage/usr/local/share/switchboard" ] || fail "make uninstall left share/switchboard/"
pass "make uninstall DESTDIR=...: no file left"

# A PREFIX of the user's own, no DESTDIR, the unit where the user's systemd looks; a file of
# someone else's in a shared directory survives uninstall.
P=$T/prefix
UD=$T/home/.local/share/systemd/user
make "${MAKE_ARGS[@]}" install PREFIX="$P" SYSTEMD_USER_DIR="$UD" >"$T/install2.log" 2>&1 ||
    fail "make install PREFIX: $(cat "$T/install2.log")"
(find "$P" "$UD" -type f | sort) >"$T/files2"
expected_files "$P" "$UD" >"$T/want2"
diff "$T/want2" "$T/files2" >"$T/diff2" || fail "make install PREFIX: $(cat "$T/diff2")"
grep -qx "ExecStart=$P/bin/switchboard --headless .*" "$UD/switchboard.service" || fail "the unit does not run $P/bin/switchboard"
grep -q "^\.I $P/share/switchboard/\$" "$P/share/man/man1/switchboard.1" || fail "the man page does not name $P/share/switchboard/"
out=$("$P/bin/switchboard" --version)
[ "$out" = "$("$SB_BIN" --version)" ] || fail "installed --version: $out"
set +e
"$P/bin/switchboard" --check --config "$P/share/switchboard/config.yaml" >"$T/check.out" 2>&1
rc=$?
set -e
[ $rc = 0 ] || fail "installed --check of the shipped config: exit $rc: $(cat "$T/check.out")"
pass "make install PREFIX=... SYSTEMD_USER_DIR=...: installed binary runs (--version, --check of the shipped config)"

touch "$P/bin/someone-else" "$P/share/man/man1/other.1"
make "${MAKE_ARGS[@]}" uninstall PREFIX="$P" SYSTEMD_USER_DIR="$UD" >"$T/uninstall2.log" 2>&1 || fail "make uninstall PREFIX"
left=$(find "$P" "$UD" -type f | sort)
[ "$left" = "$(printf '%s\n' "$P/bin/someone-else" "$P/share/man/man1/other.1")" ] ||
    fail "make uninstall PREFIX removed too much or too little: $left"
pass "make uninstall PREFIX=...: only switchboard's files removed"

# Bash completion, from the installed file, as bash-completion would load it.
make "${MAKE_ARGS[@]}" install PREFIX="$P" SYSTEMD_USER_DIR="$UD" >/dev/null 2>&1 || fail "reinstall"
COMP=$P/share/bash-completion/completions/switchboard
# complete WORDS... : the candidates bash would offer for the last word.
complete_words() {
    bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _switchboard; printf "%s\n" "${COMPREPLY[@]}"' \
        _ "$COMP" "$@"
}
registered=$(bash -c "source '$COMP'; complete -p switchboard")
grep -q -- '-F _switchboard switchboard' <<<"$registered" ||
    fail "the completion is not registered for switchboard"
offered=$(complete_words switchboard --)
help_opts=$("$SB_BIN" --help | sed -n '/^options:/,/^$/p' | grep -oE -- '--[a-z][a-z-]+' | sort -u)
[ "$(wc -l <<<"$help_opts")" -ge 10 ] || fail "could not read the options from --help: $help_opts"
for o in $help_opts; do grep -qx -- "$o" <<<"$offered" || fail "completion does not offer $o: $offered"; done
cmds=$("$SB_BIN" --help | sed -n '/^commands:/,/^$/p' | grep -oE '^  [a-z][a-z-]+' | tr -d ' ')
[ "$(wc -l <<<"$cmds")" -ge 4 ] || fail "could not read the commands from --help: $cmds"
offered=$(complete_words switchboard '')
for c in $cmds; do grep -qx "$c" <<<"$offered" || fail "completion does not offer the $c command: $offered"; done
[ "$(complete_words switchboard conf)" = configure-claude ] || fail "conf does not complete to configure-claude"
cc_opts=$("$SB_BIN" configure-claude --help | grep -oE -- '--[a-z][a-z-]+' | sort -u)
offered=$(complete_words switchboard configure-claude --)
for o in $cc_opts; do grep -qx -- "$o" <<<"$offered" || fail "completion does not offer configure-claude $o"; done
mkdir -p "$T/cdir/sub" && touch "$T/cdir/my.yaml"
[ "$(complete_words switchboard --config "$T/cdir/my")" = "$T/cdir/my.yaml" ] || fail "--config does not complete files"
[ -z "$(complete_words switchboard --port '')" ] || fail "--port offers words"
pass "bash completion: all $(wc -l <<<"$help_opts") options and $(wc -l <<<"$cmds") commands of --help, configure-claude's options, files after --config"
