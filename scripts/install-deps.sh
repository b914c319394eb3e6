#!/usr/bin/env bash
# Installs the Debian packages ClassGate builds, tests and demos with, if any is missing.
set -euo pipefail
packages=(mosquitto mosquitto-clients libmosquitto-dev libsqlite3-dev libssl-dev sqlite3 openssl faketime procps systemd tzdata python3 python3-jsonschema prometheus-node-exporter prometheus curl lintian dpkg-dev binutils postgresql libpq-dev chromium fonts-dejavu-core)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The Debian package starts a system-wide broker on port 1883; ClassGate's demo and tests run their own.
# The metrics tests scrape with node_exporter and lint with promtool (from prometheus); the
# packaging tests run lintian on the .deb (dpkg-shlibdeps from dpkg-dev, strip from binutils).
# Likewise postgresql starts a cluster on 5432; the IOC tests run their own server on a unix socket in a temp dir.
# The tests validate what the IOC receives with python3's jsonschema. Debian's package serves
# /usr/bin/python3; a python3 earlier on PATH (pyenv, a venv) gets it from PyPI instead.
if ! python3 -c 'import jsonschema' 2>/dev/null; then
  echo "Installing jsonschema for $(command -v python3)"
  python3 -m pip install -q jsonschema
fi
