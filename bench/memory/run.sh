#!/usr/bin/env bash
# Memory per cached object: edge against Varnish, filled with the same small objects in one run on this machine.
#
# Both caches get N distinct objects of BODY_BYTES (the same file under N query strings: /obj.txt?key=I), all kept
# in memory (edge: memory_size well above what N objects need, no disk tier; Varnish: malloc storage likewise).
# The resident set of each (edge: its one process; Varnish: the sum over its manager and child processes) is read
# after a short warm-up and again after the fill; the difference over N is the cost of one object, body included.
# wrk walks the keys in order (a Lua script), so the first pass stores every key and later passes are hits.
# See bench/README.md.
#
# Settings (environment):
#   N=20000 BODY_BYTES=150           objects and their size
#   FILL_SECONDS=6                   how long wrk runs per cache (long enough for one pass over the keys)
#   EDGE_BIN=/path/to/edge SKIP_INSTALL=1 KEEP_TMP=1 RESULTS_DIR=...   as in bench/run.sh
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
# shellcheck source=../lib/common.sh
source "$BENCH_DIR/lib/common.sh"
# shellcheck source=../lib/install.sh
source "$BENCH_DIR/lib/install.sh"
# shellcheck source=../lib/servers.sh
source "$BENCH_DIR/lib/servers.sh"

N="${N:-20000}"
BODY_BYTES="${BODY_BYTES:-150}"
FILL_SECONDS="${FILL_SECONDS:-6}"
for setting in N BODY_BYTES FILL_SECONDS; do require_positive_int "$setting" "${!setting}"; done

ORIGIN_PORT=18580
EDGE_PORT=18581
VARNISH_PORT=18583
STORAGE_MIB=$(( N * (BODY_BYTES + 8192) / 1048576 + 256 ))

WORK_DIR="$(mktemp -d /tmp/edge-bench-memory.XXXXXX)"
chmod 755 "$WORK_DIR"
mkdir -p "$WORK_DIR/logs"
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    stop_processes
    if [[ "${KEEP_TMP:-0}" == "1" ]]; then log "kept $WORK_DIR"; else rm -rf "$WORK_DIR"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ensure_tools
ensure_edge_bin
require_free_ports "$ORIGIN_PORT" "$EDGE_PORT" "$VARNISH_PORT"
RESULTS_DIR="${RESULTS_DIR:-$BENCH_DIR/results/memory-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$RESULTS_DIR"

SITE_ROOT="$WORK_DIR/site"
mkdir -p "$SITE_ROOT"
head -c "$BODY_BYTES" /dev/zero | tr '\0' 'x' >"$SITE_ROOT/obj.txt"
RULES="$WORK_DIR/origin.rules"
printf 'match /obj.txt\n  cache-control "public, max-age=3600"\n' >"$RULES"
log "starting the origin on 127.0.0.1:$ORIGIN_PORT"
start_process origin "$EDGE_BIN" origin --root "$SITE_ROOT" --rules "$RULES" --host 127.0.0.1 --port "$ORIGIN_PORT"
await_server origin "$ORIGIN_PORT"

EDGE_CONF="$WORK_DIR/edge-memory.conf"
cat >"$EDGE_CONF" <<CONF
[cluster]
name = "edge-bench-memory"

[defaults.cache]
memory_size = "${STORAGE_MIB}MiB"
disk_size = "0"

[defaults.upstream]
origins = ["http://127.0.0.1:$ORIGIN_PORT"]

[defaults.logging]
level = "warning"
access_log = false

[[nodes]]
name = "edge-memory"
role = "edge"
listen = "127.0.0.1:$EDGE_PORT"
location = { latitude = 50.11, longitude = 8.68, region = "bench" }
CONF

# The resident set of a server in KiB: edge's process, or every varnishd process (manager and child).
rss_kib() {
    case "$1" in
        edge) awk '/^VmRSS:/ { print $2 }' "/proc/$EDGE_PID/status" ;;
        varnish) pgrep -f "varnishd .*$WORK_DIR" | while read -r pid; do awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"
                 done | awk '{ s += $1 } END { print s + 0 }' ;;
    esac
}

# wrk on $2 for $3 seconds, walking keys $4..$4+$5-1 in order on every connection.
walk_keys() {
    local label="$1" port="$2" seconds="$3" first="$4" count="$5"
    cat >"$WORK_DIR/keys.lua" <<LUA
local first, count, next_key = $first, $count, 0
request = function()
    local path = "/obj.txt?key=" .. (first + next_key)
    next_key = (next_key + 1) % count
    return wrk.format("GET", path)
end
LUA
    wrk -t2 -c8 -d"${seconds}s" -s "$WORK_DIR/keys.lua" "http://127.0.0.1:$port" >"$RESULTS_DIR/wrk-$label.txt" 2>&1 \
        || { cat "$RESULTS_DIR/wrk-$label.txt" >&2; die "wrk failed ($label)"; }
}

measure() {
    local server="$1" port="$2" before after
    walk_keys "$server-warmup" "$port" 2 10000000 50   # connections, buffers and pools on 50 keys
    sleep 1
    before="$(rss_kib "$server")"
    walk_keys "$server-fill" "$port" "$FILL_SECONDS" 0 "$N"
    sleep 1
    after="$(rss_kib "$server")"
    local requests
    requests="$(awk '/requests in/ { print $1 }' "$RESULTS_DIR/wrk-$server-fill.txt")"
    (( requests >= N )) || die "$server: only $requests requests in ${FILL_SECONDS}s, fewer than the $N keys; raise FILL_SECONDS"
    echo "$server,$before,$after,$(( (after - before) * 1024 / N ))" >>"$RESULTS_DIR/results.csv"
}

echo "server,rss_before_kib,rss_after_kib,bytes_per_object" >"$RESULTS_DIR/results.csv"
log "starting edge on 127.0.0.1:$EDGE_PORT (memory_size ${STORAGE_MIB}MiB, no disk)"
start_edge_node edge "$EDGE_CONF" edge-memory "$EDGE_PORT"
EDGE_PID="${BENCH_PIDS[-1]}"
measure edge "$EDGE_PORT"
curl -s -D - -o /dev/null "http://127.0.0.1:$EDGE_PORT/obj.txt?key=0" | tr -d '\r' | grep -qi '^cache-status:.*hit' \
    || die "edge: a filled key is not a hit"
stop_processes   # the origin too; restarted for Varnish
start_process origin "$EDGE_BIN" origin --root "$SITE_ROOT" --rules "$RULES" --host 127.0.0.1 --port "$ORIGIN_PORT"
await_server origin "$ORIGIN_PORT"
log "starting Varnish on 127.0.0.1:$VARNISH_PORT (malloc ${STORAGE_MIB}M)"
VARNISH_STORAGE="${STORAGE_MIB}M"
start_varnish
measure varnish "$VARNISH_PORT"

{
    printf '\nMemory per cached object: %s objects of %s B each, resident set after the fill minus before\n\n' \
        "$N" "$BODY_BYTES"
    printf '%-8s %14s %14s %16s\n' server "RSS before" "RSS after" "bytes/object"
    awk -F, 'NR > 1 { printf "%-8s %11d KiB %11d KiB %16d\n", $1, $2, $3, $4 }' "$RESULTS_DIR/results.csv"
    edge="$(awk -F, '$1 == "edge" { print $4 }' "$RESULTS_DIR/results.csv")"
    varnish="$(awk -F, '$1 == "varnish" { print $4 }' "$RESULTS_DIR/results.csv")"
    printf '\nedge/varnish bytes per object: %s\n' "$(ratio "$edge" "$varnish")"
} | tee "$RESULTS_DIR/summary.txt"
printf '\nRaw results: %s\n' "$RESULTS_DIR"
