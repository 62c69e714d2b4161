#!/usr/bin/env bash
# The layer check passes on the tree, and fails, naming file and line, on each kind of
# forbidden include (a library header in a leaf layer, a higher layer's header).
set -u
here=$(cd "$(dirname "$0")" && pwd)
fail() { echo "FAIL: $*"; exit 1; }

bash "$here/layers.sh" >/dev/null || fail "the tree itself crosses a layer boundary: $(bash "$here/layers.sh")"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
expect_refused() { # file content message
    rm -rf "$tmp/repo" && mkdir -p "$tmp/repo/$(dirname "$1")"
    printf '%s\n' "/* test */" "#include <stdio.h>" "$2" >"$tmp/repo/$1"
    git -C "$tmp/repo" init -q && git -C "$tmp/repo" add -A
    out=$(LAYERS_ROOT="$tmp/repo" bash "$here/layers.sh") && fail "$1 with $2 passed the check"
    grep -qF "$3" <<<"$out" || fail "for $1 with $2, expected '$3' in: $out"
}
expect_refused src/core/x.c '#include <curses.h>' 'src/core/x.c:3: core may not include <curses.h>'
expect_refused src/route/x.c '#include <civetweb.h>' 'route may not include <civetweb.h>'
expect_refused src/xlate/x.c '#include <curl/curl.h>' 'xlate may not include <curl/curl.h>'
expect_refused src/route/x.c '#include <yaml.h>' 'route may not include <yaml.h>'
expect_refused src/core/x.c '#include <hiredis/hiredis.h>' 'core may not include <hiredis/hiredis.h>'
expect_refused src/xlate/x.c '#include "front/proxy.h"' 'xlate may not include "front/proxy.h"'
expect_refused src/front/x.c '#include "app/app.h"' 'front may not include "app/app.h"'
expect_refused include/route/x.h '#include "ui/ui.h"' 'route may not include "ui/ui.h"'
expect_refused src/x.c '#include "core/buf.h"' 'outside any layer folder'
expect_refused src/xlate/x.c '#  include   <curl/curl.h>' 'xlate may not include <curl/curl.h>'
expect_refused src/core/x.c '#include"route/state.h"' 'core may not include "route/state.h"'
# a layer folder without its README
rm -rf "$tmp/repo" && mkdir -p "$tmp/repo/src/core"
printf '%s\n' "/* ok */" >"$tmp/repo/src/core/x.c"
git -C "$tmp/repo" init -q && git -C "$tmp/repo" add -A
out=$(LAYERS_ROOT="$tmp/repo" bash "$here/layers.sh") && fail "a layer without README.md passed"
grep -qF "src/core has no README.md" <<<"$out" || fail "expected the missing README named: $out"
echo "PASS: layer check"
