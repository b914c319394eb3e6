#!/usr/bin/env bash
# Every ClassGate benchmark in one command (issue #7): builds in release mode, runs them all, and
# writes a new section on top of Benchmarks/RESULTS.md plus Benchmarks/results.json.
#
#   Benchmarks/run-all.sh            the full suite (15–25 minutes on 2 cores)
#   Benchmarks/run-all.sh --quick    a short smoke run; results go to a temporary directory only
#   Benchmarks/run-all.sh --only ingest,cli   some sections (ingest live faults idle cli drain profile)
#
# What each figure means, how it is measured and the caveats: Benchmarks/README.md.
# Environment: SCRATCH (build directory, default .build-bench), KEEP=1 keeps the work directory,
# DROP_CACHES=1 drops the page cache before the first CLI run (root; affects the whole machine).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

QUICK=0
ONLY="ingest,live,faults,idle,cli,drain,profile"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --only) ONLY="$2"; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 64 ;;
  esac
  shift
done
wants() { [[ ",$ONLY," == *",$1,"* ]]; }

if [ "$QUICK" = 1 ]; then
  N=20000; RUNS=1; LIVE_N=20000; WRITER_N=$N; QUIET_S=5; IDLE_WARMUP_S=5; IDLE_S=20
  SYNTH_DAYS=3; READING_DAYS=0.25; CLI_RUNS=3; DRAIN_WINDOWS=288; DRAIN_EVENTS=300; PROFILE_N=20000
  FAULT_N=10000; POISON_COUNT=4; POISON_MIB=8; FLOOD_IDS=20000
else
  N=200000; RUNS=3; LIVE_N=100000; WRITER_N=$N; QUIET_S=30; IDLE_WARMUP_S=15; IDLE_S=120
  SYNTH_DAYS=30; READING_DAYS=7; CLI_RUNS=5; DRAIN_WINDOWS=2016; DRAIN_EVENTS=3000; PROFILE_N=100000
  FAULT_N=50000; POISON_COUNT=16; POISON_MIB=16; FLOOD_IDS=100000
fi
DEVICES=1000          # ingest: simulated devices
IDLE_DEVICES=300      # the real school: 300 devices, one message every 10 s each
IDLE_RATE=30

SCRATCH="${SCRATCH:-$ROOT/.build-bench}"
WORK="$(mktemp -d /tmp/classgate-bench-XXXXXX)"; chmod 755 "$WORK"
RES="$WORK/results"; mkdir -p "$RES"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  if [ "${KEEP:-0}" = 1 ]; then echo "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
say() { printf '\n== %s\n' "$*" >&2; }

# ---------------------------------------------------------------------------------------------
# Build

scripts/install-deps.sh
if wants profile && ! command -v perf >/dev/null && ! command -v valgrind >/dev/null; then
  apt-get install -y -qq --no-install-recommends linux-perf >/dev/null 2>&1 || true
fi
say "Building (release, scratch $SCRATCH)"
for product in classgate ingest-bench store-synth; do
  swift build -c release --scratch-path "$SCRATCH" --product "$product" >"$WORK/build.log" 2>&1 \
    || { tail -30 "$WORK/build.log"; exit 1; }
done
BIN="$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)"
CEIL="$WORK/ceiling"; mkdir -p "$CEIL"
gcc -O2 -o "$CEIL/cg-sub" Benchmarks/ceiling/sub.c -lmosquitto
gcc -O2 -o "$CEIL/cg-pub" Benchmarks/ceiling/pub.c -lmosquitto

COMMIT="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- Sources Package.swift 2>/dev/null || echo '+uncommitted')"
{
  echo "date=$(date -u +%FT%TZ)"
  echo "nproc=$(nproc)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "commit=$COMMIT"
  echo "os=$(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "swift=$(swift --version 2>&1 | grep -o 'Swift version [0-9.]*' | head -1 | cut -d' ' -f3)"
  echo "mosquitto=$(dpkg-query -W -f='${Version}' mosquitto 2>/dev/null)"
  echo "sqlite=$(sqlite3 --version | cut -d' ' -f1)"
  echo "quick=$QUICK"
  echo "load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$RES/machine.txt"
cat "$RES/machine.txt" >&2

# ---------------------------------------------------------------------------------------------
# Helpers

. scripts/lib.sh
ns() { date +%s%N; }
stop_pid() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }          # utime + stime, clock ticks
io_written() { awk '/^write_bytes/ {print $2}' "/proc/$1/io"; }   # bytes this process sent to storage
status_kib() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"; }
field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" "$2" | tail -1; }
seconds_between() { python3 -c "print(f'{($2 - $1) / 1e9:.3f}')"; }
CLK_TCK="$(getconf CLK_TCK)"

# A local broker that keeps every message for offline persistent sessions (QoS 0 included).
start_broker() { # DIR → BROKER_PORT, BROKER_PID
  BROKER_PORT="$(free_port)"
  printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\nmax_inflight_messages 0\nqueue_qos0_messages true\n' \
    "$BROKER_PORT" >"$1/broker.conf"
  mosquitto -c "$1/broker.conf" >"$1/broker.log" 2>&1 & BROKER_PID=$!; PIDS+=("$BROKER_PID")
  wait_port "$BROKER_PORT"
}

agent_config() { # DIR PORT
  cat >"$1/cg.toml" <<CONF
school_id = "bench-school"
[local_broker]
port = $2
[store]
path = "$1/cg.db"
[profiles]
directories = ["$ROOT/Devices"]
CONF
}

start_agent() { # DIR LOGNAME → AGENT; waits until it has subscribed
  "$BIN/classgate" run --config "$1/cg.toml" 2>"$1/$2.log" & AGENT=$!; PIDS+=("$AGENT")
  for _ in $(seq 300); do grep -q Subscribed "$1/$2.log" 2>/dev/null && return 0; sleep 0.02; done
  echo "agent did not subscribe: $(tail -3 "$1/$2.log")" >&2; return 1
}

committed_messages() { # STORE: log rows, exact at each commit (counters are written every few s)
  sqlite3 "file:$1?mode=ro" "SELECT coalesce((SELECT max(id) FROM reading_log), (SELECT value FROM meta WHERE key = 'log.flushed_through'), 0)"
}

# The IOC: a TLS mosquitto with client certificates (scripts/make-pki.sh), persistent.
IOC_READY=0
ioc_setup() {
  [ "$IOC_READY" = 1 ] && return 0
  IOCDIR="$WORK/ioc"; mkdir -p "$IOCDIR"
  scripts/make-pki.sh "$IOCDIR" ioc bench-school 30
  IOC_PORT="$(free_port)"; IOC_TLS="$(free_port)"; IOC_READY=1
}
start_ioc() { # PERSISTENCE_DIR
  mkdir -p "$1"
  cat >"$1/ioc.conf" <<CONF
per_listener_settings false
allow_anonymous true
persistence true
persistence_location $1/
max_queued_messages 0
listener $IOC_PORT 127.0.0.1
$(ioc_tls_listener "$IOCDIR" "$IOC_TLS")
CONF
  mosquitto -c "$1/ioc.conf" >>"$1/ioc.log" 2>&1 & IOC_PID=$!; PIDS+=("$IOC_PID")
  wait_port "$IOC_TLS"
}
ioc_config() { # DIR [extra lines]
  cat >>"$1/cg.toml" <<CONF
[ioc]
host = "127.0.0.1"
port = $IOC_TLS
ca_file = "$IOCDIR/ioc-ca.pem"
cert_file = "$IOCDIR/ioc-client.pem"
key_file = "$IOCDIR/ioc-client.key"
${2:-}
CONF
}

# ---------------------------------------------------------------------------------------------
# 1 + 2. Ingest vs the ceiling, and memory. Both consumers drain the same prefilled broker:
# each has a persistent session (primed before the load), the generator publishes N messages
# (queued twice, once per session), then each consumer connects alone and is timed from its
# process start to its Nth message (the C subscriber: received; the agent: committed to SQLite).

ingest_run() { # QOS RUN
  local qos=$1 run=$2 dir="$WORK/ingest-q$1-r$2"; mkdir -p "$dir"
  start_broker "$dir"; local broker=$BROKER_PID port=$BROKER_PORT
  agent_config "$dir" "$port"
  start_agent "$dir" prime; stop_pid "$AGENT"
  "$CEIL/cg-sub" 127.0.0.1 "$port" cg-ceiling 'classgate/#' 0 >/dev/null
  "$CEIL/cg-pub" 127.0.0.1 "$port" "$N" "$DEVICES" "$qos" >"$dir/pub.out"
  # mosquitto 2.0.11 sometimes drops part of a queued QoS 0 flood for a session that reconnects
  # right after the flood (seen: ~30 % when the consumer connected within milliseconds; never
  # after a pause); both consumers would miss the same ones. A pause avoids it.
  sleep 2
  local base; base="$(committed_messages "$dir/cg.db")"
  drain_ceiling() {
    local t0; t0="$(ns)"
    "$CEIL/cg-sub" 127.0.0.1 "$port" cg-ceiling 'classgate/#' "$N" >"$dir/ceiling.out"
    CEIL_S="$(seconds_between "$t0" "$(field done_ns "$dir/ceiling.out")")"
  }
  drain_agent() {
    local t0; t0="$(ns)"
    "$BIN/classgate" run --config "$dir/cg.toml" 2>"$dir/agent.log" & AGENT=$!; PIDS+=("$AGENT")
    "$BIN/ingest-bench" watch "$dir/cg.db" "$AGENT" $((base + N)) 900 >"$dir/watch.out"
    AGENT_S="$(seconds_between "$t0" "$(field done_ns "$dir/watch.out")")"
    WRITTEN="$(io_written "$AGENT")"
    IDLE_RSS=""; IDLE_HWM=""
    if [ "$run" = "$RUNS" ]; then
      sleep "$QUIET_S"
      IDLE_RSS="$(status_kib "$AGENT" VmRSS)"; IDLE_HWM="$(status_kib "$AGENT" VmHWM)"
    fi
    stop_pid "$AGENT"
  }
  if (( run % 2 )); then drain_ceiling; drain_agent; else drain_agent; drain_ceiling; fi
  stop_pid "$broker"
  local readings; readings="$(field committed_readings "$dir/watch.out")"
  # What each consumer got: the broker may drop part of a QoS 0 flood (both sessions then miss
  # the same messages); each rate is what it got over its own time.
  echo "qos=$qos run=$run n=$N devices=$DEVICES ceiling_s=$CEIL_S agent_s=$AGENT_S" \
    "agent_committed=$(( $(field committed_messages "$dir/watch.out") - base ))" \
    "ceiling_stalled=$(field stalled "$dir/ceiling.out") agent_stalled=$(field stalled "$dir/watch.out")" \
    "ceiling_rss_kib=$(field peak_rss_kib "$dir/ceiling.out") agent_hwm_kib=$(field agent_peak_rss_kib "$dir/watch.out")" \
    "agent_idle_rss_kib=${IDLE_RSS:-} agent_idle_hwm_kib=${IDLE_HWM:-} readings=$readings" \
    "agent_rss_anon_kib=$(field agent_rss_anon_kib "$dir/watch.out") agent_rss_file_kib=$(field agent_rss_file_kib "$dir/watch.out")" \
    "agent_write_bytes=$WRITTEN" \
    "ceiling_received=$(field received "$dir/ceiling.out") pub_msgs_per_s=$(field msgs_per_s "$dir/pub.out")" \
    "payload_bytes=$(field avg_payload_bytes "$dir/pub.out") first=$(( run % 2 ? 0 : 1 ))" | tee -a "$RES/ingest.txt" >&2
  # Disk, as the agent wrote it (1,000 devices, 8 metrics per message).
  if [ "$run" = "$RUNS" ]; then disk_of "$dir/cg.db" "ingest_q$qos" >>"$RES/disk.txt"; fi
  [ "${KEEP:-0}" = 1 ] || rm -f "$dir"/cg.db*
}

# Bytes per reading: the raw-reading tables' pages (dbstat: log, chunks, their indexes, the carry)
# and the whole store's used pages. Readings are packed, so store-synth counts them.
disk_of() { # STORE LABEL
  local readings; readings="$("$BIN/store-synth" count "$1")"
  sqlite3 "file:$1?mode=ro" "
    SELECT '$2' || '_readings=' || $readings
      || ' $2_readings_table_bytes=' || (SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name IN ('reading_log', 'reading_log_by_time', 'reading_chunks', 'reading_chunks_by_time', 'series_carry'))
      || ' $2_used_bytes=' || (((SELECT page_count FROM pragma_page_count) - (SELECT freelist_count FROM pragma_freelist_count)) * (SELECT page_size FROM pragma_page_size))
      || ' $2_usage_bytes=' || (SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name IN ('device_usage', 'metric_usage', 'usage_periods'))
      || ' $2_file_bytes=' || ((SELECT page_count FROM pragma_page_count) * (SELECT page_size FROM pragma_page_size));"
}

if wants ingest; then
  say "Ingest vs ceiling: $N messages, $DEVICES devices, median of $RUNS (QoS 0 and 1)"
  for qos in 0 1; do for run in $(seq "$RUNS"); do ingest_run "$qos" "$run"; done; done
  # The storage ceiling: the same messages, already decoded, into SQLite alone, in the agent's
  # batch sizes: 5,000 (store.max_batch: a drain fills every batch, QoS 0 or 1) and 500 (the
  # QoS 1 PUBACK batch, what a live QoS 1 stream commits at a time).
  say "Storage alone: $WRITER_N decoded messages, agent's writer and bare INSERTs"
  for batch in 5000 500; do
    for mode in $(for _ in $(seq "$RUNS"); do echo writer; done) raw; do
      rm -f "$WORK/writer.db"*
      "$BIN/store-synth" writer "$WORK/writer.db" --messages "$WRITER_N" --devices "$DEVICES" \
        --batch "$batch" --raw "$([ "$mode" = raw ] && echo 1 || echo 0)" | tee -a "$RES/writer.txt" >&2
    done
  done
  rm -f "$WORK/writer.db"*
fi

# Live stream, the issue-#2 figure (Benchmarks/ingest-quick.sh): the Swift generator publishes
# while the agent runs; time from the first publish to the last commit.
if wants live; then
  say "Live ingest (ingest-quick style): $LIVE_N messages"
  for qos in 1 0; do
    dir="$WORK/live-q$qos"; mkdir -p "$dir"
    start_broker "$dir"; agent_config "$dir" "$BROKER_PORT"
    start_agent "$dir" agent
    "$BIN/ingest-bench" "$BROKER_PORT" "$dir/cg.db" "$AGENT" "$LIVE_N" "$DEVICES" "$qos" >"$dir/live.out"
    echo "live_q$qos: $(cat "$dir/live.out")" | tee -a "$RES/live.txt" >&2
    stop_pid "$AGENT"; stop_pid "$BROKER_PID"
    [ "${KEEP:-0}" = 1 ] || rm -f "$dir"/cg.db*
  done
fi

# ---------------------------------------------------------------------------------------------
# Field faults (issue #13): the good stream's rate while a poison payload or a device flood goes
# through the same broker, beside the same stream without an attack, in the same run. The school's
# 1,000 devices are known first (one message each), as on a box that has run for a while. Then
# FAULT_N good QoS 1 messages and the attack are published together into the agent's offline
# session; the agent drains it. Done when every message is committed: good ones as log rows, each
# poison payload and each refused id as a dead letter (a flood's first admitted ids as rows).
faults_run() { # ATTACK (none|poison|flood)
  local attack=$1 dir="$WORK/faults-$1"; mkdir -p "$dir"
  start_broker "$dir"; local broker=$BROKER_PID port=$BROKER_PORT
  agent_config "$dir" "$port"
  # A drain's last partial batch waits out store.commit_window_ms (1 s): longer than the whole
  # quick drain. 50 ms in all three runs keeps that wait out of the comparison.
  sed -i "s|^path = \"$dir/cg.db\"|&\ncommit_window_ms = 50|" "$dir/cg.toml"
  start_agent "$dir" prime; stop_pid "$AGENT"
  "$CEIL/cg-pub" 127.0.0.1 "$port" "$DEVICES" "$DEVICES" 1 >/dev/null
  "$BIN/classgate" run --config "$dir/cg.toml" 2>"$dir/known.log" & AGENT=$!; PIDS+=("$AGENT")
  "$BIN/ingest-bench" watch "$dir/cg.db" "$AGENT" "$DEVICES" 120 >/dev/null
  stop_pid "$AGENT"
  "$CEIL/cg-sub" 127.0.0.1 "$port" cg-ceiling 'classgate/#' 0 >/dev/null
  local extra=0
  "$CEIL/cg-pub" 127.0.0.1 "$port" "$FAULT_N" "$DEVICES" 1 >"$dir/pub.out" & local good=$!
  case "$attack" in
    poison)
      head -c $((POISON_MIB << 20)) /dev/zero | tr '\0' 'A' >"$dir/poison.bin"
      mosquitto_pub -p "$port" -q 1 -t classgate/r1/env_sensor/bench-1/telemetry -f "$dir/poison.bin" \
        --repeat "$POISON_COUNT" >/dev/null
      extra=$POISON_COUNT ;;
    flood)
      "$CEIL/cg-pub" 127.0.0.1 "$port" "$FLOOD_IDS" "$FLOOD_IDS" 1 0 env 1000000 >"$dir/flood.out"
      extra=$FLOOD_IDS ;;
  esac
  wait "$good"
  sleep 2
  local base; base=$(( $(committed_messages "$dir/cg.db") + $(sqlite3 "file:$dir/cg.db?mode=ro" "SELECT coalesce(max(id), 0) FROM dead_letters") ))
  local t0; t0="$(ns)"
  "$BIN/classgate" run --config "$dir/cg.toml" 2>"$dir/agent.log" & AGENT=$!; PIDS+=("$AGENT")
  "$BIN/ingest-bench" watch "$dir/cg.db" "$AGENT" $((base + FAULT_N + extra)) 900 --with-dead-letters >"$dir/watch.out"
  local agent_s; agent_s="$(seconds_between "$t0" "$(field done_ns "$dir/watch.out")")"
  sleep 6  # counters are written every 5 s
  stop_pid "$AGENT"
  # The plain C subscriber drains the same queue: what the broker and the socket cost alone.
  t0="$(ns)"
  "$CEIL/cg-sub" 127.0.0.1 "$port" cg-ceiling 'classgate/#' $((FAULT_N + extra)) >"$dir/ceiling.out"
  local ceiling_s; ceiling_s="$(seconds_between "$t0" "$(field done_ns "$dir/ceiling.out")")"
  stop_pid "$broker"
  local counts; counts="$(sqlite3 "file:$dir/cg.db?mode=ro" "SELECT
    (SELECT count(*) FROM devices) || ' ' ||
    coalesce((SELECT value FROM counters WHERE name = 'dead_letters.payload_too_large'), 0) || ' ' ||
    coalesce((SELECT value FROM counters WHERE name = 'dead_letters.device_limit'), 0)")"
  read -r devices too_large refused <<<"$counts"
  echo "attack=$attack good=$FAULT_N extra=$extra agent_s=$agent_s ceiling_s=$ceiling_s" \
    "good_msgs_per_s=$(python3 -c "print(round($FAULT_N / $agent_s))")" \
    "stalled=$(field stalled "$dir/watch.out") agent_hwm_kib=$(field agent_peak_rss_kib "$dir/watch.out")" \
    "devices=$devices payload_too_large=$too_large device_limit=$refused" \
    "poison_mib=$([ "$attack" = poison ] && echo "$POISON_MIB" || echo 0)" | tee -a "$RES/faults.txt" >&2
  [ "${KEEP:-0}" = 1 ] || rm -f "$dir"/cg.db* "$dir/poison.bin"
}

if wants faults; then
  say "Field faults: $FAULT_N good QoS 1 messages alone, with $POISON_COUNT x $POISON_MIB MiB poison payloads, with a flood of $FLOOD_IDS new ids"
  for attack in none poison flood; do faults_run "$attack"; done
fi

# ---------------------------------------------------------------------------------------------
# 3. Idle cost: a real school's load (300 devices, one message every 10 s each = 30 msg/s, QoS 1,
# per-kind payloads), the agent with the IOC configured, in real time. CPU from utime+stime.

if wants idle; then
  say "Idle cost: $IDLE_DEVICES devices at $IDLE_RATE msg/s for ${IDLE_S}s (after ${IDLE_WARMUP_S}s warm-up)"
  ioc_setup
  dir="$WORK/idle"; mkdir -p "$dir"
  start_ioc "$dir/ioc"
  start_broker "$dir"; agent_config "$dir" "$BROKER_PORT"; ioc_config "$dir"
  start_agent "$dir" agent
  "$CEIL/cg-sub" 127.0.0.1 "$BROKER_PORT" cg-ceiling-idle 'classgate/#' -1 >"$dir/ceiling.out" & SUB=$!; PIDS+=("$SUB")
  "$CEIL/cg-pub" 127.0.0.1 "$BROKER_PORT" 0 "$IDLE_DEVICES" 1 "$IDLE_RATE" school >"$dir/pub.out" & PUB=$!; PIDS+=("$PUB")
  sleep "$IDLE_WARMUP_S"
  a0="$(ticks "$AGENT")"; s0="$(ticks "$SUB")"; m0="$(committed_messages "$dir/cg.db")"; w0="$(io_written "$AGENT")"; t0="$(ns)"
  sleep "$IDLE_S"
  a1="$(ticks "$AGENT")"; s1="$(ticks "$SUB")"; m1="$(committed_messages "$dir/cg.db")"; w1="$(io_written "$AGENT")"; t1="$(ns)"
  rss="$(status_kib "$AGENT" VmRSS)"; hwm="$(status_kib "$AGENT" VmHWM)"
  stop_pid "$PUB"; stop_pid "$SUB"; stop_pid "$AGENT"; stop_pid "$BROKER_PID"; stop_pid "$IOC_PID"
  python3 - "$a0" "$a1" "$s0" "$s1" "$t0" "$t1" "$CLK_TCK" "$m0" "$m1" "$rss" "$hwm" "$w0" "$w1" >>"$RES/idle.txt" <<'PY'
import sys
a0, a1, s0, s1, t0, t1, tck, m0, m1, rss, hwm, w0, w1 = map(int, sys.argv[1:])
wall = (t1 - t0) / 1e9
print(f"idle_write_bytes_per_s={(w1 - w0) / wall:.0f} idle_write_bytes_per_msg={(w1 - w0) / max(m1 - m0, 1):.0f}", end=" ")
print(f"idle_wall_s={wall:.1f} idle_agent_cpu_s={(a1 - a0) / tck:.2f} idle_agent_cpu_pct={(a1 - a0) / tck / wall * 100:.3f} "
      f"idle_ceiling_cpu_pct={(s1 - s0) / tck / wall * 100:.3f} idle_messages={m1 - m0} idle_msgs_per_s={(m1 - m0) / wall:.1f} "
      f"idle_agent_rss_kib={rss} idle_agent_hwm_kib={hwm}")
PY
  tail -1 "$RES/idle.txt" >&2
fi

# ---------------------------------------------------------------------------------------------
# 4 + 5. A month of the school in one store (store-synth), bytes per reading, and the CLI on it.
# The school's zone is picked so that the run falls between 22:30 and 23:30 local time: then
# `stats --days 30` also adds up a whole day of windows (today has no day row yet), its worst case.

if wants cli; then
  say "CLI on a month-sized store ($SYNTH_DAYS days of summaries and scans, $READING_DAYS days of raw readings)"
  dir="$WORK/cli"; mkdir -p "$dir"
  read -r ZONE YESTERDAY LOCALTIME < <(python3 - <<'PY'
import datetime
now = datetime.datetime.now(datetime.timezone.utc)
offset = (23 - now.hour) % 24 if now.minute < 30 else (22 - now.hour) % 24
if offset > 14: offset -= 24
zone = "Etc/GMT" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"
local = now + datetime.timedelta(hours=offset)
print(zone, (local - datetime.timedelta(days=1)).strftime("%Y-%m-%d"), local.strftime("%H:%M"))
PY
  )
  t0="$(ns)"
  "$BIN/store-synth" month "$dir/cg.db" --days "$SYNTH_DAYS" --reading-days "$READING_DAYS" \
    --devices "$IDLE_DEVICES" --time-zone "$ZONE" >"$dir/synth.out" 2>"$dir/synth.log"
  echo "$(cat "$dir/synth.out") zone=$ZONE local_time=$LOCALTIME" | tee -a "$RES/synth.txt" >&2
  printf 'school_id = "bench-school"\ntime_zone = "%s"\n[store]\npath = "%s/cg.db"\n' "$ZONE" "$dir" >"$dir/cg.toml"
  disk_of "$dir/cg.db" month >>"$RES/disk.txt"
  # DROP_CACHES=1: the first run reads a cold store (root only; it slows everyone on the machine).
  if [ "${DROP_CACHES:-0}" = 1 ]; then sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true; fi
  run_cli() { # LABEL ARGS...
    local label=$1; shift
    local times=()
    for i in $(seq 0 "$CLI_RUNS"); do
      local t0; t0="$(ns)"
      /usr/bin/time -f '%M' -o "$dir/time.out" "$BIN/classgate" "$@" --config "$dir/cg.toml" >"$dir/cli.out" 2>"$dir/cli.err" \
        || { echo "classgate $* failed: $(cat "$dir/cli.err")" >&2; return 1; }
      local ms; ms="$(python3 -c "print(f'{($(ns) - $t0) / 1e6:.1f}')")"
      if [ "$i" = 0 ]; then echo "cli_${label}_first_ms=$ms" >>"$RES/cli.txt"; else times+=("$ms"); fi
    done
    echo "cli_${label}_ms=$(IFS=,; echo "${times[*]}") cli_${label}_rss_kib=$(tail -1 "$dir/time.out") cli_${label}_bytes=$(wc -c <"$dir/cli.out")" \
      | tee -a "$RES/cli.txt" >&2
  }
  run_cli devices_json devices --json
  run_cli device device reader-101
  run_cli stats_day stats --day "$YESTERDAY"
  run_cli stats_days30 stats --days 30
  [ "${KEEP:-0}" = 1 ] || rm -f "$dir"/cg.db*
fi

# ---------------------------------------------------------------------------------------------
# 6. Drain after a week without the IOC: the outbox holds a week of window summaries (300
# devices each), the daily summaries and a few thousand events (store-synth). The agent runs
# while the IOC broker is down; the broker comes back; timed from then until the outbox is empty.
# An observer (persistent session) checks every seq arrived once.

drain_run() { # LABEL EXTRA_IOC_CONFIG
  local label=$1 extra=$2 dir="$WORK/drain-$1"; mkdir -p "$dir"
  cp "$WORK/drain-store/cg.db" "$dir/cg.db"
  start_broker "$dir"; agent_config "$dir" "$BROKER_PORT"; ioc_config "$dir" "$extra"
  start_ioc "$dir/ioc"
  stdbuf -oL mosquitto_sub -p "$IOC_PORT" -i "observer-$label" -c -q 1 -t 'ioc/v1/schools/#' -F '%t\t%p' \
    >"$dir/ioc.tsv" 2>/dev/null & local observer=$!; PIDS+=("$observer")
  sleep 1
  stop_pid "$IOC_PID"                       # the observer's session is saved with the broker
  start_agent "$dir" agent
  sleep 3                                   # the agent tries, fails, backs off
  start_ioc "$dir/ioc"
  local back; back="$(ns)"
  local pending=1 deadline=$(( $(date +%s) + 900 ))
  while [ "$pending" != 0 ] && [ "$(date +%s)" -lt "$deadline" ]; do
    sleep 0.1
    pending="$(sqlite3 "file:$dir/cg.db?mode=ro" 'SELECT count(*) FROM outbox WHERE delivered_ms IS NULL' 2>/dev/null || echo 1)"
  done
  local drained; drained="$(ns)"
  sleep 2
  local rss hwm; rss="$(status_kib "$AGENT" VmRSS)"; hwm="$(status_kib "$AGENT" VmHWM)"
  stop_pid "$AGENT"; sleep 1; stop_pid "$observer"; stop_pid "$IOC_PID"; stop_pid "$BROKER_PID"
  python3 - "$dir" "$back" "$drained" "$label" "$rss" "$hwm" >>"$RES/drain.txt" <<'PY'
import datetime, json, sqlite3, sys
dir, back, drained, label, rss, hwm = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
seqs, size = [], 0
for line in open(f"{dir}/ioc.tsv", encoding="utf-8", errors="replace"):
    topic, _, payload = line.rstrip("\n").partition("\t")
    if topic.endswith("/presence"): continue
    seqs.append(json.loads(payload)["seq"]); size += len(payload.encode())
db = sqlite3.connect(f"file:{dir}/cg.db?mode=ro", uri=True)
last = int(db.execute("SELECT value FROM meta WHERE key = 'outbox.last_seq'").fetchone()[0])
unique = set(seqs)
connected = None
for line in open(f"{dir}/agent.log"):
    if "Connected to the IOC" in line:
        stamp = datetime.datetime.strptime(line.split()[0], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
        ms = stamp.timestamp() * 1e9
        if ms >= back: connected = ms; break
p = f"drain_{label}_"
print(f"{p}s={(drained - back) / 1e9:.1f} {p}connect_s={((connected or back) - back) / 1e9:.1f} "
      f"{p}after_connect_s={(drained - (connected or back)) / 1e9:.1f} {p}messages={len(seqs)} {p}mb={size / 1e6:.1f} "
      f"{p}last_seq={last} {p}missing={len([s for s in range(1, last + 1) if s not in unique])} "
      f"{p}duplicates={len(seqs) - len(unique)} {p}agent_rss_kib={rss} {p}agent_hwm_kib={hwm}")
PY
  tail -1 "$RES/drain.txt" >&2
  [ "${KEEP:-0}" = 1 ] || rm -f "$dir"/cg.db* "$dir/ioc.tsv"
}

if wants drain; then
  say "Drain: $DRAIN_WINDOWS window summaries of $IDLE_DEVICES devices, the daily ones and $DRAIN_EVENTS events"
  ioc_setup
  mkdir -p "$WORK/drain-store"
  "$BIN/store-synth" outbox "$WORK/drain-store/cg.db" --windows "$DRAIN_WINDOWS" --events "$DRAIN_EVENTS" \
    --devices "$IDLE_DEVICES" --school-id bench-school >"$WORK/drain-store/synth.out" 2>"$WORK/drain-store/synth.log"
  echo "drain_synth: $(cat "$WORK/drain-store/synth.out")" | tee -a "$RES/drain.txt" >&2
  drain_run default ""
  # The same backlog without the rate limit: what limits the drain next.
  drain_run unlimited "max_messages_per_s = 100000
max_in_flight = 1000"
fi

# ---------------------------------------------------------------------------------------------
# 7. Profile of the hot path: the agent ingesting a live QoS 1 stream under perf (callgrind if
# perf cannot run), symbols demangled. The analysis is in Benchmarks/PROFILE.md.

if wants profile; then
  say "Profile: $PROFILE_N messages at QoS 1"
  dir="$WORK/profile"; mkdir -p "$dir"
  start_broker "$dir"; agent_config "$dir" "$BROKER_PORT"
  start_agent "$dir" agent
  REPORT="$ROOT/Benchmarks/profile-latest.txt"; [ "$QUICK" = 1 ] && REPORT="$WORK/profile-latest.txt"
  if perf record -e cpu-clock -o "$dir/probe.data" -- true >/dev/null 2>&1; then
    perf record -e cpu-clock -F 1999 --call-graph dwarf,32768 -p "$AGENT" -o "$dir/perf.data" >"$dir/perf.log" 2>&1 & PERF=$!
    sleep 1
    base="$(committed_messages "$dir/cg.db")"
    t0="$(ns)"
    "$CEIL/cg-pub" 127.0.0.1 "$BROKER_PORT" "$PROFILE_N" "$DEVICES" 1 >"$dir/pub.out"
    "$BIN/ingest-bench" watch "$dir/cg.db" "$AGENT" $((base + PROFILE_N)) 900 >"$dir/watch.out"
    kill -INT "$PERF"; wait "$PERF" || true
    agent_cpu="$(ticks "$AGENT")"
    stop_pid "$AGENT"; stop_pid "$BROKER_PID"
    report() { perf report -i "$dir/perf.data" --stdio -g none "$@" 2>/dev/null | grep -v '^#' | grep -v '^$' || true; }
    {
      echo "# perf profile of classgate run: $PROFILE_N messages, QoS 1, $DEVICES devices, $(date -u +%FT%TZ), commit $COMMIT"
      echo "# agent CPU: $(python3 -c "print(f'{$agent_cpu / $CLK_TCK:.2f}')") s for $PROFILE_N messages (incl. start-up)"
      echo; echo "## By shared object (self time)"
      report --no-children --sort dso | head -15
      echo; echo "## Top symbols (self time)"
      report --no-children --sort dso,symbol --percent-limit 0.4 | swift demangle --simplified | cut -c1-220 | head -70
      echo; echo "## Inclusive time (children), top entries"
      report --children --sort symbol --percent-limit 2 | swift demangle --simplified | cut -c1-220 | head -80
    } >"$REPORT" || true
    report --no-children --sort dso | head -8 \
      | awk '{gsub("%","",$1); printf "profile_dso_%s=%s\n", $2, $1}' | sed 's/\[\(.*\)\]/\1/' >>"$RES/profile.txt" || true
    echo "profile_tool=perf profile_cpu_s=$(python3 -c "print(f'{$agent_cpu / $CLK_TCK:.2f}')")" >>"$RES/profile.txt"
  else
    # No perf here: callgrind on a short run (about 50x slower).
    stop_pid "$AGENT"
    valgrind --tool=callgrind --callgrind-out-file="$dir/callgrind.out" "$BIN/classgate" run --config "$dir/cg.toml" \
      2>"$dir/agent.log" & AGENT=$!; PIDS+=("$AGENT")
    for _ in $(seq 600); do grep -q Subscribed "$dir/agent.log" && break; sleep 0.1; done
    "$CEIL/cg-pub" 127.0.0.1 "$BROKER_PORT" 5000 "$DEVICES" 1 >"$dir/pub.out"
    "$BIN/ingest-bench" watch "$dir/cg.db" "$AGENT" 5000 900 >"$dir/watch.out"
    stop_pid "$AGENT"; stop_pid "$BROKER_PID"
    callgrind_annotate --inclusive=yes "$dir/callgrind.out" 2>/dev/null | swift demangle --simplified | head -80 >"$REPORT"
    echo "profile_tool=callgrind" >>"$RES/profile.txt"
  fi
  echo "profile written to $REPORT" >&2
fi

# ---------------------------------------------------------------------------------------------
# Results: medians, the Markdown section and results.json.

echo "load_at_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RES/machine.txt"
OUT_MD="$ROOT/Benchmarks/RESULTS.md"; OUT_JSON="$ROOT/Benchmarks/results.json"
if [ "$QUICK" = 1 ] || [ "$ONLY" != "ingest,live,faults,idle,cli,drain,profile" ]; then
  OUT_MD="$WORK/RESULTS.md"; OUT_JSON="$WORK/results.json"; cp "$ROOT/Benchmarks/RESULTS.md" "$OUT_MD"
  KEEP=1
fi
python3 Benchmarks/report.py "$RES" "$OUT_JSON" "$OUT_MD" "$IDLE_DEVICES"
echo "results: $OUT_JSON and $OUT_MD" >&2
