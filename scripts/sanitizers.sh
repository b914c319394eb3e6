#!/usr/bin/env bash
# The core targets' tests under AddressSanitizer and ThreadSanitizer (CI runs this after
# scripts/test.sh). Each sanitizer builds into its own folder.
#   scripts/sanitizers.sh [address] [thread]      (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
# Unit tests of the stages and of the C wrappers (libmosquitto, sqlite3, the HTTP listener), where memory and threads
# matter; the end-to-end tests run the real binary and are covered by scripts/test.sh.
CORE='^(HTTPServerTests|JSONTests|TOMLTests|DecodeTests|ProfilesTests|StoreTests|RollupTests|UplinkTests|MQTTClientTests|LibCryptoTests|SimulatorTests|ConfigTests|FuzzTests|IngestPolicyTests)\.'
# Leak reports come from Foundation's own caches in the test process (String(contentsOfFile:),
# Process), not from ClassGate; memory errors and data races are what these runs are for.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=0}"
sanitizers=("$@"); [ ${#sanitizers[@]} -eq 0 ] && sanitizers=(address thread)
for s in "${sanitizers[@]}"; do
  echo "== swift test --sanitize=$s (core targets)"
  swift build --build-tests --sanitize="$s" --scratch-path ".build-$s" 2>&1 | tail -n 1
  log="$(mktemp)"
  set +e
  swift test --skip-build --sanitize="$s" --scratch-path ".build-$s" --filter "$CORE" >"$log" 2>&1
  status=$?
  set -e
  grep -E "Test run|ERROR: AddressSanitizer|WARNING: ThreadSanitizer|SUMMARY: " "$log" | head -n 20
  if [ "$status" -ne 0 ]; then
    grep -E "✘" "$log" | head -n 30
    exit "$status"
  fi
done
