#!/usr/bin/env bash
# The store-and-forward figure: a simulated school day (yesterday, at SPEED×) through the agent
# while the IOC broker (TLS, client certificates) is down for OUTAGE seconds in the middle; then
# the backlog drains. Prints messages in, summaries and events out, the outage, missing and
# duplicated seqs at the IOC, and how long the drain took after the IOC came back.
#   Benchmarks/uplink-outage.sh [SPEED] [OUTAGE_S]        (defaults 600 and 30)
set -euo pipefail
cd "$(dirname "$0")/.."
SPEED="${1:-600}"; OUTAGE="${2:-30}"
scripts/install-deps.sh
swift build -c release --product classgate >/dev/null
BIN="$(swift build -c release --show-bin-path)/classgate"
WORK="$(mktemp -d /tmp/classgate-outage-XXXXXX)"
# mosquitto started as root runs as its own user and must save its sessions here across the outage.
chmod 777 "$WORK"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  if [ -n "${KEEP:-}" ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
. scripts/lib.sh
LOCAL=$(free_port); IOC=$(free_port); IOC_TLS=$(free_port)
printf 'listener %s 127.0.0.1\nallow_anonymous true\n' "$LOCAL" >"$WORK/local.conf"
mosquitto -c "$WORK/local.conf" >/dev/null 2>&1 & PIDS+=($!)
scripts/make-pki.sh "$WORK" ioc bench-school 30
cat >"$WORK/ioc.conf" <<CONF
per_listener_settings false
allow_anonymous true
persistence true
persistence_location $WORK/
max_queued_messages 0
listener $IOC 127.0.0.1
$(ioc_tls_listener "$WORK" "$IOC_TLS")
CONF
start_ioc() { mosquitto -c "$WORK/ioc.conf" >>"$WORK/ioc.log" 2>&1 & IOC_PID=$!; PIDS+=($IOC_PID); sleep 0.5; }
start_ioc
# The observer's session is persistent (-c), so nothing published while it reconnects is lost.
stdbuf -oL mosquitto_sub -p "$IOC" -i ioc-observer -c -q 1 -t 'ioc/v1/schools/#' -F '%t\t%p' >"$WORK/ioc.tsv" 2>/dev/null & PIDS+=($!)
(umask 077 && head -c 32 /dev/urandom >"$WORK/card.secret")
cat >"$WORK/cg.toml" <<CONF
school_id = "bench-school"
[local_broker]
port = $LOCAL
[store]
path = "$WORK/cg.db"
[profiles]
directories = ["$PWD/Devices"]
[inventory]
path = "$PWD/Devices/demo-school-inventory.toml"
[privacy]
secret_file = "$WORK/card.secret"
[rollup]
late_settle_s = 2
[ioc]
host = "127.0.0.1"
port = $IOC_TLS
ca_file = "$WORK/ioc-ca.pem"
cert_file = "$WORK/ioc-client.pem"
key_file = "$WORK/ioc-client.key"
reconnect_min_ms = 200
reconnect_max_ms = 2000
CONF
"$BIN" run --config "$WORK/cg.toml" 2>"$WORK/agent.log" & PIDS+=($!)
for _ in $(seq 100); do grep -q Subscribed "$WORK/agent.log" && break; sleep 0.1; done
echo "date=$(date -u +%FT%TZ) nproc=$(nproc) cpu=\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)\" commit=$(git rev-parse --short HEAD) speed=$SPEED outage_s=$OUTAGE"

"$BIN" simulate --port "$LOCAL" --speed "$SPEED" >"$WORK/simulate.log" & SIM=$!; PIDS+=($SIM)
sleep $(( 630 * 60 / SPEED / 3 ))   # a third of the day in
kill "$IOC_PID"; wait "$IOC_PID" 2>/dev/null || true
echo "IOC down at $(date -u +%T)"
sleep "$OUTAGE"
read -r queued_at_return seq_at_return < <("$BIN" uplink --json --config "$WORK/cg.toml" | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["queue_depth"], s["last_seq"] or 0)')
start_ioc
RETURN=$(date +%s.%N)
echo "IOC back at $(date -u +%T) with $queued_at_return messages queued (up to seq $seq_at_return)"
# The backlog from the outage is drained when everything up to that seq is acknowledged.
until [ "$(sqlite3 "file:$WORK/cg.db?mode=ro" "SELECT count(*) FROM outbox WHERE seq <= $seq_at_return AND delivered_ms IS NULL" 2>/dev/null || echo 1)" = 0 ]; do
  sleep 0.1
done
BACKLOG_DRAINED=$(date +%s.%N)
wait "$SIM" || true
# Drained: nothing queued, everything acknowledged, and no late data left to revise.
while :; do
  state="$("$BIN" uplink --json --config "$WORK/cg.toml")"
  late="$(sqlite3 "file:$WORK/cg.db?mode=ro" 'SELECT count(*) FROM late_ranges' 2>/dev/null || echo 1)"
  if echo "$state" | python3 -c 'import json,sys; s=json.load(sys.stdin); sys.exit(0 if s["queue_depth"]==0 and s["last_seq"] and s["last_acked_seq"]==s["last_seq"] else 1)' && [ "$late" = 0 ]; then break; fi
  sleep 0.2
done
DRAINED=$(date +%s.%N)
sleep 1
python3 - "$WORK/ioc.tsv" "$WORK/cg.db" "$RETURN" "$DRAINED" "$OUTAGE" "$queued_at_return" "$BACKLOG_DRAINED" <<'PY'
import json, sqlite3, sys
tsv, db, back, drained, outage, queued, backlog = sys.argv[1:8]
seqs, kinds = [], {}
for line in open(tsv):
    topic, _, payload = line.rstrip("\n").partition("\t")
    if topic.endswith("/presence"): continue
    doc = json.loads(payload)
    seqs.append(doc["seq"]); kinds[doc["schema"]] = kinds.get(doc["schema"], 0) + 1
store = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
received = store.execute("SELECT value FROM counters WHERE name='messages_received'").fetchone()[0]
last = int(store.execute("SELECT value FROM meta WHERE key='outbox.last_seq'").fetchone()[0])
unique = set(seqs)
missing = [s for s in range(1, last + 1) if s not in unique]
print(f"messages_in={received} seqs={last} received_at_ioc={len(seqs)} "
      + " ".join(f"{k.split('.')[1]}={v}" for k, v in sorted(kinds.items())))
missing_list = ",".join(map(str, missing[:40]))
print(f"missing_first={missing_list}")
print(f"outage_s={outage} queued_at_return={queued} missing_seqs={len(missing)} "
      f"duplicated_seqs={len(seqs) - len(unique)} backlog_drained_s={float(backlog) - float(back):.1f} "
      f"all_done_s_after_return={float(drained) - float(back):.1f}")
PY
