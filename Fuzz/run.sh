#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer: builds Fuzz/DecodeFuzzer with `--sanitize fuzzer` (and
# address) and runs it for SECONDS (default 60) on one core.
#
#   Fuzz/run.sh [SECONDS] [decode|json|toml]
#
# The corpus grows in .build-libfuzzer/corpus/<target> and is kept between runs (seeded from the
# examples in Devices/ and the shipped profiles); a crash is saved as
# .build-libfuzzer/artifacts/<target>-crash-… and replayed with:
#   CLASSGATE_FUZZ_TARGET=<target> CLASSGATE_DEVICES=Devices .build-libfuzzer/debug/DecodeFuzzer FILE
# Keep each input that crashed as a regression test in Tests/FuzzTests (DecodeFuzzTests.knownHostileInputs).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN="${1:-60}"
TARGET="${2:-decode}"
SCRATCH=.build-libfuzzer
WORK="$SCRATCH/corpus/$TARGET"
SEEDS="$SCRATCH/seeds/$TARGET"
ARTIFACTS="$SCRATCH/artifacts"
mkdir -p "$WORK" "$SEEDS" "$ARTIFACTS"

echo "== building DecodeFuzzer with libFuzzer and AddressSanitizer" >&2
# swiftc -sanitize=fuzzer links libFuzzer but (unlike clang) adds no coverage: ask for it.
swift build -c debug --scratch-path "$SCRATCH" --sanitize fuzzer --sanitize address --product DecodeFuzzer \
  -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table >&2

# Seeds: one file per example (topic, newline, payload for decode).
seed() { printf '%s' "$2" > "$SEEDS/$1"; }
case "$TARGET" in
  decode)
    n=0
    # The protocol examples in Devices/README.md: "topic   payload" lines.
    while IFS= read -r line; do
      topic="${line%% *}"
      payload="$(printf '%s' "${line#"$topic"}" | sed -e "s/^ *'\{0,1\}//" -e "s/'\{0,1\} *$//")"
      n=$((n + 1)); seed "readme-$n" "$topic"$'\n'"$payload"
    done < <(grep -E "^ *(classgate|tele|stat|shelly|zigbee2mqtt)/[^ ]+ +['{]" Devices/README.md | sed 's/^ *//')
    seed z2m-state $'zigbee2mqtt/env-101\n{"temperature":27.34,"humidity":44.72,"co2":640,"battery":97,"linkquality":142,"last_seen":"2025-11-29T07:59:00Z"}'
    seed z2m-plug $'zigbee2mqtt/plug-102\n{"state":"ON","power":35.5,"energy":1.25,"voltage":231,"current":0.16}'
    seed z2m-availability $'zigbee2mqtt/env-101/availability\n{"state":"online"}'
    seed z2m-bridge $'zigbee2mqtt/bridge/state\n{"state":"online"}'
    seed tasmota-sensor $'tele/plug-101/SENSOR\n{"Time":"2025-11-29T15:00:00","ENERGY":{"Total":0.004,"Power":3,"Voltage":230},"AM2301":{"Temperature":27.4}}'
    seed tasmota-state $'tele/plug-101/STATE\n{"Time":"2025-11-29T15:00:00","POWER":"ON","Wifi":{"Signal":-61}}'
    seed tasmota-lwt $'tele/plug-101/LWT\nOnline'
    seed shelly-rpc $'shelly/shellyplusplugs-e86beae12345/events/rpc\n{"method":"NotifyStatus","params":{"ts":1764403195.12,"switch:0":{"id":0,"apower":3.1,"aenergy":{"total":2500}}}}'
    seed shelly-full $'shelly/shellyhtg3-d4d4da112233/events/rpc\n{"method":"NotifyFullStatus","params":{"ts":1764403195.5,"temperature:0":{"tC":21.5},"humidity:0":{"rh":48},"devicepower:0":{"battery":{"percent":87}}}}'
    seed shelly-online $'shelly/shellyplusplugs-e86beae12345/online\ntrue'
    seed native-event $'classgate/101/attendance_reader/reader-101/event\n{"type":"card_scan","ts":1764403150,"reader":{"uid":"04:A1:B2:C3"}}'
    seed native-status $'classgate/101/board/board-101/status\nonline'
    ;;
  json)
    seed device '{"ts":1764380000123,"co2":812,"temperature":27.4,"humidity":61}'
    seed nested '[1,-2.5e-3,"a\"b\\c\u00e9\ud83d\ude00",true,false,null,{},[],{"x":[{"y":0}]}]'
    seed shelly '{"method":"NotifyStatus","params":{"ts":1764403195.12,"switch:0":{"id":0,"apower":3.1}}}'
    ;;
  toml)
    for file in Devices/*.toml; do cp "$file" "$SEEDS/"; done
    ;;
  *) echo "unknown target $TARGET (decode, json or toml)" >&2; exit 64 ;;
esac

DICTIONARY="$SCRATCH/$TARGET.dict"
{
  for token in '{' '}' '[' ']' ':' ',' '\"' 'null' 'true' 'false' 'NaN' '1e999' '-0' '\\u0000' '\\ud800' \
    '\"ts\"' '\"type\"' '\"card\"' '\"uid\"' '\"state\"' '\"ENERGY\"' '\"Power\"' '\"params\"' '\"switch:0\"' \
    '\"method\"' '\"NotifyStatus\"' 'classgate/' 'zigbee2mqtt/' 'tele/' 'shelly/' '/telemetry' '/event' \
    '/status' '/availability' '/SENSOR' '/events/rpc' '[[topics]]' 'pattern = ' 'type = ' '{device}' '\"\"\"'; do
    printf '"%s"\n' "$token"
  done
} > "$DICTIONARY"

echo "== fuzzing '$TARGET' for $SECONDS_TO_RUN s (corpus $WORK, seeds $SEEDS)" >&2
LOG="$SCRATCH/$TARGET.log"
status=0
CLASSGATE_FUZZ_TARGET="$TARGET" CLASSGATE_DEVICES="$PWD/Devices" SWIFT_BACKTRACE=enable=no \
  "$SCRATCH/debug/DecodeFuzzer" "$WORK" "$SEEDS" -max_total_time="$SECONDS_TO_RUN" -timeout=10 \
  -max_len=70000 -dict="$DICTIONARY" -artifact_prefix="$ARTIFACTS/$TARGET-" -print_final_stats=1 \
  >"$LOG" 2>&1 || status=$?
grep -E "^(#[0-9]+ +DONE|==[0-9]+==ERROR|SUMMARY|Fatal error|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)" "$LOG" || true
if [ "$status" -ne 0 ]; then
  echo "== libFuzzer found a problem (exit $status); the input is in $ARTIFACTS, the log in $LOG" >&2
  tail -40 "$LOG" >&2
  exit "$status"
fi
echo "== no crash in $SECONDS_TO_RUN s; corpus: $(ls "$WORK" | wc -l) inputs" >&2
