#!/usr/bin/env bash
# Installs the Debian packages switchboard needs to build, test and run.
# As root it installs what is missing; otherwise it prints the exact command.
set -eu
pkgs="cmake make gcc pkg-config libcivetweb-dev libcurl4-openssl-dev libcjson-dev libyaml-dev
libncurses-dev libcmocka-dev libhiredis-dev"
# make deb: dpkg-dev (dpkg-shlibdeps names the dependencies, dpkg-buildflags the hardening
# flags); dpkg-deb itself is part of dpkg.
deb_pkgs="dpkg-dev"
if [ "${1:-}" = "--test" ]; then
    # chromium: tests/integration/test_browser.sh attacks switchboard from a real browser.
    # groff-base: test_docs.sh renders the man page and fails on any groff warning.
    # redis-server: the shared-limits tests run a real one.
    pkgs="$pkgs tmux curl clang libclang-rt-14-dev python3 clang-format chromium groff-base redis-server $deb_pkgs"
elif [ "${1:-}" = "--deb" ]; then
    pkgs="$pkgs $deb_pkgs"
fi
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ]; then
    echo "installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || true
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
    echo "missing packages:$missing"
    echo "run:  sudo apt-get install -y$missing"
    exit 1
fi
