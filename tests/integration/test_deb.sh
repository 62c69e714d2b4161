#!/usr/bin/env bash
# The Debian package (issue 15): assets/packaging/mkdeb.sh (what `make deb` runs) packages the build
# under test; the package is installed with dpkg into a scratch root whose database holds the
# packages it depends on, exactly as this machine has them (so its Depends must name real,
# installed Debian packages at versions that satisfy it: no --force-depends); the installed
# `switchboard --version` and `--check` run; then it is removed and purged and leaves
# nothing behind. Works as root and as any user (dpkg --root --force-not-root).
source "$(dirname "$0")/lib.sh"
command -v dpkg-shlibdeps >/dev/null || fail "dpkg-shlibdeps missing: bash .ci/deps.sh --test installs dpkg-dev"
BUILD=$(dirname "$SB_BIN")

deb=$(bash "$SB_SRC/assets/packaging/mkdeb.sh" "$BUILD" "$T/out" 2>"$T/mkdeb.log" | tail -1) ||
    fail "mkdeb.sh failed: $(cat "$T/mkdeb.log")"
[ -f "$deb" ] || fail "no package: '$deb' $(cat "$T/mkdeb.log")"
version=$("$SB_BIN" --version | awk '{print $2}')
[ "$(basename "$deb")" = "switchboard_${version}_$(dpkg --print-architecture).deb" ] ||
    fail "package name $(basename "$deb") for version $version"
dpkg-deb --field "$deb" Package Version Architecture Maintainer Depends Installed-Size >"$T/fields"
grep -qx "Version: $version" "$T/fields" || fail "Version field: $(cat "$T/fields")"
depends=$(dpkg-deb --field "$deb" Depends)
for lib in libc6 libcurl4 libcivetweb1 libcjson1 libyaml-0-2 libncursesw6; do
    grep -Eq "(^|, )$lib( |,|$)" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
pass "built $(basename "$deb") ($(stat -c %s "$deb") bytes); Depends: $depends"

# The layout: make install's under /usr, man page gzipped, copyright, root-owned, no /usr/local.
dpkg-deb --contents "$deb" >"$T/contents"
for f in usr/bin/switchboard usr/share/man/man1/switchboard.1.gz usr/share/switchboard/config.yaml \
    usr/share/switchboard/config.example.yaml usr/share/switchboard/env.example \
    usr/share/bash-completion/completions/switchboard usr/lib/systemd/user/switchboard.service \
    usr/share/doc/switchboard/copyright usr/share/doc/switchboard/changelog.gz \
    usr/share/doc/switchboard/README.md.gz usr/share/doc/switchboard/README-RU.md.gz; do
    grep -q " \./$f\$" "$T/contents" || fail "package lacks /$f: $(cat "$T/contents")"
done
owners=$(awk '{print $2}' "$T/contents" | sort -u)
[ "$owners" = root/root ] || fail "files not owned by root: $(cat "$T/contents")"
! grep -q 'usr/local' "$T/contents" || fail "the package installs into /usr/local"
grep -q '^-rwxr-xr-x .* \./usr/bin/switchboard$' "$T/contents" || fail "binary mode: $(grep bin/switchboard "$T/contents")"
pass "layout: $(grep -c '^-' "$T/contents") files under /usr, root-owned"

# A scratch root whose dpkg database holds just the dependencies, as this machine has them.
R=$T/root
ADMIN=$R/var/lib/dpkg
mkdir -p "$ADMIN/info" "$ADMIN/updates"
: >"$ADMIN/available"
deps=$(sed 's/([^)]*)//g; s/|/,/g' <<<"$depends" | tr ',' '\n' | awk '{print $1}' | sort -u)
awk -v want="$(tr '\n' ' ' <<<"$deps")" '
    BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) keep[w[i]] = 1 }
    /^Package: / { pkg = $2 }
    { para = para $0 "\n" }
    /^$/ { if (pkg in keep) printf "%s", para; para = ""; pkg = "" }
    END { if (pkg in keep) printf "%s\n", para }' /var/lib/dpkg/status >"$ADMIN/status"
for p in $deps; do
    : >"$ADMIN/info/$p.list"
    : >"$ADMIN/info/$p:$(dpkg --print-architecture).list"
done
DPKG=(dpkg --root="$R" --log=/dev/null --force-not-root)
"${DPKG[@]}" -i "$deb" >"$T/install.log" 2>&1 || fail "dpkg -i into the scratch root: $(cat "$T/install.log")"
! grep -qi 'warning\|error' "$T/install.log" || fail "dpkg -i warned: $(cat "$T/install.log")"
status=$(dpkg-query --admindir="$ADMIN" -W -f='${Status}' switchboard)
[ "$status" = "install ok installed" ] || fail "status after install: $status"
[ -x "$R/usr/bin/switchboard" ] || fail "no /usr/bin/switchboard in the scratch root"
pass "dpkg -i into a scratch root: $status, dependencies satisfied without forcing"

# The installed binary, its unit and its man page.
out=$("$R/usr/bin/switchboard" --version)
[ "$out" = "switchboard $version" ] || fail "installed --version: $out"
grep -qx 'ExecStart=/usr/bin/switchboard --headless .*' "$R/usr/lib/systemd/user/switchboard.service" ||
    fail "the unit does not run /usr/bin/switchboard: $(grep ExecStart "$R/usr/lib/systemd/user/switchboard.service")"
zcat "$R/usr/share/man/man1/switchboard.1.gz" >"$T/man.roff"
grep -q '^\.TH SWITCHBOARD 1 .*"switchboard '"$version"'"' "$T/man.roff" ||
    fail "the man page does not carry the version"
grep -q '^\.I /usr/share/switchboard/$' "$T/man.roff" ||
    fail "the man page's FILES do not name /usr/share/switchboard"
pass "installed: --version says $version, the unit runs /usr/bin/switchboard, the man page names /usr"

# --check with the packaged example config, found where a user keeps it, its .env beside it.
start_mock cerebras openai --key ck-test
mkdir -p "$T/xdg/switchboard" "$T/cwd"
cp "$R/usr/share/switchboard/config.yaml" "$T/xdg/switchboard/config.yaml"
printf 'CEREBRAS_API_KEY=ck-test\n' >"$T/xdg/switchboard/.env"
set +e
(cd "$T/cwd" && XDG_CONFIG_HOME=$T/xdg exec "$R/usr/bin/switchboard" --check) >"$T/check.out" 2>"$T/check.err"
rc=$?
set -e
[ $rc = 0 ] || fail "installed --check: exit $rc: $(cat "$T/check.out" "$T/check.err")"
grep -qx "  config  $T/xdg/switchboard/config.yaml (the user's config directory)" "$T/check.out" ||
    fail "--check does not name the config: $(cat "$T/check.out")"
grep -qx "  .env    $T/xdg/switchboard/.env (beside the config)" "$T/check.out" ||
    fail "--check does not name the .env: $(cat "$T/check.out")"
grep -q 'key set from CEREBRAS_API_KEY' "$T/check.out" || fail "the .env's key not seen: $(cat "$T/check.out")"
pass "installed --check: the shipped config.yaml is valid, files named"

# Removal and purge leave nothing but dpkg's own database.
"${DPKG[@]}" -r switchboard >"$T/remove.log" 2>&1 || fail "dpkg -r: $(cat "$T/remove.log")"
"${DPKG[@]}" -P switchboard >"$T/purge.log" 2>&1 || fail "dpkg -P: $(cat "$T/purge.log")"
left=$(cd "$R" && find . -mindepth 1 ! -path './var' ! -path './var/lib' ! -path './var/lib/dpkg' ! -path './var/lib/dpkg/*')
[ -z "$left" ] || fail "left behind after purge: $left"
status=$(dpkg-query --admindir="$ADMIN" -W -f='${Status}' switchboard 2>/dev/null || true)
case $status in "" | *not-installed) ;; *) fail "after purge dpkg says: $status" ;; esac
pass "dpkg -r and -P: nothing left behind"
