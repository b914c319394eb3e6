#!/usr/bin/env bash
# Builds dist/classgate_<version>_<arch>.deb from this repository (release build, Swift runtime
# linked statically so the box needs no Swift). Usage: packaging/build-deb.sh [BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION="$(grep -o 'version: "[^"]*"' Sources/classgate/ClassGate.swift | cut -d'"' -f2)"
ARCH="$(dpkg --print-architecture)"
BINARY="${1:-}"
if [ -z "$BINARY" ]; then
  swift build -c release --product classgate --static-swift-stdlib >/dev/null
  BINARY="$(swift build -c release --show-bin-path)/classgate"
fi
# Who answers for the package (the changelog and control's Maintainer:); set it for a release.
MAINTAINER="${DEB_MAINTAINER:-ClassGate developers <classgate@users.noreply.github.com>}"
ROOT="$(mktemp -d /tmp/classgate-deb-XXXXXX)"
chmod 0755 "$ROOT"
# A stripped copy, as dh_strip does (debug symbols are not for the box). A binary that links the
# Swift runtime dynamically (a debug build, for the tests) keeps its RUNPATH to find it.
STRIPPED="$ROOT.bin"
trap 'rm -rf "$ROOT" "$STRIPPED"' EXIT
install -m 0755 "$BINARY" "$STRIPPED"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$STRIPPED"
packaging/stage.sh "$ROOT" "$STRIPPED"
# Man pages, from the same command definitions as --help (swift-argument-parser's generate-manual).
# Its own build directory: this script also runs inside `swift test`, which holds .build.
TOOLS="$PWD/.build/packaging-tools"
swift build --product generate-manual --scratch-path "$TOOLS" >/dev/null
MANUAL="$(swift build --scratch-path "$TOOLS" --show-bin-path)/generate-manual"
install -d "$ROOT/usr/share/man/man1"
"$MANUAL" "$STRIPPED" --date "$(date -u +%Y-%m-%d)" -o "$ROOT/usr/share/man/man1"
for page in "$ROOT"/usr/share/man/man1/*.1; do
  # mdoc: an empty line is an error (a paragraph break is meant); a text line starting with ' is
  # read as a request unless \& guards it.
  sed -i -e 's/^$/.Pp/' -e "s/^'/\\\\\&'/" "$page"
  chmod 0644 "$page"
  gzip -9n "$page"
done
install -D -m 0644 packaging/debian/copyright "$ROOT/usr/share/doc/classgate/copyright"
sed -e "s/@VERSION@/$VERSION/" -e "s/@MAINTAINER@/$MAINTAINER/" -e "s/@DATE@/$(date -uR)/" \
  packaging/debian/changelog | gzip -9n >"$ROOT/usr/share/doc/classgate/changelog.gz"
chmod 0644 "$ROOT/usr/share/doc/classgate/changelog.gz"
install -d "$ROOT/DEBIAN"
# Depends: what the binary links, from dpkg-shlibdeps (the rest is the unit's and scripts').
# libmosquitto 2.0 at least: the agent speaks MQTT 5 (reason codes, receive maximum).
SHLIBS="$(cd "$ROOT" && mkdir -p debian \
  && printf 'Source: classgate\n\nPackage: classgate\nArchitecture: any\n' >debian/control \
  && dpkg-shlibdeps --ignore-missing-info -O -eusr/bin/classgate 2>/dev/null | sed -n 's/^shlibs:Depends=//p' \
  | sed 's/libmosquitto1 ([^)]*)/libmosquitto1 (>= 2.0)/'; rm -rf debian)"
[ -n "$SHLIBS" ] || { echo "dpkg-shlibdeps found no dependencies for $BINARY" >&2; exit 1; }
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s|@MAINTAINER@|$MAINTAINER|" -e "s/@SHLIBS@/$SHLIBS/" \
  -e "s/@SIZE@/$(du -sk "$ROOT" | cut -f1)/" packaging/debian/control >"$ROOT/DEBIAN/control"
install -m 0644 packaging/debian/conffiles "$ROOT/DEBIAN/conffiles"
for script in postinst prerm postrm; do install -m 0755 "packaging/debian/$script" "$ROOT/DEBIAN/$script"; done
mkdir -p dist
OUT="dist/classgate_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group --build "$ROOT" "$OUT" >/dev/null
echo "$OUT"
