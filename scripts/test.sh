#!/usr/bin/env bash
# Runs the whole test suite: unit tests and the tests against real mosquitto brokers and SQLite files.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
python3 scripts/validate-uplink.py --examples  # the uplink contract's examples match its schemas
swift build --build-tests
swift test --skip-build "$@"
