#!/usr/bin/env bash
# Cache-hit benchmark: edge against nginx proxy_cache and Varnish, side by side in one run on this machine.
#
# Starts the dev origin, edge, nginx and Varnish on loopback (origin 18080, edge 18081, nginx 18082, Varnish
# 18083), warms each cache and proves the objects are hits, then measures 1 KiB and 100 KiB hits with wrk in
# interleaved rounds and prints medians and the ratios edge/nginx and edge/Varnish. See bench/README.md.
#
# Settings (environment):
#   THREADS=2 CONNECTIONS=64 DURATION=10s   wrk -t / -c / -d for every measured run
#   ROUNDS=3                                rounds; each round measures every server x object once
#   WARMUP=2s                               an unrecorded wrk run per server x object before round 1 ("0" = none)
#   PAUSE=1                                 seconds of quiet between runs
#   SERVERS="edge nginx varnish"            which caches to measure (the origin always runs)
#   EDGE_BIN=/path/to/edge                  use this binary instead of building edge (release)
#   VARNISH_STORAGE=256M                    Varnish malloc storage size
#   RESULTS_DIR=bench/results/<time>        where the raw wrk reports, results.csv and summary.txt go
#   SKIP_INSTALL=1                          never call apt-get; fail if a tool is missing
#   KEEP_TMP=1                              keep the temp dir with generated configs and server logs
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
# shellcheck source=lib/common.sh
source "$BENCH_DIR/lib/common.sh"
# shellcheck source=lib/install.sh
source "$BENCH_DIR/lib/install.sh"
# shellcheck source=lib/servers.sh
source "$BENCH_DIR/lib/servers.sh"
# shellcheck source=lib/hits.sh
source "$BENCH_DIR/lib/hits.sh"
# shellcheck source=lib/wrk.sh
source "$BENCH_DIR/lib/wrk.sh"
# shellcheck source=lib/report.sh
source "$BENCH_DIR/lib/report.sh"

THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-64}"
DURATION="${DURATION:-10s}"
ROUNDS="${ROUNDS:-3}"
WARMUP="${WARMUP:-2s}"
PAUSE="${PAUSE:-1}"
VARNISH_STORAGE="${VARNISH_STORAGE:-256M}"
read -r -a SERVERS <<<"${SERVERS:-edge nginx varnish}"

require_positive_int THREADS "$THREADS"
require_positive_int CONNECTIONS "$CONNECTIONS"
require_positive_int ROUNDS "$ROUNDS"
require_duration DURATION "$DURATION"
[[ "$WARMUP" == "0" ]] || require_duration WARMUP "$WARMUP"
[[ "$PAUSE" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "PAUSE must be a number of seconds, got \"$PAUSE\""
(( CONNECTIONS >= THREADS )) || die "CONNECTIONS ($CONNECTIONS) must be at least THREADS ($THREADS) for wrk"
(( ${#SERVERS[@]} > 0 )) || die "SERVERS is empty"
for server in "${SERVERS[@]}"; do
    [[ "$server" =~ ^(edge|nginx|varnish)$ ]] || die "unknown server \"$server\" in SERVERS (edge, nginx, varnish)"
done

# The edge side comes from bench/edge-bench.conf; nginx and Varnish ports are ours to choose.
EDGE_CONF="$BENCH_DIR/edge-bench.conf"
EDGE_NODE="edge-bench"
ORIGIN_PORT=18080
EDGE_PORT=18081
NGINX_PORT=18082
VARNISH_PORT=18083
declare -A SERVER_PORT=([edge]=$EDGE_PORT [nginx]=$NGINX_PORT [varnish]=$VARNISH_PORT)

OBJECTS=(1k 100k)
declare -A OBJECT_PATH=([1k]=/bench/1k.txt [100k]=/bench/100k.txt)
declare -A OBJECT_BYTES=([1k]=1024 [100k]=102400)
declare -A OBJECT_LABEL=([1k]="1 KiB" [100k]="100 KiB")

WORK_DIR="$(mktemp -d /tmp/edge-bench.XXXXXX)"
# Varnish's jailed child and nginx's workers must be able to reach their dirs below this one.
chmod 755 "$WORK_DIR"
mkdir -p "$WORK_DIR/logs"

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    stop_processes
    if [[ "${KEEP_TMP:-0}" == "1" ]]; then
        log "kept $WORK_DIR (configs and server logs)"
    else
        rm -rf "$WORK_DIR"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- tools and binaries --------------------------------------------------------------------------------------

ensure_tools

ensure_edge_bin
require_free_ports "$ORIGIN_PORT" "$EDGE_PORT" "$NGINX_PORT" "$VARNISH_PORT"
# The demo content ships the bench objects; generate them if that checkout does not have them (right size).
ensure_site_root

RESULTS_DIR="${RESULTS_DIR:-$BENCH_DIR/results/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$RESULTS_DIR/wrk"

# --- servers ---------------------------------------------------------------------------------------------------

log "starting the origin on 127.0.0.1:$ORIGIN_PORT"
start_origin
for server in "${SERVERS[@]}"; do
    log "starting $server on 127.0.0.1:${SERVER_PORT[$server]}"
    "start_$server"
done

for server in "${SERVERS[@]}"; do
    for object in "${OBJECTS[@]}"; do
        warm_object "$server" "${OBJECT_PATH[$object]}" "${OBJECT_BYTES[$object]}"
    done
    log "$server: both objects are cache hits"
done

if [[ "$WARMUP" != "0" ]]; then
    log "warm-up: $WARMUP of load per server and object (not recorded)"
    for object in "${OBJECTS[@]}"; do
        for server in "${SERVERS[@]}"; do
            run_wrk "http://127.0.0.1:${SERVER_PORT[$server]}${OBJECT_PATH[$object]}" "$WARMUP" \
                "$RESULTS_DIR/wrk/warmup-$object-$server.txt"
            sleep "$PAUSE"
        done
    done
fi

# --- measured rounds -------------------------------------------------------------------------------------------

{
    printf 'started %s\nhost %s, %s CPUs, kernel %s\n' "$(date -u +%FT%TZ)" "$(hostname)" "$(nproc)" "$(uname -r)"
    printf 'settings THREADS=%s CONNECTIONS=%s DURATION=%s ROUNDS=%s WARMUP=%s PAUSE=%s SERVERS=%s\n' \
        "$THREADS" "$CONNECTIONS" "$DURATION" "$ROUNDS" "$WARMUP" "$PAUSE" "${SERVERS[*]}"
    printf 'edge %s\n' "$EDGE_BIN"
    nginx -v 2>&1
    varnishd -V 2>&1 | head -n 1
    wrk --version 2>&1 | head -n 1 || true
    printf 'site root %s\n' "$SITE_ROOT"
} >"$RESULTS_DIR/environment.txt"

CSV="$RESULTS_DIR/results.csv"
echo "round,object,server,position,requests_per_sec,p50_ms,p99_ms,socket_errors,non_2xx,after_check,load_1m" >"$CSV"
LOAD_BEFORE="$(load_1m)"
total=$(( ROUNDS * ${#OBJECTS[@]} * ${#SERVERS[@]} ))
done_runs=0
for (( round = 1; round <= ROUNDS; round++ )); do
    for object in "${OBJECTS[@]}"; do
        # Rotate who goes first each round, so no server always runs right after the same neighbour.
        for (( position = 0; position < ${#SERVERS[@]}; position++ )); do
            server="${SERVERS[$(( (position + round - 1) % ${#SERVERS[@]} ))]}"
            load="$(load_1m)"
            report="$RESULTS_DIR/wrk/round$round-$object-$server.txt"
            done_runs=$(( done_runs + 1 ))
            log "run $done_runs/$total: round $round, ${OBJECT_LABEL[$object]}, $server (load $load)"
            run_wrk "http://127.0.0.1:${SERVER_PORT[$server]}${OBJECT_PATH[$object]}" "$DURATION" "$report"
            read -r rps p50 p99 socket_errors non2xx < <(parse_wrk "$report")
            after="$(check_still_hit "$server" "${OBJECT_PATH[$object]}" "${OBJECT_BYTES[$object]}")"
            echo "$round,$object,$server,$(( position + 1 )),$rps,$p50,$p99,$socket_errors,$non2xx,$after,$load" >>"$CSV"
            sleep "$PAUSE"
        done
    done
done
LOAD_AFTER="$(load_1m)"

print_report "$CSV" | tee "$RESULTS_DIR/summary.txt"
printf '\nRaw results: %s\n' "$RESULTS_DIR"
