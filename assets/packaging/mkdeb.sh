#!/usr/bin/env bash
# Builds the Debian package from a configured CMake build directory with Debian's own tools:
# cmake --install stages the same layout as `make install PREFIX=/usr`, dpkg-shlibdeps names
# the runtime dependencies by their Debian package names (and minimum versions) from the
# libraries the binary links, dpkg-deb builds the .deb with root-owned files (no fakeroot).
#
#   assets/packaging/mkdeb.sh BUILD_DIR OUT_DIR      (make deb: BUILD_DIR=build-deb, OUT_DIR=.)
#
# Prints the path of the .deb on its last line. DEB_COMPRESS (xz, gzip, none) picks the
# compression; DEB_MAINTAINER the Maintainer field (default: the last commit's author).
set -euo pipefail
build=$(cd "$1" && pwd)
out=$(mkdir -p "$2" && cd "$2" && pwd)
src=$(cd "$(dirname "$0")/../.." && pwd)

version=$(sed -n 's/^project(switchboard VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[ -n "$version" ] || { echo "mkdeb: no version in CMakeLists.txt" >&2; exit 1; }
arch=$(dpkg --print-architecture)
maintainer=${DEB_MAINTAINER:-$(git -C "$src" log -1 --format='%an <%ae>' 2>/dev/null || true)}
maintainer=${maintainer:-switchboard maintainers <switchboard@localhost>}

# dpkg-shlibdeps wants a source tree: debian/control, and the package's files staged under
# debian/<package>/.
work=$(mktemp -d "${TMPDIR:-/tmp}/sbdeb.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/debian/switchboard
mkdir -p "$root/DEBIAN"
printf 'Source: switchboard\n\nPackage: switchboard\nArchitecture: any\n' >"$work/debian/control"

DESTDIR=$root SB_SYSTEMD_USER_DIR=/usr/lib/systemd/user \
    cmake --install "$build" --prefix /usr >/dev/null

# Debian policy: binaries stripped (as dh_strip does), man pages, docs and changelogs gzip -9n,
# a copyright file, directories 0755, files 0644 (the binary 0755).
strip --remove-section=.comment --remove-section=.note --strip-unneeded "$root/usr/bin/switchboard"
gzip -9n "$root/usr/share/man/man1/switchboard.1"
doc=$root/usr/share/doc/switchboard
gzip -9n "$doc"/README*.md # policy 12.3: documentation over 4 KB is compressed
install -m 0644 "$src/assets/packaging/copyright" "$doc/copyright"
{
    printf 'switchboard (%s) unstable; urgency=medium\n\n' "$version"
    printf '  * Built from %s.\n\n' "$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo 'a source tree')"
    printf ' -- %s  %s\n' "$maintainer" "$(date -R -d "@${SOURCE_DATE_EPOCH:-$(git -C "$src" log -1 --format=%ct 2>/dev/null || date +%s)}")"
} | gzip -9n >"$doc/changelog.gz"
find "$root" -type d -exec chmod 0755 {} +
find "$root" -type f ! -path '*/DEBIAN/*' -exec chmod 0644 {} +
chmod 0755 "$root/usr/bin/switchboard"

depends=$(cd "$work" && dpkg-shlibdeps -O -e debian/switchboard/usr/bin/switchboard 2>/dev/null |
    sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "mkdeb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)

cat >"$root/DEBIAN/control" <<CONTROL
Package: switchboard
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $size
Depends: $depends
Section: net
Priority: optional
Description: LLM proxy: Claude Code and OpenAI clients to Cerebras, then Z.AI
 switchboard sends every Claude Code (or any OpenAI- or Anthropic-API) request to
 Cerebras first and, the moment Cerebras rate-limits or fails, to Z.AI, translating
 between the two APIs. It reads LiteLLM's config.yaml, shows a live terminal
 dashboard of where every request goes, and runs headless under systemd.
CONTROL
(cd "$root" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z | xargs -0 md5sum) \
    >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"

deb=$out/switchboard_${version}_${arch}.deb
dpkg-deb --root-owner-group -Z"${DEB_COMPRESS:-xz}" --build "$root" "$deb" >/dev/null
echo "$deb"
