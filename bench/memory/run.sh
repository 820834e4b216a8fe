#!/usr/bin/env bash
# Memory benchmark: resident memory per cached small object, edge against Varnish (and nginx's keys zone), in
# one run on this machine.
#
# Starts the dev origin and each cache on loopback (origin 18180, edge 18181, nginx 18182, Varnish 18183), warms
# each on a few keys, records the resident set (VmRSS), fills N distinct objects of 150 B
# (/bench/small.txt?key=K, so every one is a miss that gets stored), waits a moment, records VmRSS again and
# reports (after - before) / N. See bench/README.md, "Memory per object".
#
# Whose RSS is counted:
#   edge     the `edge run` process (memory tier only: disk_size = 0, memory_size 1 GiB, nothing evicted).
#   varnish  varnishd's manager and its worker child, summed (the manager stays flat; objects live in the
#            child's malloc storage, -s malloc,$VARNISH_STORAGE).
#   nginx    master and workers, summed. nginx keeps bodies in cache files on disk (page cache, not RSS), so
#            its figure is only the keys_zone entries and worker bookkeeping: not comparable to a memory cache,
#            reported for reference.
#
# Settings (environment):
#   N=20000                   objects to fill (at least 100)
#   BODY_BYTES=150            size of each object's body
#   PARALLEL=4                curl processes filling at once (each reuses one connection)
#   SERVERS="edge varnish nginx"
#   EDGE_BIN=/path/to/edge    use this binary instead of building edge (release)
#   VARNISH_STORAGE=1G        Varnish malloc storage size
#   RESULTS_DIR=bench/results/memory-<time>   where results.csv and summary.txt go
#   SKIP_INSTALL=1 KEEP_TMP=1 as for bench/run.sh
set -euo pipefail

MEMORY_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH_DIR="$(cd "$MEMORY_DIR/.." && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
# shellcheck source=../lib/common.sh
source "$BENCH_DIR/lib/common.sh"
# shellcheck source=../lib/install.sh
source "$BENCH_DIR/lib/install.sh"
# shellcheck source=../lib/servers.sh
source "$BENCH_DIR/lib/servers.sh"

N="${N:-20000}"
BODY_BYTES="${BODY_BYTES:-150}"
PARALLEL="${PARALLEL:-4}"
VARNISH_STORAGE="${VARNISH_STORAGE:-1G}"
read -r -a SERVERS <<<"${SERVERS:-edge varnish nginx}"

require_positive_int N "$N"
require_positive_int BODY_BYTES "$BODY_BYTES"
require_positive_int PARALLEL "$PARALLEL"
(( N >= 100 )) || die "N must be at least 100, got $N"
(( ${#SERVERS[@]} > 0 )) || die "SERVERS is empty"
for server in "${SERVERS[@]}"; do
    [[ "$server" =~ ^(edge|nginx|varnish)$ ]] || die "unknown server \"$server\" in SERVERS (edge, nginx, varnish)"
done

EDGE_CONF="$MEMORY_DIR/edge-memory.conf"
EDGE_NODE="edge-memory"
ORIGIN_PORT=18180
EDGE_PORT=18181
NGINX_PORT=18182
VARNISH_PORT=18183
declare -A SERVER_PORT=([edge]=$EDGE_PORT [nginx]=$NGINX_PORT [varnish]=$VARNISH_PORT)
declare -A SERVER_PID=()

WORK_DIR="$(mktemp -d /tmp/edge-bench-memory.XXXXXX)"
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

# VmRSS in KiB of process $1 and all its descendants, summed (0 for processes that are gone).
tree_rss_kib() {
    local pid="$1" total=0 child rss
    rss="$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)"
    total=$(( total + ${rss:-0} ))
    for child in $(pgrep -P "$pid" || true); do
        total=$(( total + $(tree_rss_kib "$child") ))
    done
    echo "$total"
}

# GETs /bench/small.txt?key=$2+i for i in 0..$3-1 from port $1, with PARALLEL curl processes, each reading its
# share of the URLs from a config file over one kept-alive connection. Prints how many answered 200.
fill() {
    local port="$1" first="$2" count="$3" part index
    local dir="$WORK_DIR/fill-$port-$first"
    mkdir -p "$dir"
    for (( part = 0; part < PARALLEL; part++ )); do
        : >"$dir/urls-$part"
    done
    for (( index = 0; index < count; index++ )); do
        printf 'url = "http://127.0.0.1:%s/bench/small.txt?key=%s"\noutput = "/dev/null"\n' \
            "$port" "$(( first + index ))" >>"$dir/urls-$(( index % PARALLEL ))"
    done
    local pids=()
    for (( part = 0; part < PARALLEL; part++ )); do
        curl -s -K "$dir/urls-$part" -w '%{http_code}\n' >"$dir/codes-$part" &
        pids+=("$!")
    done
    # Only the curls: a bare `wait` would also wait for the servers, which are children of this shell too.
    wait "${pids[@]}"
    cat "$dir"/codes-* | grep -c '^200$' || true
}

ensure_tools
ensure_edge_bin
require_free_ports "$ORIGIN_PORT" "$EDGE_PORT" "$NGINX_PORT" "$VARNISH_PORT"

SITE_ROOT="$WORK_DIR/site"
mkdir -p "$SITE_ROOT/bench"
head -c "$BODY_BYTES" < <(yes "edge memory bench fixture, the quick brown fox jumps over the lazy dog.") \
    >"$SITE_ROOT/bench/small.txt"

RESULTS_DIR="${RESULTS_DIR:-$BENCH_DIR/results/memory-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$RESULTS_DIR"
{
    printf 'started %s\nhost %s, %s CPUs, kernel %s\n' "$(date -u +%FT%TZ)" "$(hostname)" "$(nproc)" "$(uname -r)"
    printf 'settings N=%s BODY_BYTES=%s PARALLEL=%s VARNISH_STORAGE=%s SERVERS=%s\n' \
        "$N" "$BODY_BYTES" "$PARALLEL" "$VARNISH_STORAGE" "${SERVERS[*]}"
    printf 'edge %s\n' "$EDGE_BIN"
    varnishd -V 2>&1 | head -n 1
    nginx -v 2>&1
} >"$RESULTS_DIR/environment.txt"

log "starting the origin on 127.0.0.1:$ORIGIN_PORT"
start_origin
for server in "${SERVERS[@]}"; do
    log "starting $server on 127.0.0.1:${SERVER_PORT[$server]}"
    "start_$server"
    SERVER_PID[$server]="${BENCH_PIDS[-1]}"
done

CSV="$RESULTS_DIR/results.csv"
echo "server,objects,answered_200,rss_before_kib,rss_after_kib,growth_bytes_per_object,seconds,load_1m" >"$CSV"
# One server at a time, so each fill has the machine to itself and the others are idle.
for server in "${SERVERS[@]}"; do
    port="${SERVER_PORT[$server]}"
    pid="${SERVER_PID[$server]}"
    # Warm-up on keys outside the measured range: connections, thread pools and allocator arenas of the miss
    # path exist before the baseline, so the growth is the objects'.
    fill "$port" 1 500 >/dev/null
    fill "$port" 1 500 >/dev/null
    sleep 1
    before="$(tree_rss_kib "$pid")"
    started="$(date +%s.%N)"
    answered="$(fill "$port" 1000000 "$N")"
    seconds="$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
    sleep 2
    after="$(tree_rss_kib "$pid")"
    (( answered >= N * 99 / 100 )) || { show_log "$server"; die "$server answered only $answered of $N with 200"; }
    per_object=$(( (after - before) * 1024 / N ))
    log "$server: $answered/$N stored in ${seconds}s, RSS ${before} -> ${after} KiB, $per_object B per object"
    echo "$server,$N,$answered,$before,$after,$per_object,$seconds,$(load_1m)" >>"$CSV"
done

{
    printf 'Memory per cached object: %s objects of %s B each, RSS growth (VmRSS after - before) / N\n\n' \
        "$N" "$BODY_BYTES"
    printf '%-8s %12s %12s %14s   %s\n' server "before KiB" "after KiB" "B per object" "what is counted"
    while IFS=, read -r server objects answered before after per_object seconds load; do
        [[ "$server" == "server" ]] && continue
        case "$server" in
            edge) what="edge run process, memory tier only" ;;
            varnish) what="varnishd manager + worker child, malloc storage" ;;
            nginx) what="master + workers; bodies are in files (not RSS): keys_zone only" ;;
        esac
        printf '%-8s %12s %12s %14s   %s\n' "$server" "$before" "$after" "$per_object" "$what"
    done <"$CSV"
    edge_row="$(grep '^edge,' "$CSV" | cut -d, -f6 || true)"
    varnish_row="$(grep '^varnish,' "$CSV" | cut -d, -f6 || true)"
    if [[ -n "$edge_row" && -n "$varnish_row" ]]; then
        printf '\nedge / varnish: %s\n' "$(ratio "$edge_row" "$varnish_row")"
    fi
} | tee "$RESULTS_DIR/summary.txt"
printf '\nRaw results: %s\n' "$RESULTS_DIR"
