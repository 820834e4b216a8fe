#!/usr/bin/env bash
# Coalescing benchmark: N clients ask 3 edges at the same instant for one cold 1 MiB object, edge's cluster
# (3 edge nodes -> 1 shield node -> origin) against nginx built the same way with proxy_cache_lock at both tiers,
# side by side in one run on this machine.
#
# Each round, for each system, a fresh object is written to the origin's root; the client (client.py) opens all
# N connections, spread evenly over the three edges, then sends every request at once and reads every body.
# Checks: every response 200 with exactly the object's size, and the origin's request count for that object
# (edge must be exactly 1; nginx's is reported). Prints medians of the time until the last client has its body,
# p50/p99 completion, and the ratios edge/nginx. See bench/README.md, "Coalescing a cold object".
#
# Settings (environment):
#   N=1000                    concurrent clients per run, spread evenly over the three edges
#   ROUNDS=3                  rounds; each measures both systems, alternating who goes first
#   OBJECT_BYTES=1048576      size of the cold object
#   TIMEOUT=60                seconds the client waits for connections and for all bodies
#   PAUSE=1                   seconds of quiet between runs
#   SERVERS="edge nginx"      which systems to measure (the origin always runs)
#   EDGE_BIN=/path/to/edge    use this binary instead of building edge (release)
#   RESULTS_DIR=bench/results/coalesce-<time>   where the client outputs, results.csv and summary.txt go
#   SKIP_INSTALL=1            never call apt-get; fail if a tool is missing
#   KEEP_TMP=1                keep the temp dir with generated configs, objects and server logs
#   TMPDIR=/tmp               where the temp dir (and the nginx caches) go; default /dev/shm when it is a tmpfs
set -euo pipefail

COALESCE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH_DIR="$(cd "$COALESCE_DIR/.." && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
# shellcheck source=../lib/common.sh
source "$BENCH_DIR/lib/common.sh"
# shellcheck source=../lib/install.sh
source "$BENCH_DIR/lib/install.sh"
# shellcheck source=../lib/servers.sh
source "$BENCH_DIR/lib/servers.sh"
# shellcheck source=lib.sh
source "$COALESCE_DIR/lib.sh"

CLIENTS="${N:-1000}"
ROUNDS="${ROUNDS:-3}"
OBJECT_BYTES="${OBJECT_BYTES:-1048576}"
TIMEOUT="${TIMEOUT:-60}"
PAUSE="${PAUSE:-1}"
read -r -a SYSTEMS <<<"${SERVERS:-edge nginx}"

require_positive_int N "$CLIENTS"
require_positive_int ROUNDS "$ROUNDS"
require_positive_int OBJECT_BYTES "$OBJECT_BYTES"
require_positive_int TIMEOUT "$TIMEOUT"
[[ "$PAUSE" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "PAUSE must be a number of seconds, got \"$PAUSE\""
(( ${#SYSTEMS[@]} > 0 )) || die "SERVERS is empty"
for system in "${SYSTEMS[@]}"; do
    [[ "$system" =~ ^(edge|nginx)$ ]] || die "unknown system \"$system\" in SERVERS (edge, nginx)"
done
command -v python3 >/dev/null 2>&1 || die "python3 not found (the client is bench/coalesce/client.py)"

# Ports, all on 127.0.0.1; edge's come from bench/coalesce/edge-coalesce.conf, which must agree.
ORIGIN_PORT=18280
EDGE_PORTS=(18281 18282 18283)
NGINX_PORTS=(18285 18286 18287)
declare -A SHIELD_PORT=([edge]=18284 [nginx]=18288)

# One socket per client plus the servers' own: make sure this shell (and so the client) may open them all.
needed_files=$(( CLIENTS + 256 ))
if (( $(ulimit -n) < needed_files )); then
    ulimit -n "$needed_files" 2>/dev/null \
        || die "N=$CLIENTS needs $needed_files open files; the hard limit is $(ulimit -Hn)"
fi

# The work dir holds the nginx caches and the origin's objects; in memory (/dev/shm) like edge's caches, unless
# TMPDIR says otherwise (see bench/README.md, "Miss path through two tiers", Fairness).
work_parent="${TMPDIR:-}"
if [[ -z "$work_parent" ]]; then
    work_parent=/tmp
    if [[ "$(stat -f -c %T /dev/shm 2>/dev/null || true)" == "tmpfs" && -w /dev/shm ]]; then
        work_parent=/dev/shm
    fi
fi
WORK_DIR="$(mktemp -d "$work_parent/edge-coalesce-bench.XXXXXX")"
chmod 755 "$WORK_DIR"
mkdir -p "$WORK_DIR/logs"
SITE_ROOT="$WORK_DIR/site"
mkdir -p "$SITE_ROOT/bench"

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    stop_processes
    if [[ "${KEEP_TMP:-0}" == "1" ]]; then
        log "kept $WORK_DIR (configs, objects and server logs)"
    else
        rm -rf "$WORK_DIR"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- tools, binaries, servers ----------------------------------------------------------------------------------

# Neither varnishd nor wrk is needed here.
unset 'BENCH_PACKAGE_FOR[varnishd]' 'BENCH_PACKAGE_FOR[wrk]'
ensure_tools
ensure_edge_bin
require_free_ports "$ORIGIN_PORT" "${EDGE_PORTS[@]}" "${NGINX_PORTS[@]}" "${SHIELD_PORT[@]}"

RESULTS_DIR="${RESULTS_DIR:-$BENCH_DIR/results/coalesce-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$RESULTS_DIR/runs"

log "starting the origin on 127.0.0.1:$ORIGIN_PORT (root $SITE_ROOT)"
start_origin
for system in "${SYSTEMS[@]}"; do
    log "starting $system: 3 edges -> shield 127.0.0.1:${SHIELD_PORT[$system]}"
    "start_${system}_coalesce"
done

{
    printf 'started %s\nhost %s, %s CPUs, kernel %s\n' "$(date -u +%FT%TZ)" "$(hostname)" "$(nproc)" "$(uname -r)"
    printf 'settings N=%s ROUNDS=%s OBJECT_BYTES=%s TIMEOUT=%s PAUSE=%s SERVERS=%s\n' "$CLIENTS" "$ROUNDS" \
        "$OBJECT_BYTES" "$TIMEOUT" "$PAUSE" "${SYSTEMS[*]}"
    printf 'edge %s\n' "$EDGE_BIN"
    nginx -v 2>&1
    python3 --version
    printf 'work dir (nginx caches, objects) %s on %s\n' "$WORK_DIR" "$(stat -f -c %T "$WORK_DIR")"
} >"$RESULTS_DIR/environment.txt"

# --- warm-up: connections, not the object ----------------------------------------------------------------------

# One request per edge for an object of its own, so both systems' pooled connections edge -> shield -> origin
# exist before round 1 (the measured objects stay cold).
for system in "${SYSTEMS[@]}"; do
    path="$(make_object "warm-$system")"
    declare -n warm_ports="${system^^}_PORTS"
    for port in "${warm_ports[@]}"; do
        code="$(curl -s -o /dev/null -m 30 -w '%{http_code}' "http://127.0.0.1:$port$path" || true)"
        [[ "$code" == "200" ]] || die "warm-up: $system edge on $port answered $code for $path"
    done
    unset -n warm_ports
done

# --- measured rounds -------------------------------------------------------------------------------------------

CSV="$RESULTS_DIR/results.csv"
echo "$COALESCE_CSV_HEADER" >"$CSV"
LOAD_BEFORE="$(load_1m)"
total_runs=$(( ROUNDS * ${#SYSTEMS[@]} ))
done_runs=0
for (( round = 1; round <= ROUNDS; round++ )); do
    # Alternate who goes first each round.
    for (( position = 0; position < ${#SYSTEMS[@]}; position++ )); do
        system="${SYSTEMS[$(( (position + round - 1) % ${#SYSTEMS[@]} ))]}"
        load="$(load_1m)"
        done_runs=$(( done_runs + 1 ))
        path="$(make_object "r$round-$system")"
        log "run $done_runs/$total_runs: round $round, $system, $CLIENTS clients for $path (load $load)"
        row="$(measure_coalesce "$system" "$path" "$RESULTS_DIR/runs/round$round-$system")"
        echo "$round,$system,$(( position + 1 )),$row,$load" >>"$CSV"
        sleep "$PAUSE"
    done
done
LOAD_AFTER="$(load_1m)"

print_coalesce_report "$CSV" | tee "$RESULTS_DIR/summary.txt"
printf '\nRaw results: %s\n' "$RESULTS_DIR"
