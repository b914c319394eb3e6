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
# 0644 as Debian ships conffiles; postinst makes it 0640 root:classgate once the group exists.
install -D -m 0644 Systemd/classgate.toml "$DEST/etc/classgate/classgate.toml"
install -d -m 0755 "$DEST/etc/classgate/devices"
# Profiles only: the demo inventories are examples, not something the agent should load.
for profile in Devices/*.toml; do
  case "$profile" in *inventory*.toml) continue ;; esac
  install -D -m 0644 "$profile" "$DEST/usr/share/classgate/devices/$(basename "$profile")"
done
# The README's relative links (docs/…, Devices/README.md) hold in /usr/share/doc/classgate too.
install -D -m 0644 README.md "$DEST/usr/share/doc/classgate/README.md"
install -D -m 0644 Devices/README.md "$DEST/usr/share/doc/classgate/Devices/README.md"
for doc in docs/*.md docs/images/*.png; do
  install -D -m 0644 "$doc" "$DEST/usr/share/doc/classgate/$doc"
done
for example in Systemd/mosquitto-classgate.conf Systemd/mosquitto-classgate.acl Systemd/mosquitto-classgate.passwd.example \
  Monitoring/classgate.rules.yml Monitoring/classgate.rules.test.yml Monitoring/classgate-dashboard.json \
  Devices/demo-inventory.toml Devices/demo-school-inventory.toml; do
  install -D -m 0644 "$example" "$DEST/usr/share/doc/classgate/examples/$(basename "$example")"
done
# Shell completions, written by swift-argument-parser from the commands themselves.
install -d "$DEST/usr/share/bash-completion/completions" "$DEST/usr/share/zsh/vendor-completions" \
  "$DEST/usr/share/fish/vendor_completions.d"
"$BINARY" --generate-completion-script bash >"$DEST/usr/share/bash-completion/completions/classgate"
"$BINARY" --generate-completion-script zsh >"$DEST/usr/share/zsh/vendor-completions/_classgate"
"$BINARY" --generate-completion-script fish >"$DEST/usr/share/fish/vendor_completions.d/classgate.fish"
sed -i '1{/^#!/d}' "$DEST/usr/share/bash-completion/completions/classgate"   # sourced, not run
chmod 0644 "$DEST/usr/share/bash-completion/completions/classgate" "$DEST/usr/share/zsh/vendor-completions/_classgate" \
  "$DEST/usr/share/fish/vendor_completions.d/classgate.fish"
