#!/usr/bin/env bash
# The IOC receiver at city scale, side by side with a plain subscriber on the same broker:
#   Benchmarks/ioc-fleet.sh [SCHOOLS] [WINDOWS] [EVENTS]     (defaults: 600 24 20)
#   RECEIVERS=2 Benchmarks/ioc-fleet.sh …                    (receivers sharing one $share group)
#   LIVE=1 [JITTER_MS=60000] Benchmarks/ioc-fleet.sh …       (the city comes back live: see below)
#   RECEIVERS=2 KILL_ONE=1 Benchmarks/ioc-fleet.sh …         (kill -9 one receiver a third of the way
#                                                             through, start it again 2 s later)
# A city of SCHOOLS schools comes back after an outage: each sends WINDOWS window summaries (30
# devices, ~9 kB; every 10th also as revision 1), EVENTS events and 2 % duplicates, all queued at
# the IOC broker for the receiver's persistent session while it is down. Then the receiver
# (release build, batch 500) drains the backlog into PostgreSQL (fsync on, as in production), and
# `mosquitto_sub` drains the same backlog from its own session, for the ceiling. Prints both rates.
# With LIVE=1 nothing is queued first: the subscriber is connected, and each school is its own
# connection that comes back at a random moment within JITTER_MS (the agents' jittered reconnect
# after a long outage) and drains its backlog at an agent's pace (20 in flight, 500 msg/s). The
# time to empty is from the first school's return to the last row committed; the plain subscriber
# gets the same city in a run of its own, before the receivers start.
set -euo pipefail
cd "$(dirname "$0")/.."
schools=${1:-600} windows=${2:-24} events=${3:-20} receivers=${RECEIVERS:-1}
live=${LIVE:-} jitter_ms=${JITTER_MS:-60000}
swift build -c release --product classgate-ioc >/dev/null
swift build -c release --product ioc-fleet-bench >/dev/null
bin=$(swift build -c release --show-bin-path)
. scripts/lib.sh
dir=$(mktemp -d /tmp/classgate-ioc-fleet-XXXXXX)
chmod 755 "$dir"
mosquitto_pid= receiver_pids=()
cleanup() {
  for pid in "${receiver_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -n "$mosquitto_pid" ] && kill "$mosquitto_pid" 2>/dev/null || true
  stop_postgres "$dir"
  rm -rf "$dir"
}
trap cleanup EXIT
now_ms() { date +%s%3N; }

# PKI: the broker's, and the receiver's own certificate (CN ingest.ioc).
scripts/make-pki.sh "$dir" ioc bench-0 30
make_receiver_cert "$dir"

# PostgreSQL on a unix socket in the temp dir, as nobody when root; fsync on, as in production.
start_postgres "$dir" -c shared_buffers=256MB
psql_ioc() { "$PGBIN/psql" -X -At -h "$dir/pg" -U postgres -d ioc -c "$1"; }

# The IOC broker: a plain listener for the fleet, TLS for the receiver.
plain=$(free_port) tls=$(free_port)
chmod 777 "$dir"
cat >"$dir/mosquitto.conf" <<CONF
per_listener_settings false
listener $plain 127.0.0.1
allow_anonymous true
$(ioc_tls_listener "$dir" "$tls")
max_queued_messages 10000000
max_queued_bytes 0
max_inflight_messages 1000
CONF
mosquitto -c "$dir/mosquitto.conf" >"$dir/mosquitto.log" 2>&1 &
mosquitto_pid=$!
sleep 0.5

write_receiver_config() {
  local n=$1 share=
  [ "$receivers" -gt 1 ] && share='share_group = "ioc-ingest"'
  cat >"$dir/receiver-$n.toml" <<CONF
[broker]
host = "127.0.0.1"
port = $tls
ca_file = "$dir/ioc-ca.pem"
cert_file = "$dir/receiver.pem"
key_file = "$dir/receiver.key"
client_id = "classgate-ioc-bench-$n"
$share
[database]
conninfo = "$PG_CONNINFO"
[receiver]
batch_max = 500
CONF
}
start_receivers() {
  for n in $(seq "$receivers"); do
    "$bin/classgate-ioc" run --config "$dir/receiver-$n.toml" >>"$dir/receiver-$n.log" 2>&1 &
    receiver_pids+=($!)
  done
}
wait_subscribed() { for _ in $(seq 100); do [ "$(grep -c Subscribed "$1" || true)" -ge 3 ] && return; sleep 0.1; done; }
stored_so_far() { psql_ioc 'SELECT coalesce(sum(messages + duplicates), 0) FROM school'; }
# Done when every unique message is in the ledger (redeliveries after a kill count as duplicates).
wait_all_stored() { while [ "$(psql_ioc 'SELECT count(*) FROM sequenced')" -lt "$unique" ]; do sleep 0.2; done; }
for n in $(seq "$receivers"); do write_receiver_config "$n"; done

if [ -z "$live" ]; then
  for n in $(seq "$receivers"); do
    # Every session exists before the traffic, as after an outage.
    "$bin/classgate-ioc" run --config "$dir/receiver-$n.toml" >"$dir/receiver-$n.log" 2>&1 &
    pid=$!
    wait_subscribed "$dir/receiver-$n.log"
    kill -TERM "$pid"
    wait "$pid" || true
  done
  mosquitto_sub -V mqttv5 -h 127.0.0.1 -p "$plain" -c -x 3600 -i plain-sub -q 1 -E \
    -t 'ioc/v1/schools/+/summaries/#' -t 'ioc/v1/schools/+/events'

  result=$("$bin/ioc-fleet-bench" "$plain" "$schools" "$windows" "$events")
  echo "fleet: $result"
  sequenced=$(echo "$result" | sed -E 's/.*sequenced=([0-9]+).*/\1/')
  unique=$(echo "$result" | sed -E 's/.*unique=([0-9]+).*/\1/')

  start=$(now_ms)
  mosquitto_sub -V mqttv5 -h 127.0.0.1 -p "$plain" -c -x 3600 -i plain-sub -q 1 -C "$sequenced" \
    -t 'ioc/v1/schools/+/summaries/#' -t 'ioc/v1/schools/+/events' >/dev/null
  plain_ms=$(($(now_ms) - start))

  start=$(now_ms)
  start_receivers
  if [ -n "${KILL_ONE:-}" ]; then
    while [ "$(stored_so_far)" -lt $((sequenced / 3)) ]; do sleep 0.1; done
    kill -KILL "${receiver_pids[0]}"
    wait "${receiver_pids[0]}" 2>/dev/null || true
    echo "killed receiver 1 (kill -9) with $(stored_so_far) of $sequenced accounted for; restarting it in 2 s"
    sleep 2
    "$bin/classgate-ioc" run --config "$dir/receiver-1.toml" >>"$dir/receiver-1.log" 2>&1 &
    receiver_pids[0]=$!
  fi
  wait_all_stored
  receiver_ms=$(($(now_ms) - start))
else
  # The ceiling: a plain subscriber, connected, takes the city's return alone.
  mosquitto_sub -V mqttv5 -h 127.0.0.1 -p "$plain" -q 1 -t 'ioc/v1/schools/+/summaries/#' \
    -t 'ioc/v1/schools/+/events' >"$dir/plain.out" &
  sub_pid=$!
  sleep 0.5
  start=$(now_ms)
  result=$("$bin/ioc-fleet-bench" "$plain" "$schools" "$windows" "$events" "$jitter_ms" 500 20)
  sequenced=$(echo "$result" | sed -E 's/.*sequenced=([0-9]+).*/\1/')
  unique=$(echo "$result" | sed -E 's/.*unique=([0-9]+).*/\1/')
  while [ "$(wc -l <"$dir/plain.out")" -lt "$sequenced" ]; do sleep 0.05; done
  plain_ms=$(($(now_ms) - start))
  kill "$sub_pid" 2>/dev/null || true
  echo "fleet (plain subscriber's run): $result"
  # The receivers, connected before the city returns.
  start_receivers
  for n in $(seq "$receivers"); do wait_subscribed "$dir/receiver-$n.log"; done
  start=$(now_ms)
  result=$("$bin/ioc-fleet-bench" "$plain" "$schools" "$windows" "$events" "$jitter_ms" 500 20)
  echo "fleet (receivers' run): $result"
  wait_all_stored
  receiver_ms=$(($(now_ms) - start))
fi
rss=0 receiver_cpu_ms=0
for pid in "${receiver_pids[@]}"; do
  rss=$((rss > $(awk '/VmHWM/ {print $2}' "/proc/$pid/status") ? rss : $(awk '/VmHWM/ {print $2}' "/proc/$pid/status")))
  # CPU the receivers themselves used (utime + stime): the rest of the time is PostgreSQL's.
  receiver_cpu_ms=$((receiver_cpu_ms + $(awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$pid/stat")))
done
stored=$(psql_ioc 'SELECT count(*) FROM sequenced')
rejected=$(psql_ioc 'SELECT count(*) FROM rejected')
summaries=$(psql_ioc 'SELECT count(*) FROM summary')
size=$(psql_ioc "SELECT pg_size_pretty(sum(pg_total_relation_size(relid))) FROM pg_stat_user_tables")

echo "messages: $sequenced sequenced ($unique unique, the rest duplicates), $schools schools"
[ -n "$live" ] && echo "live: $schools schools back within $jitter_ms ms (jittered reconnects), each at most 20 in flight and 500 msg/s; times from the first return to the last message"
echo "plain mosquitto_sub (QoS 1, persistent session): $plain_ms ms, $((sequenced * 1000 / (plain_ms > 0 ? plain_ms : 1))) msg/s"
echo "classgate-ioc run ×$receivers into PostgreSQL:            $receiver_ms ms, $((sequenced * 1000 / (receiver_ms > 0 ? receiver_ms : 1))) msg/s, peak RSS $((rss / 1024)) MiB each at most, receivers' CPU $receiver_cpu_ms ms"
echo "stored: $stored in the ledger (expected $unique), $summaries summary rows (one per period), $rejected rejected; database $size"
# Exactly once: every unique seq in the ledger once (its primary key), one event row per event and
# one summary row per period (the fleet's windows are one part each).
events_stored=$(psql_ioc 'SELECT count(*) FROM event')
events_ledger=$(psql_ioc "SELECT count(*) FROM sequenced WHERE schema = 'classgate.event'")
echo "exactly once: ledger $stored of $unique unique, event rows $events_stored for $events_ledger events, summary rows $summaries for $((schools * windows)) periods"
[ "$stored" -eq "$unique" ] && [ "$rejected" -eq 0 ] && [ "$events_stored" -eq "$events_ledger" ] &&
  [ "$summaries" -eq $((schools * windows)) ]
