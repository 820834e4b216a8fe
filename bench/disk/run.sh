#!/usr/bin/env bash
# Large objects from the disk tier: edge against nginx proxy_cache (sendfile from its cache files), side by side in
# one run on this machine.
#
# OBJECTS distinct objects of SIZE_MIB MiB each are cached on disk by both (edge: memory_max_object_size 1 MiB, so
# none of them fits its memory tier and every hit is read from its file; nginx: proxy_cache files, sendfile on),
# then wrk with CONNECTIONS connections requests them in turn (a Lua script walks the paths) in interleaved rounds.
# Prints medians of requests/s and bytes/s per server, the ratios edge/nginx, and edge's peak resident set during
# its runs (VmRSS sampled every 100 ms: flat means no reader held an object whole). See bench/README.md.
#
# Settings (environment):
#   OBJECTS=20 SIZE_MIB=10          the objects
#   THREADS=2 CONNECTIONS=64 DURATION=10s ROUNDS=3 PAUSE=1
#   EDGE_BIN=/path/to/edge          use this binary instead of building edge (release)
#   RESULTS_DIR=bench/results/disk-<time>
#   SKIP_INSTALL=1 KEEP_TMP=1       as in bench/run.sh
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
# shellcheck source=../lib/common.sh
source "$BENCH_DIR/lib/common.sh"
# shellcheck source=../lib/install.sh
source "$BENCH_DIR/lib/install.sh"
# shellcheck source=../lib/servers.sh
source "$BENCH_DIR/lib/servers.sh"
# shellcheck source=../lib/wrk.sh
source "$BENCH_DIR/lib/wrk.sh"

OBJECTS="${OBJECTS:-20}"
SIZE_MIB="${SIZE_MIB:-10}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-64}"
DURATION="${DURATION:-10s}"
ROUNDS="${ROUNDS:-3}"
PAUSE="${PAUSE:-1}"
for setting in OBJECTS SIZE_MIB THREADS CONNECTIONS ROUNDS; do require_positive_int "$setting" "${!setting}"; done
require_duration DURATION "$DURATION"

ORIGIN_PORT=18480
EDGE_PORT=18481
NGINX_PORT=18482
SERVERS=(edge nginx)
declare -A SERVER_PORT=([edge]=$EDGE_PORT [nginx]=$NGINX_PORT)

WORK_DIR="$(mktemp -d /tmp/edge-bench-disk.XXXXXX)"
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
require_free_ports "$ORIGIN_PORT" "$EDGE_PORT" "$NGINX_PORT"
RESULTS_DIR="${RESULTS_DIR:-$BENCH_DIR/results/disk-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$RESULTS_DIR/wrk"

# --- objects, origin, caches -----------------------------------------------------------------------------------

SITE_ROOT="$WORK_DIR/site"
mkdir -p "$SITE_ROOT/big"
for (( index = 0; index < OBJECTS; index++ )); do
    head -c "$(( SIZE_MIB << 20 ))" /dev/urandom >"$SITE_ROOT/big/$index.bin"
done
RULES="$WORK_DIR/origin.rules"
printf 'match /big/*\n  cache-control "public, max-age=3600"\n' >"$RULES"
log "starting the origin on 127.0.0.1:$ORIGIN_PORT ($OBJECTS objects of $SIZE_MIB MiB)"
start_process origin "$EDGE_BIN" origin --root "$SITE_ROOT" --rules "$RULES" --host 127.0.0.1 --port "$ORIGIN_PORT"
await_server origin "$ORIGIN_PORT"

EDGE_CONF="$WORK_DIR/edge-disk.conf"
cat >"$EDGE_CONF" <<CONF
[cluster]
name = "edge-bench-disk"

[defaults.cache]
memory_size = "256MiB"
memory_max_object_size = "1MiB"
disk_path = "$WORK_DIR/edge-cache"
disk_size = "$(( OBJECTS * SIZE_MIB * 2 + 64 ))MiB"

[defaults.upstream]
origins = ["http://127.0.0.1:$ORIGIN_PORT"]

[defaults.limits]
idle_timeout = "60s"
drain_timeout = "1s"

[defaults.logging]
level = "warning"
access_log = false

[[nodes]]
name = "edge-disk"
role = "edge"
listen = "127.0.0.1:$EDGE_PORT"
location = { latitude = 50.11, longitude = 8.68, region = "bench" }
CONF
log "starting edge on 127.0.0.1:$EDGE_PORT"
start_edge_node edge "$EDGE_CONF" edge-disk "$EDGE_PORT"
EDGE_PID="${BENCH_PIDS[-1]}"

NGINX_DIR="$WORK_DIR/nginx"
mkdir -p "$NGINX_DIR/cache"
cat >"$NGINX_DIR/nginx.conf" <<CONF
$(nginx_user_line)
worker_processes auto;
pid $NGINX_DIR/nginx.pid;
error_log $NGINX_DIR/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nodelay on;
    keepalive_timeout 65s;
    keepalive_requests 10000000;
    client_body_temp_path $NGINX_DIR/client_body;
    proxy_temp_path $NGINX_DIR/proxy_temp;
    fastcgi_temp_path $NGINX_DIR/fastcgi_temp;
    uwsgi_temp_path $NGINX_DIR/uwsgi_temp;
    scgi_temp_path $NGINX_DIR/scgi_temp;
    proxy_cache_path $NGINX_DIR/cache levels=1:2 keys_zone=bench:16m max_size=$(( OBJECTS * SIZE_MIB * 2 + 64 ))m inactive=60m use_temp_path=off;
    upstream bench_origin {
        server 127.0.0.1:$ORIGIN_PORT;
        keepalive 64;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / {
            proxy_pass http://bench_origin;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_cache bench;
            proxy_cache_lock on;
            add_header X-Cache-Status \$upstream_cache_status always;
        }
    }
}
CONF
nginx -t -q -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" >"$WORK_DIR/logs/nginx-check.log" 2>&1 \
    || { show_log nginx-check; die "nginx rejected $NGINX_DIR/nginx.conf"; }
log "starting nginx on 127.0.0.1:$NGINX_PORT"
start_process nginx nginx -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -g "daemon off;"
await_server nginx "$NGINX_PORT"

# Warm both: fetch every object until the server says it was a hit (edge writes to disk off the request path).
hit_signal() {
    case "$1" in
        edge) grep -i '^cache-status:' | tail -n 1 | grep -qiE 'edge-disk; hit' ;;
        nginx) grep -qi '^x-cache-status: HIT' ;;
    esac
}
for server in "${SERVERS[@]}"; do
    for (( index = 0; index < OBJECTS; index++ )); do
        tries=0
        until curl -s -m 30 -o /dev/null -D - "http://127.0.0.1:${SERVER_PORT[$server]}/big/$index.bin" \
                | tr -d '\r' | hit_signal "$server"; do
            (( tries++ < 50 )) || die "$server: /big/$index.bin never became a cache hit"
            sleep 0.2
        done
    done
    log "$server: all $OBJECTS objects are cache hits"
done
[[ -n "$(find "$WORK_DIR/edge-cache" -type f -size +$(( SIZE_MIB * 1024 - 1 ))k | head -n 1)" ]] \
    || die "edge holds no object file on disk"

# wrk walks the objects in turn on every connection.
LUA="$WORK_DIR/walk.lua"
cat >"$LUA" <<LUA
local count = $OBJECTS
local next_index = 0
request = function()
    local path = "/big/" .. next_index .. ".bin"
    next_index = (next_index + 1) % count
    return wrk.format("GET", path)
end
LUA

# Peak VmRSS of edge while the sampler runs, in KiB, written to $1.
sample_rss() {
    local output="$1" peak=0 rss
    while [[ -e "$WORK_DIR/sampling" ]]; do
        rss="$(awk '/^VmRSS:/ { print $2 }' "/proc/$EDGE_PID/status" 2>/dev/null || echo 0)"
        (( rss > peak )) && peak=$rss
        sleep 0.1
    done
    echo "$peak" >"$output"
}

BASE_RSS="$(awk '/^VmRSS:/ { print $2 }' "/proc/$EDGE_PID/status")"
CSV="$RESULTS_DIR/results.csv"
echo "round,server,requests_per_sec,megabytes_per_sec,peak_rss_kib" >"$CSV"
for (( round = 1; round <= ROUNDS; round++ )); do
    for (( position = 0; position < ${#SERVERS[@]}; position++ )); do
        server="${SERVERS[$(( (position + round - 1) % ${#SERVERS[@]} ))]}"
        report="$RESULTS_DIR/wrk/round$round-$server.txt"
        log "round $round: $server (load $(load_1m))"
        peak="-"
        if [[ "$server" == edge ]]; then
            touch "$WORK_DIR/sampling"
            sample_rss "$WORK_DIR/peak" &
            sampler=$!
        fi
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s -s "$LUA" "http://127.0.0.1:${SERVER_PORT[$server]}" \
            >"$report" 2>&1 || { cat "$report" >&2; die "wrk failed against $server"; }
        if [[ "$server" == edge ]]; then
            rm -f "$WORK_DIR/sampling"
            wait "$sampler"
            peak="$(cat "$WORK_DIR/peak")"
        fi
        rps="$(awk '$1 == "Requests/sec:" { print $2 }' "$report")"
        # "Transfer/sec:      1.12GB" -> MB/s
        mbps="$(awk '$1 == "Transfer/sec:" {
            v = $2; unit = substr(v, length(v) - 1); n = substr(v, 1, length(v) - 2)
            if (unit == "GB") n *= 1024; else if (unit == "KB") n /= 1024; else if (unit != "MB") n = "nan"
            print n }' "$report")"
        grep -q "Non-2xx" "$report" && log "warning: $server answered non-2xx responses (see $report)"
        echo "$round,$server,${rps:-nan},${mbps:-nan},$peak" >>"$CSV"
        sleep "$PAUSE"
    done
done

median_of() { awk -F, -v s="$1" -v c="$2" 'NR > 1 && $2 == s { print $c }' "$CSV" | median; }
EDGE_RPS="$(median_of edge 3)"; NGINX_RPS="$(median_of nginx 3)"
EDGE_MBPS="$(median_of edge 4)"; NGINX_MBPS="$(median_of nginx 4)"
PEAK_RSS="$(awk -F, 'NR > 1 && $2 == "edge" && $5 > m { m = $5 } END { print m + 0 }' "$CSV")"
{
    printf '\n%s objects of %s MiB from the disk tier, medians of %s rounds (wrk -t%s -c%s -d%s; %s CPUs)\n\n' \
        "$OBJECTS" "$SIZE_MIB" "$ROUNDS" "$THREADS" "$CONNECTIONS" "$DURATION" "$(nproc)"
    printf '%-8s %12s %12s\n' server "req/s" "MB/s"
    printf '%-8s %12s %12s\n' edge "$EDGE_RPS" "$EDGE_MBPS"
    printf '%-8s %12s %12s\n' nginx "$NGINX_RPS" "$NGINX_MBPS"
    printf '\nedge/nginx: req/s %s, bytes/s %s\n' "$(ratio "$EDGE_RPS" "$NGINX_RPS")" "$(ratio "$EDGE_MBPS" "$NGINX_MBPS")"
    printf 'edge resident set: %s MiB before the runs, peak %s MiB while %s clients streamed\n' \
        "$(( BASE_RSS / 1024 ))" "$(( PEAK_RSS / 1024 ))" "$CONNECTIONS"
} | tee "$RESULTS_DIR/summary.txt"
printf '\nRaw results: %s\n' "$RESULTS_DIR"
