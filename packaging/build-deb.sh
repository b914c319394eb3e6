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
ROOT="$(mktemp -d /tmp/classgate-deb-XXXXXX)"
trap 'rm -rf "$ROOT"' EXIT
chmod 0755 "$ROOT"
packaging/stage.sh "$ROOT" "$BINARY"
install -d "$ROOT/DEBIAN"
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" \
  -e "s/@SIZE@/$(du -sk "$ROOT" | cut -f1)/" packaging/debian/control >"$ROOT/DEBIAN/control"
install -m 0644 packaging/debian/conffiles "$ROOT/DEBIAN/conffiles"
for script in postinst prerm postrm; do install -m 0755 "packaging/debian/$script" "$ROOT/DEBIAN/$script"; done
mkdir -p dist
OUT="dist/classgate_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group --build "$ROOT" "$OUT" >/dev/null
echo "$OUT"
