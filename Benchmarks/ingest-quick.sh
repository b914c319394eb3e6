#!/usr/bin/env bash
# Quick ingest figure: release build, a local mosquitto, the agent, N messages from many devices;
# prints messages/s committed to SQLite and the agent's peak RSS. Usage: Benchmarks/ingest-quick.sh [N] [QOS]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"; QOS="${2:-1}"; DEVICES="${DEVICES:-1000}"
scripts/install-deps.sh
swift build -c release --product classgate >/dev/null
swift build -c release --product ingest-bench >/dev/null
BIN="$(swift build -c release --show-bin-path)"
WORK="$(mktemp -d /tmp/classgate-bench-XXXXXX)"; chmod 755 "$WORK"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
PORT=$((20000 + RANDOM % 40000))
printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\nmax_inflight_messages 0\n' "$PORT" >"$WORK/m.conf"
mosquitto -c "$WORK/m.conf" >/dev/null 2>&1 & PIDS+=($!)
sleep 0.5
printf 'school_id = "bench"\n[local_broker]\nport = %s\n[store]\npath = "%s/cg.db"\n' "$PORT" "$WORK" >"$WORK/cg.toml"
"$BIN/classgate" run --config "$WORK/cg.toml" 2>"$WORK/agent.log" & AGENT=$!; PIDS+=($AGENT)
for _ in $(seq 100); do grep -q Subscribed "$WORK/agent.log" && break; sleep 0.1; done
echo "date=$(date -u +%FT%TZ) nproc=$(nproc) cpu=\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)\" commit=$(git rev-parse --short HEAD)"
"$BIN/ingest-bench" "$PORT" "$WORK/cg.db" "$AGENT" "$N" "$DEVICES" "$QOS"
echo "store_bytes=$(stat -c %s "$WORK/cg.db") wal_bytes=$(stat -c %s "$WORK/cg.db-wal" 2>/dev/null || echo 0)"
