#!/usr/bin/env bash
# Remakes docs/images/ioc-city.png and ioc-school.png: the receiver's city page for a sample city
# of five schools (one offline, a morning of lessons), served by `classgate-ioc run` with [web]
# and captured by headless chromium (Tests/IOCTests/WebPageTests.swift, SampleCity.swift).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests 2>&1 | tail -n 1
CLASSGATE_SCREENSHOTS="$PWD/docs/images" \
  swift test --skip-build --filter 'WebPageTests/aCityOfFiveSchools_inHeadlessChromium' 2>&1 | tail -n 2
ls -l docs/images/ioc-city.png docs/images/ioc-school.png
