#!/usr/bin/env bash
# How long after a SIGKILL the DNS answers stop naming the dead edge: three gossiping `edge run` processes
# on loopback (one of them answering DNS), the US edge killed RUNS times, `dig` polled every 50 ms until the
# answer for a US client moves; prints every run, the median and the worst.
#
#   bench/dns/failover.sh                    # RUNS=7, LAN-like gossip (PROBE=1s, PROBE_TIMEOUT=500ms, MULT=4)
#   RUNS=5 PROBE=200ms PROBE_TIMEOUT=100ms MULT=3 bench/dns/failover.sh
#   EDGE_BIN=.build/release/edge bench/dns/failover.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS=${RUNS:-7}
PROBE=${PROBE:-1s}
PROBE_TIMEOUT=${PROBE_TIMEOUT:-500ms}
MULT=${MULT:-4}
BASE=${BASE_PORT:-18300}
if [ -z "${EDGE_BIN:-}" ]; then
    swift build -c release --product edge --scratch-path .build-bench >/dev/null
    EDGE_BIN="$(swift build -c release --scratch-path .build-bench --show-bin-path)/edge"
fi
command -v dig >/dev/null || scripts/install-system-deps.sh dnsutils

work=$(mktemp -d /tmp/edge-dns-failover.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

dns_port=$((BASE + 53))
cat >"$work/edge.conf" <<CONF
[cluster]
name = "dns-failover"
service_names = ["www.cdn.test"]
gossip_key = "dns-failover-bench-key"
[dns]
zone = "cdn.test"
ttl = "20s"
[[dns.name_servers]]
name = "ns1.cdn.test"
address = "127.0.0.1"
[[dns.geo]]
cidr = "203.0.113.0/24"
location = { latitude = 42.36, longitude = -71.06, region = "us-east" }
[defaults.upstream]
origins = ["http://127.0.0.1:9"]
health_check_interval = "0s"
[defaults.cache]
disk_size = "0"
[defaults.logging]
level = "warning"
access_log = false
[defaults.gossip]
probe_interval = "$PROBE"
probe_timeout = "$PROBE_TIMEOUT"
suspicion_multiplier = $MULT
[[nodes]]
name = "edge-1"
listen = "127.0.0.1:$((BASE + 1))"
public_address = "10.0.0.1"
gossip_listen = "127.0.0.1:$((BASE + 11))"
dns_listen = "127.0.0.1:$dns_port"
location = { latitude = 50.11, longitude = 8.68, region = "eu-central" }
[[nodes]]
name = "edge-2"
listen = "127.0.0.1:$((BASE + 2))"
public_address = "10.0.0.2"
gossip_listen = "127.0.0.1:$((BASE + 12))"
location = { latitude = 51.51, longitude = -0.13, region = "eu-west" }
[[nodes]]
name = "edge-3"
listen = "127.0.0.1:$((BASE + 3))"
public_address = "10.0.0.3"
gossip_listen = "127.0.0.1:$((BASE + 13))"
location = { latitude = 40.71, longitude = -74.01, region = "us-east" }
CONF

start() { "$EDGE_BIN" run --config "$work/edge.conf" --node "$1" >>"$work/$1.log" 2>&1 & pids+=($!); eval "pid_${1//-/_}=$!"; }
answer() { dig @127.0.0.1 -p "$dns_port" +time=1 +tries=1 +short www.cdn.test A +subnet=203.0.113.0/24 | head -1; }
now() { date +%s.%N; }
wait_for() {  # wait_for ADDRESS: until the US answer is ADDRESS (60 s at most)
    local deadline=$(( $(date +%s) + 60 ))
    until [ "$(answer)" = "$1" ]; do
        [ "$(date +%s)" -lt "$deadline" ] || { echo "timed out waiting for $1" >&2; exit 1; }
        sleep 0.1
    done
}

start edge-1; start edge-2; start edge-3
wait_for 10.0.0.3
results=()
for run in $(seq 1 "$RUNS"); do
    kill -9 "$pid_edge_3"
    killed=$(now)
    until [ "$(answer)" != "10.0.0.3" ]; do sleep 0.05; done
    moved=$(now)
    seconds=$(awk -v a="$moved" -v b="$killed" 'BEGIN { printf "%.3f", a - b }')
    results+=("$seconds")
    printf 'run %d: answer moved off the killed edge after %.2f s\n' "$run" "$seconds"
    start edge-3
    wait_for 10.0.0.3
done
printf '%s\n' "${results[@]}" | sort -n | awk -v probe="$PROBE" -v mult="$MULT" '
    { v[NR] = $1 } END {
        median = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "probe_interval %s, suspicion_multiplier %s: median %.2f s, worst %.2f s over %d runs\n", probe, mult, median, v[NR], NR
    }'
