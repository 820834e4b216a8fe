#!/usr/bin/env bash
# Measures one running DNS server with dnsperf (Debian's dnsperf package) from a separate process:
#   1. throughput: DURATION seconds, CLIENTS sockets, at most OUTSTANDING queries in flight;
#   2. latency: LATENCY_DURATION seconds at half the measured rate, every query timed (dnsperf -v),
#      summarised as p50/p90/p99/max by summarize.py.
# Usage: bench/dns/dnsperf.sh HOST PORT [RESULTS_DIR]
set -euo pipefail

host=${1:?usage: dnsperf.sh HOST PORT [RESULTS_DIR]}
port=${2:?usage: dnsperf.sh HOST PORT [RESULTS_DIR]}
results=${3:-$(mktemp -d)}
here=$(cd "$(dirname "$0")" && pwd)

DURATION=${DURATION:-10}
LATENCY_DURATION=${LATENCY_DURATION:-3}
CLIENTS=${CLIENTS:-4}
OUTSTANDING=${OUTSTANDING:-64}
# Client Subnet 203.0.113.0/24 (family 1, source 24, scope 0, 3 address bytes), so every query takes the
# geo lookup + routing path. Set ECS= (empty) to send plain queries.
ECS=${ECS-8:00011800cb0071}

command -v dnsperf >/dev/null || { echo "dnsperf is missing: apt-get install dnsperf" >&2; exit 1; }
mkdir -p "$results"
queries="$results/queries.txt"
printf 'www.cdn.test A\n' > "$queries"

ecs_args=()
if [ -n "$ECS" ]; then ecs_args=(-E "$ECS"); fi

dnsperf -s "$host" -p "$port" -d "$queries" -l "$DURATION" -c "$CLIENTS" -q "$OUTSTANDING" -t 2 \
    "${ecs_args[@]}" > "$results/throughput.txt" 2>&1
qps=$(awk '/Queries per second:/ {print $4}' "$results/throughput.txt")
rate=$(awk -v q="$qps" 'BEGIN { r = int(q / 2); if (r < 100) r = 100; print r }')

dnsperf -s "$host" -p "$port" -d "$queries" -l "$LATENCY_DURATION" -c 1 -q "$OUTSTANDING" -t 2 -Q "$rate" -v \
    "${ecs_args[@]}" > "$results/latency.txt" 2>&1

python3 "$here/summarize.py" "$results/throughput.txt" "$results/latency.txt" "$rate" | tee "$results/summary.txt"
