#!/usr/bin/env bash
# docs/images/dashboard.png from a real run: a local mosquitto, a TLS IOC broker, the agent writing
# its metrics textfile, Debian's prometheus-node-exporter reading it (textfile collector only) and a
# real Prometheus scraping that every second, while `classgate simulate` plays a school day
# (06:30-18:30) in DASH_SECONDS (default 240) real seconds, a Zigbee sensor sends a field no
# profile maps, the IOC broker is down for a fifth of the run, and the store has a 3 MiB cap
# (DASH_STORE_MB). Then Monitoring/render-dashboard.py draws the Grafana dashboard's panels from
# that Prometheus's HTTP API, and headless chromium screenshots the page. Not Grafana itself.
#   scripts/dashboard-screenshot.sh [OUT.png]   (CLASSGATE_BIN skips the build)
# Leaves nothing running, also on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="$(realpath -m "${1:-docs/images/dashboard.png}")"
SECONDS_RUN="${DASH_SECONDS:-240}"
for tool in chromium prometheus prometheus-node-exporter mosquitto mosquitto_pub python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool: scripts/install-deps.sh, and apt install chromium fonts-dejavu-core" >&2; exit 1; }
done

if [ -z "${CLASSGATE_BIN:-}" ]; then
  swift build --product classgate 2>&1 | tail -n 1
  CLASSGATE_BIN="$(swift build --show-bin-path)/classgate"
fi
BIN="$CLASSGATE_BIN"

WORK="$(mktemp -d /tmp/classgate-dashboard-XXXXXX)"
chmod 755 "$WORK"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

. scripts/lib.sh

PORT="$(free_port)"
printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_queued_messages 1000000\n' "$PORT" >"$WORK/mosquitto.conf"
mosquitto -c "$WORK/mosquitto.conf" >"$WORK/mosquitto.log" 2>&1 &
PIDS+=($!)
wait_port "$PORT"

scripts/make-pki.sh "$WORK" ioc demo-school 30
IOC_PORT="$(free_port)"
cat >"$WORK/ioc.conf" <<CONF
$(ioc_tls_listener "$WORK" "$IOC_PORT")
allow_anonymous true
CONF
start_ioc() {
  mosquitto -c "$WORK/ioc.conf" >>"$WORK/ioc.log" 2>&1 &
  IOC_PID=$!
  PIDS+=($IOC_PID)
  wait_port "$IOC_PORT"
}
start_ioc

(umask 077 && head -c 32 /dev/urandom >"$WORK/card.secret")
mkdir -m 755 "$WORK/textfiles"
cat >"$WORK/classgate.toml" <<CONF
school_id = "demo-school"
time_zone = "Asia/Ho_Chi_Minh"
[local_broker]
port = $PORT
[store]
path = "$WORK/classgate.db"
# A small cap, so that the store panels move (use, and rows deleted to stay under it).
max_mb = ${DASH_STORE_MB:-3}
[profiles]
directories = ["$PWD/Devices"]
[inventory]
path = "$PWD/Devices/demo-school-inventory.toml"
[privacy]
secret_file = "$WORK/card.secret"
[rollup]
late_settle_s = 1
[metrics]
textfile = "$WORK/textfiles/classgate.prom"
[ioc]
host = "127.0.0.1"
port = $IOC_PORT
ca_file = "$WORK/ioc-ca.pem"
cert_file = "$WORK/ioc-client.pem"
key_file = "$WORK/ioc-client.key"
reconnect_max_ms = 2000
CONF
(umask 0027 && exec "$BIN" run --config "$WORK/classgate.toml" 2>"$WORK/agent.log") &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$WORK/textfiles/classgate.prom" ] && break; sleep 0.1; done

# node_exporter as its unit runs it (user prometheus), reading only the agent's textfile.
EXPORTER_PORT="$(free_port)"
AS_PROMETHEUS=()
[ "$(id -u)" -eq 0 ] && AS_PROMETHEUS=(setpriv --reuid=prometheus --regid=prometheus --clear-groups)
"${AS_PROMETHEUS[@]}" prometheus-node-exporter --web.listen-address="127.0.0.1:$EXPORTER_PORT" \
  --collector.disable-defaults --collector.textfile --collector.textfile.directory="$WORK/textfiles" \
  >"$WORK/exporter.log" 2>&1 &
PIDS+=($!)
wait_port "$EXPORTER_PORT"

PROM_PORT="$(free_port)"
mkdir "$WORK/prometheus"
cat >"$WORK/prometheus.yml" <<CONF
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: classgate
    static_configs:
      - targets: ["127.0.0.1:$EXPORTER_PORT"]
CONF
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prometheus" \
  --web.listen-address="127.0.0.1:$PROM_PORT" >"$WORK/prometheus.log" 2>&1 &
PIDS+=($!)
wait_port "$PROM_PORT"
echo "== Agent, node_exporter (127.0.0.1:$EXPORTER_PORT) and Prometheus (127.0.0.1:$PROM_PORT) running"

START="$(date +%s)"
SPEED=$((12 * 3600 / SECONDS_RUN))
echo "== Simulating a school day at ${SPEED}x for ${SECONDS_RUN} s; the IOC broker is down from 40% to 60%"
"$BIN" simulate --port "$PORT" --speed "$SPEED" --duration "$SECONDS_RUN" >"$WORK/simulate.log" 2>&1 &
SIM_PID=$!
PIDS+=($SIM_PID)
# A Zigbee sensor with fields the shipped profile does not map (classgate_unmapped_fields_total).
while :; do
  mosquitto_pub -p "$PORT" -t zigbee2mqtt/env-lab \
    -m "{\"co2\":$((700 + RANDOM % 500)),\"temperature\":30.5,\"voc_index\":$((RANDOM % 200)),\"linkquality\":$((RANDOM % 255))}"
  sleep 2
done &
PIDS+=($!)
sleep $((SECONDS_RUN * 4 / 10))
kill "$IOC_PID"
wait "$IOC_PID" 2>/dev/null || true
sleep $((SECONDS_RUN * 2 / 10))
start_ioc
wait "$SIM_PID"
sleep 15 # the agent's last report (every 5 s) and a few scrapes after the day stops
END="$(date +%s)"

TZ=Asia/Ho_Chi_Minh python3 Monitoring/render-dashboard.py --prometheus "http://127.0.0.1:$PROM_PORT" \
  --start "$START" --end "$END" --step 2 --out "$WORK/dashboard.html"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --screenshot="$OUT" \
  --window-size=1400,1850 "file://$WORK/dashboard.html" 2>"$WORK/chromium.log"
echo "== $OUT"
