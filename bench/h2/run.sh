#!/usr/bin/env bash
# HTTPS and HTTP/2 benchmark: edge against nginx (`listen ssl http2`, proxy_cache), side by side in one run, with
# the same certificate (ECDSA P-256), the same origin and warm caches.
#
# Measures, in interleaved rounds:
#   - 1 KiB and 100 KiB cache hits over h2 with h2load (CLIENTS connections x STREAMS concurrent streams);
#   - full TLS handshakes per second: openssl s_time -new (a new connection and handshake each time, no request),
#     HANDSHAKE_CLIENTS processes at once;
#   - resumed handshakes per second: openssl s_time -reuse over TLS 1.2 (session tickets), same clients;
# and prints medians and the ratio edge/nginx for each. Both servers speak TLS 1.2 and 1.3 only; h2load and
# s_time negotiate TLS 1.3 (resumed handshakes: TLS 1.2, see run_handshakes). See bench/README.md.
#
# Settings (environment):
#   DURATION=10           seconds of each h2load run and each s_time run
#   ROUNDS=3              rounds; each measures every server x test once
#   CLIENTS=8 STREAMS=8   h2load -c / -m (64 streams on 8 connections)
#   H2LOAD_THREADS=2      h2load -t
#   HANDSHAKE_CLIENTS=4   parallel s_time processes
#   EDGE_BIN=/path/to/edge  use this binary instead of building edge (release)
#   RESULTS_DIR=bench/results/h2-<time>  where the raw reports, results.csv and summary.txt go
#   SKIP_INSTALL=1        never call apt-get; fail if a tool is missing
#   KEEP_TMP=1            keep the temp dir with generated configs and server logs
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
# shellcheck source=../lib/common.sh
source "$BENCH_DIR/lib/common.sh"
# shellcheck source=../lib/install.sh
source "$BENCH_DIR/lib/install.sh"
# shellcheck source=../lib/servers.sh
source "$BENCH_DIR/lib/servers.sh"
BENCH_PACKAGE_FOR+=([h2load]=nghttp2-client [openssl]=openssl)

DURATION="${DURATION:-10}"
ROUNDS="${ROUNDS:-3}"
CLIENTS="${CLIENTS:-8}"
STREAMS="${STREAMS:-8}"
H2LOAD_THREADS="${H2LOAD_THREADS:-2}"
HANDSHAKE_CLIENTS="${HANDSHAKE_CLIENTS:-4}"
for setting in DURATION ROUNDS CLIENTS STREAMS H2LOAD_THREADS HANDSHAKE_CLIENTS; do
    require_positive_int "$setting" "${!setting}"
done

ORIGIN_PORT=18380
EDGE_PORT=18381
EDGE_TLS_PORT=18382
NGINX_TLS_PORT=18383
SERVERS=(edge nginx)
declare -A TLS_PORT=([edge]=$EDGE_TLS_PORT [nginx]=$NGINX_TLS_PORT)
OBJECTS=(1k 100k)
declare -A OBJECT_PATH=([1k]=/bench/1k.txt [100k]=/bench/100k.txt)
declare -A OBJECT_BYTES=([1k]=1024 [100k]=102400)

WORK_DIR="$(mktemp -d /tmp/edge-bench-h2.XXXXXX)"
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
require_free_ports "$ORIGIN_PORT" "$EDGE_PORT" "$EDGE_TLS_PORT" "$NGINX_TLS_PORT"
ensure_site_root
RESULTS_DIR="${RESULTS_DIR:-$BENCH_DIR/results/h2-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$RESULTS_DIR/raw"

# --- one certificate for both servers ---------------------------------------------------------------------------
CERT="$WORK_DIR/cert.pem"
KEY="$WORK_DIR/key.pem"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=bench.test" \
    -addext "subjectAltName=DNS:bench.test,IP:127.0.0.1" -keyout "$KEY" -out "$CERT" >"$WORK_DIR/logs/cert.log" 2>&1 \
    || { show_log cert; die "openssl could not make the bench certificate"; }

# --- edge: the bench node of edge-bench.conf plus an HTTPS listener ---------------------------------------------
EDGE_CONF="$WORK_DIR/edge-h2.conf"
cat >"$EDGE_CONF" <<CONF
[cluster]
name = "edge-bench-h2"

[defaults.cache]
memory_size = "256MiB"
memory_max_object_size = "16MiB"
disk_size = "0"

[defaults.upstream]
origins = ["bench-origin"]
max_connections_per_host = 64

[defaults.limits]
idle_timeout = "60s"
drain_timeout = "1s"

[defaults.logging]
level = "warning"
access_log = false

[[tls.certificates]]
names = ["bench.test"]
cert = "$CERT"
key = "$KEY"
default = true

[[origins]]
name = "bench-origin"
url = "http://127.0.0.1:$ORIGIN_PORT"

[[nodes]]
name = "edge-bench"
role = "edge"
listen = "127.0.0.1:$EDGE_PORT"
https_listen = "127.0.0.1:$EDGE_TLS_PORT"
location = { latitude = 50.11, longitude = 8.68, region = "bench" }
CONF

# --- nginx: the bench nginx.conf's cache, behind listen ssl http2 ------------------------------------------------
start_nginx_tls() {
    local dir="$WORK_DIR/nginx"
    mkdir -p "$dir/cache"
    cat >"$dir/nginx.conf" <<CONF
$(nginx_user_line)
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nodelay on;
    keepalive_timeout 65s;
    keepalive_requests 10000000;
    client_body_temp_path $dir/client_body;
    proxy_temp_path $dir/proxy_temp;
    fastcgi_temp_path $dir/fastcgi_temp;
    uwsgi_temp_path $dir/uwsgi_temp;
    scgi_temp_path $dir/scgi_temp;
    proxy_cache_path $dir/cache levels=1:2 keys_zone=bench:16m max_size=256m inactive=60m use_temp_path=off;
    upstream bench_origin {
        server 127.0.0.1:$ORIGIN_PORT;
        keepalive 64;
    }
    server {
        listen 127.0.0.1:$NGINX_TLS_PORT ssl http2;
        ssl_certificate $CERT;
        ssl_certificate_key $KEY;
        # As edge: TLS 1.2 and 1.3 only, session tickets on (nginx's default), plus nginx's shared session cache.
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_cache shared:SSL:10m;
        ssl_session_tickets on;
        # nginx 1.22 closes an h2 connection after 1000 requests by default; edge keeps it open.
        http2_max_requests 10000000;
        http2_max_concurrent_streams 128;
        location / {
            proxy_pass http://bench_origin;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_cache bench;
            proxy_cache_valid 200 1m;
            proxy_cache_lock on;
            add_header X-Cache-Status \$upstream_cache_status always;
        }
    }
}
CONF
    nginx -t -q -p "$dir" -c "$dir/nginx.conf" >"$WORK_DIR/logs/nginx-check.log" 2>&1 \
        || { show_log nginx-check; die "nginx rejected $dir/nginx.conf"; }
    start_process nginx nginx -p "$dir" -c "$dir/nginx.conf" -g "daemon off;"
    local waited=0
    until curl -sk -o /dev/null "https://127.0.0.1:$NGINX_TLS_PORT/"; do
        (( waited++ < 100 )) || { show_log nginx; die "nginx did not come up on 127.0.0.1:$NGINX_TLS_PORT"; }
        sleep 0.1
    done
}

log "starting the origin on 127.0.0.1:$ORIGIN_PORT"
start_origin
log "starting edge on 127.0.0.1:$EDGE_PORT (https $EDGE_TLS_PORT)"
start_edge_node edge "$EDGE_CONF" edge-bench "$EDGE_PORT"
log "starting nginx on 127.0.0.1:$NGINX_TLS_PORT (ssl http2)"
start_nginx_tls

# Warms an object over h2 and proves the next request is a hit with the full body.
warm_h2() {
    local server="$1" path="$2" bytes="$3" url headers size attempt
    url="https://127.0.0.1:${TLS_PORT[$server]}$path"
    for attempt in 1 2 3 4 5; do
        headers="$(curl -sk --http2 -o "$WORK_DIR/body" -D - "$url")" || die "$server: curl $url failed"
        size="$(stat -c %s "$WORK_DIR/body")"
        if [[ "$headers" == HTTP/2\ 200* && "$size" == "$bytes" ]] \
            && grep -qiE '^(cache-status:.*hit|x-cache-status: hit)' <<<"$headers"; then
            return 0
        fi
        sleep 0.2
    done
    die "$server: $path is not an h2 cache hit of $bytes bytes after 5 tries; last headers: $headers"
}
for server in "${SERVERS[@]}"; do
    for object in "${OBJECTS[@]}"; do warm_h2 "$server" "${OBJECT_PATH[$object]}" "${OBJECT_BYTES[$object]}"; done
    log "$server: both objects are h2 cache hits"
done

# --- measurements -------------------------------------------------------------------------------------------------
CSV="$RESULTS_DIR/results.csv"
echo "round,server,test,value" >"$CSV"

# h2load for DURATION seconds; records req/s (0 when any request failed, so a broken run never looks fast).
run_h2load() {
    local round="$1" server="$2" object="$3" report rate failed
    report="$RESULTS_DIR/raw/h2load-$server-$object-r$round.txt"
    h2load -D "$DURATION" --warm-up-time=1 -c "$CLIENTS" -m "$STREAMS" -t "$H2LOAD_THREADS" \
        "https://127.0.0.1:${TLS_PORT[$server]}${OBJECT_PATH[$object]}" >"$report" 2>&1 || true
    rate="$(awk '/^finished in/ { for (i = 1; i <= NF; i++) if ($(i) == "req/s,") print $(i - 1) }' "$report")"
    failed="$(awk '/^requests:/ { for (i = 1; i <= NF; i++) if ($(i) ~ /^(failed|errored|timeout),?$/) n += $(i - 1) } END { print n + 0 }' "$report")"
    grep -q "Application protocol: h2" "$report" || { log "$server $object: h2load did not negotiate h2"; rate=0; }
    if [[ -z "$rate" || "$failed" != "0" ]]; then
        log "$server $object round $round: h2load failed ($failed failed); see $report"
        rate=0
    fi
    echo "$round,$server,h2-$object,$rate" >>"$CSV"
    log "round $round: $server h2 $object hits: $rate req/s"
}

# HANDSHAKE_CLIENTS s_time processes for DURATION seconds; records handshakes per wall-clock second. $3 is
# -new (full handshakes) or -reuse (resumed); for -reuse the share actually resumed is logged.
run_handshakes() {
    local round="$1" server="$2" mode="$3" test start end total resumed i pids=()
    test="handshakes${mode}"
    local version=""
    [[ "$mode" == "-reuse" ]] && version="-tls1_2"
    start="$(date +%s.%N)"
    for (( i = 0; i < HANDSHAKE_CLIENTS; i++ )); do
        # Resumption is measured on TLS 1.2: s_time never reads a TLS 1.3 ticket (it arrives after the
        # handshake), so with 1.3 its -reuse would silently make full handshakes.
        openssl s_time -connect "127.0.0.1:${TLS_PORT[$server]}" "$mode" ${version:+"$version"} -time "$DURATION" \
            >"$RESULTS_DIR/raw/stime-$server$mode-r$round-$i.txt" 2>&1 &
        pids+=("$!")
    done
    wait "${pids[@]}" || true
    end="$(date +%s.%N)"
    total="$(cat "$RESULTS_DIR"/raw/stime-"$server$mode"-r"$round"-*.txt \
        | awk '/connections in .* real seconds/ { n += $1 } END { print n + 0 }')"
    # s_time prints "*" for each full handshake and "r" for each resumed one, on lines of their own.
    resumed="$(cat "$RESULTS_DIR"/raw/stime-"$server$mode"-r"$round"-*.txt | grep -E '^[*r]+$' | tr -cd 'r' | wc -c)"
    local rate
    rate="$(awk -v n="$total" -v a="$start" -v b="$end" 'BEGIN { printf "%.1f\n", n / (b - a) }')"
    echo "$round,$server,$test,$rate" >>"$CSV"
    if [[ "$mode" == "-reuse" ]]; then
        log "round $round: $server resumed handshakes: $rate/s ($resumed of $total resumed)"
    else
        log "round $round: $server full handshakes: $rate/s"
    fi
}

TESTS=(h2-1k h2-100k handshakes-new handshakes-reuse)
for (( round = 1; round <= ROUNDS; round++ )); do
    # Interleaved: every test runs on both servers in this round, the order of servers alternating.
    order=("${SERVERS[@]}")
    (( round % 2 == 0 )) && order=(nginx edge)
    for server in "${order[@]}"; do
        for object in "${OBJECTS[@]}"; do run_h2load "$round" "$server" "$object"; sleep 1; done
        run_handshakes "$round" "$server" -new; sleep 1
        run_handshakes "$round" "$server" -reuse; sleep 1
    done
done

# --- report ---------------------------------------------------------------------------------------------------------
SUMMARY="$RESULTS_DIR/summary.txt"
{
    printf 'h2/TLS benchmark, %s rounds of %ss; h2load -c %s -m %s -t %s; %s s_time clients\n' \
        "$ROUNDS" "$DURATION" "$CLIENTS" "$STREAMS" "$H2LOAD_THREADS" "$HANDSHAKE_CLIENTS"
    printf '%-18s %14s %14s %10s\n' test edge nginx edge/nginx
    for test in "${TESTS[@]}"; do
        e="$(awk -F, -v t="$test" '$2 == "edge" && $3 == t { print $4 }' "$CSV" | median)"
        n="$(awk -F, -v t="$test" '$2 == "nginx" && $3 == t { print $4 }' "$CSV" | median)"
        printf '%-18s %14s %14s %10s\n' "$test" "$e" "$n" "$(ratio "$e" "$n")"
    done
    printf '(h2-*: requests/s of cache hits; handshakes-*: TLS handshakes/s, new = full, reuse = resumed)\n'
} | tee "$SUMMARY"
log "raw reports and results.csv in $RESULTS_DIR"
