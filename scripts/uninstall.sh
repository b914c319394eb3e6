#!/usr/bin/env bash
# Removes what scripts/install.sh installed. The store in /var/lib/classgate is kept unless --purge.
set -euo pipefail
if [ -d /run/systemd/system ]; then systemctl disable --now classgate.service 2>/dev/null || true; fi
rm -f /usr/bin/classgate /lib/systemd/system/classgate.service /usr/lib/sysusers.d/classgate.conf \
  /usr/lib/tmpfiles.d/classgate.conf
rm -rf /usr/share/classgate /usr/share/doc/classgate
if [ "${1:-}" = "--purge" ]; then rm -rf /var/lib/classgate /etc/classgate; fi
[ -d /run/systemd/system ] && systemctl daemon-reload || true
echo "Removed ClassGate${1:+ (purged)}."
