#!/usr/bin/env bash
# ClassGate demo: a local mosquitto, the agent with a temporary store, a few classrooms' devices
# publishing the native protocol for a few seconds, then what a technician sees.
# Leaves nothing running, also on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")"
DURATION="${DEMO_SECONDS:-8}"

scripts/install-deps.sh
echo "== Building ClassGate"
swift build --product classgate 2>&1 | tail -n 1
BIN="$(swift build --show-bin-path)/classgate"

WORK="$(mktemp -d /tmp/classgate-demo-XXXXXX)"
chmod 755 "$WORK"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}
PORT="$(free_port)"

cat >"$WORK/mosquitto.conf" <<CONF
listener $PORT 127.0.0.1
allow_anonymous true
CONF
mosquitto -c "$WORK/mosquitto.conf" >"$WORK/mosquitto.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do (echo >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
echo "== Local broker on 127.0.0.1:$PORT"

cat >"$WORK/classgate.toml" <<CONF
school_id = "demo-school"
time_zone = "Asia/Ho_Chi_Minh"

[local_broker]
port = $PORT

[store]
path = "$WORK/classgate.db"

[devices]
stale_after_s = 5

[profiles]
directories = ["$PWD/Devices"]

[inventory]
path = "$PWD/Devices/demo-inventory.toml"
CONF
"$BIN" run --config "$WORK/classgate.toml" 2>"$WORK/agent.log" &
PIDS+=($!)
for _ in $(seq 100); do grep -q "Subscribed" "$WORK/agent.log" && break; sleep 0.1; done
echo "== Agent running (store $WORK/classgate.db)"

pub() { mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 "$@"; }
rooms=(101 102 103 201)
pub -r -t "zigbee2mqtt/env-lab2/availability" -m '{"state":"online"}'
pub -r -t "tele/plug-101/LWT" -m Online
pub -r -t "shelly/shellyplusplugs-e86beae12345/online" -m true
for room in "${rooms[@]}"; do
  pub -r -t "classgate/$room/board/board-$room/status" -m online
  pub -r -t "classgate/$room/projector/proj-$room/status" -m online
done
echo "== Devices publishing for ${DURATION}s"
end=$((SECONDS + DURATION))
tick=0
while [ $SECONDS -lt $end ]; do
  for room in "${rooms[@]}"; do
    co2=$((600 + (tick * 37 + room) % 700))
    temp="$((27 + room % 4)).$((tick % 10))"
    pub -t "classgate/$room/env_sensor/env-$room/telemetry" \
      -m "{\"co2\":$co2,\"temperature\":$temp,\"humidity\":$((55 + tick % 20)),\"noise\":$((40 + tick % 25))}"
    pub -t "classgate/$room/board/board-$room/telemetry" \
      -m "{\"power_on\":true,\"active\":$(((tick + room) % 3 > 0 ? 1 : 0)),\"input_source\":1}"
    pub -t "classgate/$room/projector/proj-$room/telemetry" -m "{\"power_on\":1,\"lamp_hours\":$((1200 + room))}"
  done
  pub -t "classgate/101/attendance_reader/reader-101/event" -m "{\"type\":\"card_scan\",\"card\":\"04A1B2$tick\"}"
  # Vendor devices through the shipped profiles (Devices/*.toml) and the demo inventory.
  pub -t "zigbee2mqtt/env-lab2" -m "{\"co2\":$((700 + tick * 23)),\"temperature\":29.$tick,\"humidity\":58,\"battery\":96,\"linkquality\":110}"
  pub -t "zigbee2mqtt/plug-102" -m "{\"state\":\"ON\",\"power\":$((30 + tick)).5,\"energy\":1.2$tick}"
  pub -t "tele/plug-101/SENSOR" -m "{\"Time\":\"2026-11-29T08:00:0$tick\",\"ENERGY\":{\"Total\":12.3$tick,\"Power\":$((tick % 4 == 3 ? 3 : 45)),\"Voltage\":229}}"
  pub -t "shelly/shellyplusplugs-e86beae12345/status/switch:0" \
    -m "{\"id\":0,\"output\":true,\"apower\":$((60 + tick)).2,\"voltage\":230.1,\"aenergy\":{\"total\":$((1500 + tick * 7)).4}}"
  tick=$((tick + 1))
  sleep 1
done
# A projector whose power is cut (its Last Will), and a device that sends garbage.
pub -r -t "classgate/201/projector/proj-201/status" -m offline
pub -t "classgate/103/env_sensor/env-103/telemetry" -m '{"co2": "very high"}'
sleep 0.5

echo
echo "== classgate devices"
"$BIN" devices --config "$WORK/classgate.toml"
echo
echo "== classgate device plug-101   (a Tasmota plug metering a legacy projector)"
"$BIN" device plug-101 --config "$WORK/classgate.toml" --limit 3
echo
echo "== classgate profiles test   (a payload tried against the profiles, no broker needed)"
"$BIN" profiles test --config "$WORK/classgate.toml" zigbee2mqtt/env-lab2 '{"co2":1210,"temperature":31.5,"occupancy":true}'
echo
echo "== Agent log"
cat "$WORK/agent.log"
