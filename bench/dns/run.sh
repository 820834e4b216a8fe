#!/usr/bin/env bash
# DNS responder benchmark: queries per second and latency percentiles, with dnsperf as the load generator in a
# separate process on loopback.
#
#   bench/dns/run.sh                           # starts a standalone DNSServer (release build) and measures it
#   DNS_SERVER=127.0.0.11:5353 bench/dns/run.sh # measures an already running server (e.g. edge.conf's edge-1);
#                                              # IPv6 as [::1]:5353
#
# Environment: DURATION (10 s), LATENCY_DURATION (3 s), CLIENTS (4), OUTSTANDING (64 in flight), ECS
# (see dnsperf.sh), RESULTS_DIR (bench/results/dns-<UTC time>), SKIP_INSTALL=1 (never apt-get).
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v dnsperf >/dev/null; then
    if [ "${SKIP_INSTALL:-}" = 1 ]; then echo "dnsperf is missing" >&2; exit 1; fi
    scripts/install-system-deps.sh dnsperf
fi

results=${RESULTS_DIR:-bench/results/dns-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$results"

if [ -n "${DNS_SERVER:-}" ]; then
    host=${DNS_SERVER%:*}
    host=${host#[}
    host=${host%]}
    exec bench/dns/dnsperf.sh "$host" "${DNS_SERVER##*:}" "$results"
fi

# The harness is a Swift Testing suite that is skipped unless DNS_BENCH is set: it starts DNSServer on
# 127.0.0.1 (ephemeral port) with a 1,000-entry geo table and 20 edges, runs dnsperf.sh against it and prints
# the summary. Release mode matters: debug is several times slower.
DNS_BENCH=1 DNS_BENCH_RESULTS="$PWD/$results" DNS_BENCH_SCRIPT="$PWD/bench/dns/dnsperf.sh" \
    swift test -c release --scratch-path .build-bench-dns --filter DNSServerBenchmark 2>&1 | tee "$results/harness.log"
grep -q "throughput:" "$results/harness.log"
