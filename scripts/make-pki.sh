#!/usr/bin/env bash
# A throwaway PKI for demos, tests and benchmarks (never for production: the IOC issues real ones):
#   scripts/make-pki.sh DIR NAME CLIENT_CN [CLIENT_DAYS]
# writes DIR/NAME-ca.pem, NAME-server.pem/.key (for 127.0.0.1) and NAME-client.pem/.key (CN =
# CLIENT_CN, valid CLIENT_DAYS days; -1 gives a certificate that expired yesterday).
set -euo pipefail
dir="$1" name="$2" client="$3" days="${4:-30}"
cd "$dir"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$name-ca.key" -out "$name-ca.pem" -days 365 -subj "/CN=$name CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$name-server.key" -out "$name-server.csr" -subj '/CN=127.0.0.1' 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$name-san.ext"
openssl x509 -req -in "$name-server.csr" -CA "$name-ca.pem" -CAkey "$name-ca.key" -CAcreateserial \
  -out "$name-server.pem" -days 365 -extfile "$name-san.ext" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$name-client.key" -out "$name-client.csr" -subj "/CN=$client" 2>/dev/null
openssl x509 -req -in "$name-client.csr" -CA "$name-ca.pem" -CAkey "$name-ca.key" -CAcreateserial \
  -out "$name-client.pem" -days "$days" 2>/dev/null
# mosquitto started as root drops to its own user: it must read the server files.
chmod 644 "$name-server.key" "$name-server.pem" "$name-ca.pem"
chmod 600 "$name-client.key" "$name-ca.key"
