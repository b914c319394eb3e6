#!/usr/bin/env bash
# p99 latency of a real-time event, with real agents on loopback:
#   Benchmarks/ioc-latency.sh [SCHOOLS] [CHANGES]      (defaults: 5 40)
#   COMMIT_WINDOW_MS=100 Benchmarks/ioc-latency.sh …   (the agents' store.commit_window_ms; default 1000)
# SCHOOLS school brokers (mosquitto) each with a real `classgate run` agent (release build), all
# uplinking over TLS to one IOC mosquitto, one `classgate-ioc run` receiver into PostgreSQL (fsync
# on). `ioc-latency-probe` changes a board's status on every school broker, CHANGES times each,
# and times each change until its event row is in PostgreSQL (Benchmarks/IOCLatencyProbe).
set -euo pipefail
cd "$(dirname "$0")/.."
schools=${1:-5} changes=${2:-40}
for product in classgate classgate-ioc ioc-latency-probe; do swift build -c release --product "$product" >/dev/null; done
bin=$(swift build -c release --show-bin-path)
. scripts/lib.sh
dir=$(mktemp -d /tmp/classgate-ioc-latency-XXXXXX)
chmod 755 "$dir"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  stop_postgres "$dir"
  rm -rf "$dir"
}
trap cleanup EXIT
wait_for() { for _ in $(seq 150); do grep -q "$2" "$1" 2>/dev/null && return; sleep 0.1; done; echo "no '$2' in $1"; tail -20 "$1"; exit 1; }

scripts/make-pki.sh "$dir" ioc latency-school 30
make_receiver_cert "$dir"
start_postgres "$dir"
conninfo=$PG_CONNINFO

tls=$(free_port)
cat >"$dir/ioc.conf" <<CONF
$(ioc_tls_listener "$dir" "$tls")
allow_anonymous true
CONF
mosquitto -c "$dir/ioc.conf" >"$dir/ioc.log" 2>&1 &
pids+=($!)
cat >"$dir/receiver.toml" <<CONF
[broker]
host = "127.0.0.1"
port = $tls
ca_file = "$dir/ioc-ca.pem"
cert_file = "$dir/receiver.pem"
key_file = "$dir/receiver.key"
client_id = "classgate-ioc-latency"
[database]
conninfo = "$conninfo"
CONF
sleep 0.3
"$bin/classgate-ioc" run --config "$dir/receiver.toml" >"$dir/receiver.log" 2>&1 &
pids+=($!)
wait_for "$dir/receiver.log" Subscribed

(umask 077 && head -c 32 /dev/urandom >"$dir/card.secret")
targets=()
for n in $(seq "$schools"); do
  port=$(free_port)
  printf 'listener %s 127.0.0.1\nallow_anonymous true\n' "$port" >"$dir/school-$n.conf"
  mosquitto -c "$dir/school-$n.conf" >"$dir/school-$n.log" 2>&1 &
  pids+=($!)
  cat >"$dir/agent-$n.toml" <<CONF
school_id = "latency-$n"
time_zone = "Asia/Ho_Chi_Minh"
[local_broker]
port = $port
[store]
path = "$dir/agent-$n.db"
${COMMIT_WINDOW_MS:+commit_window_ms = $COMMIT_WINDOW_MS}
[profiles]
directories = ["$PWD/Devices"]
[privacy]
secret_file = "$dir/card.secret"
[ioc]
host = "127.0.0.1"
port = $tls
ca_file = "$dir/ioc-ca.pem"
cert_file = "$dir/ioc-client.pem"
key_file = "$dir/ioc-client.key"
CONF
  sleep 0.2
  "$bin/classgate" run --config "$dir/agent-$n.toml" 2>"$dir/agent-$n.log" &
  pids+=($!)
  targets+=("latency-$n=$port")
done
for n in $(seq "$schools"); do wait_for "$dir/agent-$n.log" Subscribed; done

echo "$schools real agents (store.commit_window_ms ${COMMIT_WINDOW_MS:-1000}) → TLS IOC broker → classgate-ioc → PostgreSQL $("$PGBIN/postgres" --version | sed 's/.* //'), $changes status changes each"
"$bin/ioc-latency-probe" "$conninfo" "$changes" "${targets[@]}"
