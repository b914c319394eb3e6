#!/usr/bin/env bash
# Installs ClassGate without a package (release build), as root: the same files as the .deb.
# Usage: scripts/install.sh [DESTDIR]   (DESTDIR empty: the running system)
set -euo pipefail
cd "$(dirname "$0")/.."
DEST="${1:-}"
swift build -c release --product classgate --static-swift-stdlib >/dev/null
packaging/stage.sh "${DEST:-/}" "$(swift build -c release --show-bin-path)/classgate"
if [ -z "$DEST" ]; then
  systemd-sysusers classgate.conf
  systemd-tmpfiles --create classgate.conf
  chown root:classgate /etc/classgate/classgate.toml
  chmod 0640 /etc/classgate/classgate.toml
  [ -d /run/systemd/system ] && systemctl daemon-reload && systemctl enable classgate.service
  echo "Installed. Edit /etc/classgate/classgate.toml, then: systemctl start classgate"
fi
