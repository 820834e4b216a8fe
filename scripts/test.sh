#!/usr/bin/env bash
# Runs every test: unit tests of the pure cores and integration tests that start real listeners and
# processes on 127.0.0.1. Installs the system packages it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-system-deps.sh
swift build --build-tests
swift test --skip-build "$@"
