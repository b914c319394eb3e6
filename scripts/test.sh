#!/usr/bin/env bash
# Runs the whole test suite: unit tests and the tests against real mosquitto brokers and SQLite files.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
python3 scripts/validate-uplink.py --examples  # the uplink contract's examples match its schemas
swift build --build-tests
# Built here, one at a time, rather than inside the (parallel) test run: the release binary that
# LintianTests packages, and the man-page generator build-deb.sh runs. Each in its own directory.
swift build -c release --product classgate --static-swift-stdlib --scratch-path .build/lintian-release >/dev/null
swift build --product generate-manual --scratch-path .build/packaging-tools >/dev/null
swift test --skip-build "$@"
