#!/usr/bin/env bash
# ClassGate demo: a whole school in one command. A local mosquitto, the agent with a temporary
# store, the shipped device profiles and the demo school's inventory (Devices/demo-school-inventory.toml,
# written by `classgate simulate --write-inventory`), and `classgate simulate`
# running yesterday's school day at high speed (and the day before as a holiday); then what a
# technician sees, per device and per lesson (the school's timetable is in the config).
# Leaves nothing running, also on Ctrl-C.
# With PostgreSQL installed, the IOC's receiver (classgate-ioc) stores what the IOC receives, and the
# demo ends with the city view and the URL of the page the receiver serves.
#   DEMO_SPEED (default 3600: the day in ~11 s), DEMO_SECONDS (stop earlier), CLASSGATE_BIN (skip the
#   build; classgate-ioc is taken from the same directory), DEMO_SERVE_S (keep the city page up
#   that many seconds at the end, default 0)
set -euo pipefail
cd "$(dirname "$0")"
SPEED="${DEMO_SPEED:-3600}"

if [ -z "${CLASSGATE_BIN:-}" ]; then
  scripts/install-deps.sh
  echo "== Building ClassGate"
  swift build --product classgate 2>&1 | tail -n 1
  swift build --product classgate-ioc 2>&1 | tail -n 1
  CLASSGATE_BIN="$(swift build --show-bin-path)/classgate"
fi
BIN="$CLASSGATE_BIN"
IOC_BIN="$(dirname "$BIN")/classgate-ioc"
[ -x "$IOC_BIN" ] || IOC_BIN=
. scripts/lib.sh

WORK="$(mktemp -d /tmp/classgate-demo-XXXXXX)"
chmod 755 "$WORK"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  # A process started with SIGTERM blocked (some launchers do that) must not keep us waiting.
  for _ in $(seq 50); do
    alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" -eq 0 ] && break
    sleep 0.1
  done
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  stop_postgres "$WORK"
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT="$(free_port)"

# The simulator publishes a day in seconds: on a busy machine the agent can fall behind for a while,
# and mosquitto's default queue (1000 messages per client) would drop the rest of its backlog.
cat >"$WORK/mosquitto.conf" <<CONF
listener $PORT 127.0.0.1
allow_anonymous true
max_queued_messages 1000000
CONF
mosquitto -c "$WORK/mosquitto.conf" >"$WORK/mosquitto.log" 2>&1 &
PIDS+=($!)
wait_port "$PORT" || true
echo "== Local broker on 127.0.0.1:$PORT"

# A second mosquitto stands in for the city's operations centre (IOC): TLS with client
# certificates (made here with openssl), and a plain loopback listener where we watch what arrives.
scripts/make-pki.sh "$WORK" ioc demo-school 30
# Ports are picked free, then bound a moment later: if another program took one meanwhile,
# mosquitto exits; pick again (a few times).
for _attempt in 1 2 3 4 5; do
  IOC_TLS_PORT="$(free_port)"
  IOC_PORT="$(free_port)"
  cat >"$WORK/ioc.conf" <<CONF
per_listener_settings false
allow_anonymous true
listener $IOC_PORT 127.0.0.1
$(ioc_tls_listener "$WORK" "$IOC_TLS_PORT")
CONF
  mosquitto -c "$WORK/ioc.conf" >"$WORK/ioc.log" 2>&1 &
  IOC_PID=$!
  PIDS+=($IOC_PID)
  wait_port "$IOC_TLS_PORT" || true
  (echo >"/dev/tcp/127.0.0.1/$IOC_PORT") 2>/dev/null && kill -0 "$IOC_PID" 2>/dev/null && break
  kill "$IOC_PID" 2>/dev/null || true
done
stdbuf -oL mosquitto_sub -p "$IOC_PORT" -q 1 -t 'ioc/v1/schools/#' -F '%t	%p' >"$WORK/ioc-received.tsv" 2>/dev/null &
PIDS+=($!)
echo "== IOC broker (TLS, client certificates) on 127.0.0.1:$IOC_TLS_PORT"

# The IOC's receiver: classgate-ioc, with its own certificate, into a PostgreSQL of its own.
IOC_DB=
if [ -n "$IOC_BIN" ] && [ -n "$PGBIN" ]; then
  start_postgres "$WORK" -c fsync=off
  IOC_DB="$PG_CONNINFO"
  WEB_PORT="$(free_port)"
  make_receiver_cert "$WORK"
  cat >"$WORK/classgate-ioc.toml" <<CONF
[broker]
host = "127.0.0.1"
port = $IOC_TLS_PORT
ca_file = "$WORK/ioc-ca.pem"
cert_file = "$WORK/receiver.pem"
key_file = "$WORK/receiver.key"
client_id = "classgate-ioc-demo"
reconnect_min_ms = 100
reconnect_max_ms = 1000
[database]
conninfo = "$IOC_DB"
[receiver]
time_zone = "Asia/Ho_Chi_Minh"
[web]
listen = "127.0.0.1:$WEB_PORT"
CONF
  "$IOC_BIN" run --config "$WORK/classgate-ioc.toml" >"$WORK/classgate-ioc.log" 2>&1 &
  PIDS+=($!)
  echo "== IOC receiver (classgate-ioc) into PostgreSQL ($("$PGBIN/postgres" --version | sed 's/.* //'))"
else
  echo "== No IOC receiver (needs classgate-ioc and PostgreSQL: scripts/install-deps.sh)"
fi

# The school's card secret: card ids are stored only as HMAC pseudonyms keyed with it.
(umask 077 && head -c 32 /dev/urandom >"$WORK/card.secret")
chmod 600 "$WORK/card.secret"

# A projector that speaks PJLink (TCP), not MQTT: a small simulated one, with a PJLink password.
printf '{"password": "demo-pjlink", "answers": {"POWR": "1", "LAMP": "1234 1", "ERST": "000000", "INPT": "31", "AVMT": "30", "CLSS": "1"}}' >"$WORK/pjlink-state.json"
python3 Tests/PJLinkTests/pjlink_responder.py --state "$WORK/pjlink-state.json" --port-file "$WORK/pjlink.port" \
  --log "$WORK/pjlink.log" >/dev/null 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do [ -s "$WORK/pjlink.port" ] && break; sleep 0.1; done
(umask 077 && printf 'demo-pjlink' >"$WORK/pjlink.pass")

# The school's timetable: the default periods (docs/configuration.md) and the simulated class list;
# the day before yesterday is a holiday. The demo school teaches every day, so the demo works on any day.
"$BIN" simulate --write-timetable "$WORK/timetable.csv" >/dev/null
HOLIDAY="$(TZ=Asia/Ho_Chi_Minh date -d '2 days ago' +%F)"

cat >"$WORK/classgate.toml" <<CONF
school_id = "demo-school"
time_zone = "Asia/Ho_Chi_Minh"

[local_broker]
port = $PORT

[store]
path = "$WORK/classgate.db"

[profiles]
directories = ["$PWD/Devices"]

[inventory]
path = "$PWD/Devices/demo-school-inventory.toml"

[privacy]
secret_file = "$WORK/card.secret"

[rollup]
late_settle_s = 1

[timetable]
weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
csv = "$WORK/timetable.csv"

[[timetable.closure]]
start = $HOLIDAY
name = "holiday"

[ioc]
host = "127.0.0.1"
port = $IOC_TLS_PORT
ca_file = "$WORK/ioc-ca.pem"
cert_file = "$WORK/ioc-client.pem"
key_file = "$WORK/ioc-client.key"
CONF
cat >>"$WORK/classgate.toml" <<CONF

[[pjlink.projector]]
id = "proj-pj-301"
room = "301"
host = "127.0.0.1"
port = $(cat "$WORK/pjlink.port")
password_file = "$WORK/pjlink.pass"
interval_s = 5
CONF
"$BIN" run --config "$WORK/classgate.toml" 2>"$WORK/agent.log" &
PIDS+=($!)
for _ in $(seq 100); do grep -q "Subscribed" "$WORK/agent.log" && break; sleep 0.1; done
echo "== Agent running (store $WORK/classgate.db)"
"$BIN" pjlink --config "$WORK/classgate.toml" 2>"$WORK/pjlink-poller.log" &
PIDS+=($!)
echo "== PJLink poller running (projector proj-pj-301 on 127.0.0.1:$(cat "$WORK/pjlink.port"))"

# Only its morning (08:30 to about 11:30): room 101's board is on 09:00-11:00, nobody else is in.
echo "== Simulating the morning of the day before yesterday, a holiday ($HOLIDAY), at ${SPEED}x"
"$BIN" simulate --port "$PORT" --speed "$SPEED" --day-offset=-2 --holiday --start 08:30 \
  --duration "$(awk "BEGIN { print 3 * 3600 / $SPEED + 0.1 }")"
echo "== Simulating yesterday's school day at ${SPEED}x"
"$BIN" simulate --port "$PORT" --speed "$SPEED" ${DEMO_SECONDS:+--duration "$DEMO_SECONDS"}
sleep 0.5

show() { echo; echo "== classgate $*"; "$BIN" "$@" --config "$WORK/classgate.toml"; }
show devices --room 101
show devices --room 102
show device proj-pj-301 --limit 2
show devices --status offline
echo
echo "== All devices: $("$BIN" devices --config "$WORK/classgate.toml" | tail -n 1)"
show device plug-102 --limit 3
show device reader-101 --limit 3
echo
echo "== classgate profiles test   (a payload tried against the profiles, no broker needed)"
"$BIN" profiles test --config "$WORK/classgate.toml" zigbee2mqtt/env-101 '{"co2":1210,"temperature":31.5,"occupancy":true}'

# Yesterday's data arrived "late" (after its windows had passed), so the agent summarises it a
# moment after it stops arriving, and drains the summaries to the IOC.
echo
echo "== Waiting for the summaries to reach the IOC"
for _ in $(seq 120); do
  state="$("$BIN" uplink --json --config "$WORK/classgate.toml")"
  if echo "$state" | grep -q '"queue_depth" : 0' && ! echo "$state" | grep -q '"last_seq" : null' \
    && [ "$(grep -c 'summaries/lessons' "$WORK/ioc-received.tsv")" -ge 2 ]; then break; fi
  sleep 0.5
done
show uplink
YESTERDAY="$(TZ=Asia/Ho_Chi_Minh date -d yesterday +%F)"
show stats --day "$YESTERDAY" --room 101
show stats --lessons --day "$YESTERDAY" --room 101
show stats --lessons --day "$YESTERDAY" --room 103   # its class has the last period elsewhere
show stats --lessons --day "$HOLIDAY"
show stats --lessons --day "$YESTERDAY" --week
echo
echo "== What the IOC received (ioc/v1/schools/demo-school/...)"
cut -f1 "$WORK/ioc-received.tsv" | sed 's|ioc/v1/schools/demo-school/||' | sort | uniq -c
if python3 -c 'import jsonschema' 2>/dev/null; then
  python3 scripts/validate-uplink.py "$WORK/ioc-received.tsv" | tail -n 1
fi
grep -c '"card"' "$WORK/ioc-received.tsv" >/dev/null && echo "!! a card field reached the IOC" || echo "No card id (clear or pseudonymised) reached the IOC: counts only."
echo
echo "== Agent log (first lines and warnings)"
head -n 4 "$WORK/agent.log"
grep -E "warning|error" "$WORK/agent.log" | tail -n 5 || true
if [ -n "$IOC_DB" ]; then
  # Every message the agent sent, stored once in PostgreSQL.
  LAST_SEQ="$("$BIN" uplink --json --config "$WORK/classgate.toml" | sed -n 's/.*"last_seq" *: *\([0-9]*\).*/\1/p')"
  for _ in $(seq 100); do
    stored="$("$IOC_BIN" schools --json --conninfo "$IOC_DB" | sed -n 's/.*"messages" *: *\([0-9]*\).*/\1/p')"
    [ -n "$stored" ] && [ "$stored" -ge "${LAST_SEQ:-1}" ] && break
    sleep 0.2
  done
  echo
  echo "== classgate-ioc schools   (the city view at the IOC, from PostgreSQL: ${stored:-0} messages stored)"
  "$IOC_BIN" schools --config "$WORK/classgate-ioc.toml"
  echo
  echo "== classgate-ioc usage --day $YESTERDAY"
  "$IOC_BIN" usage --day "$YESTERDAY" --config "$WORK/classgate-ioc.toml"
  echo
  # The same city view, served by the receiver itself ([web] in its config).
  city="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$WEB_PORT/")"
  school="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$WEB_PORT/schools/demo-school")"
  echo "City page: http://127.0.0.1:$WEB_PORT/ (GET / $city, /schools/demo-school $school; served by classgate-ioc run until the demo ends, DEMO_SERVE_S=600 keeps it up)"
  if [ "${DEMO_SERVE_S:-0}" -gt 0 ]; then sleep "$DEMO_SERVE_S"; fi
fi
