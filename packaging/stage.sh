#!/usr/bin/env bash
# Lays out ClassGate's installed files under DESTDIR, as the .deb and `scripts/install.sh` install them.
# Usage: packaging/stage.sh DESTDIR BINARY
set -euo pipefail
cd "$(dirname "$0")/.."
DEST="$1"; BINARY="$2"
install -D -m 0755 "$BINARY" "$DEST/usr/bin/classgate"
install -D -m 0644 Systemd/classgate.service "$DEST/lib/systemd/system/classgate.service"
# Not enabled by the package: `systemctl enable --now classgate-pjlink` once [[pjlink.projector]] is configured.
install -D -m 0644 Systemd/classgate-pjlink.service "$DEST/lib/systemd/system/classgate-pjlink.service"
install -D -m 0644 Systemd/classgate.sysusers "$DEST/usr/lib/sysusers.d/classgate.conf"
install -D -m 0644 Systemd/classgate.tmpfiles "$DEST/usr/lib/tmpfiles.d/classgate.conf"
install -D -m 0640 Systemd/classgate.toml "$DEST/etc/classgate/classgate.toml"
install -d -m 0755 "$DEST/etc/classgate/devices"
for profile in Devices/*.toml; do
  install -D -m 0644 "$profile" "$DEST/usr/share/classgate/devices/$(basename "$profile")"
done
install -D -m 0644 Devices/README.md "$DEST/usr/share/doc/classgate/devices.md"
install -D -m 0644 README.md "$DEST/usr/share/doc/classgate/README.md"
for doc in docs/*.md; do install -D -m 0644 "$doc" "$DEST/usr/share/doc/classgate/$(basename "$doc")"; done
for example in Systemd/mosquitto-classgate.conf Systemd/mosquitto-classgate.acl Systemd/mosquitto-classgate.passwd.example \
  Monitoring/classgate.rules.yml Monitoring/classgate.rules.test.yml Monitoring/classgate-dashboard.json; do
  install -D -m 0644 "$example" "$DEST/usr/share/doc/classgate/examples/$(basename "$example")"
done
