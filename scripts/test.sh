#!/usr/bin/env bash
# Runs every test: unit tests of the pure cores and integration tests that start real listeners and
# processes on 127.0.0.1. Installs the system packages it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."

# Test-only tools, real clients the tests drive: brotli (decodes our br bodies), dig (dnsutils, DNS queries),
# chromium (renders the admin status page headless), prometheus (its promtool checks every /metrics scrape).
scripts/install-system-deps.sh brotli dnsutils chromium prometheus
swift build --build-tests
# Serial: the integration suites start real servers whose async work shares Swift's small cooperative thread pool
# (one thread per core) with the CPU-heavy fuzz and simulation suites; running everything at once on a 2-core
# machine starves the servers and turns timeouts into noise.
log="$(mktemp -t edge-tests.XXXXXX)"
set +e
swift test --skip-build --no-parallel "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# The full log is long; repeat what failed at the end, where a CI summary (which keeps only the tail) shows it.
if [ "$status" -ne 0 ]; then
    echo
    echo "==== failures (from $log) ===="
    grep -E "✘|error:|Fatal error|Crash|signal" "$log" | grep -v "passed after" | head -60 || true
fi
exit "$status"
