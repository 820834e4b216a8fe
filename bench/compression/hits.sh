#!/usr/bin/env bash
# Compressed cache hits: requests/s for the brotli and gzip variants of the bench objects against the identity
# object, on edge, and against nginx compressing its cached copy on the fly (gzip, plus brotli when Debian's
# ngx_brotli filter module is installed) and nginx serving precompressed files (gzip_static).
#
# Edge compresses each object once per coding and stores the variant, so a br hit should cost what an identity
# hit costs; nginx's gzip filter compresses every response again. See bench/compression/README.md.
#
# Settings (environment): THREADS=2 CONNECTIONS=64 DURATION=5s ROUNDS=3 WARMUP=2s PAUSE=1
#   CASES="edge-identity edge-br edge-gzip edge-off-identity nginx-identity nginx-gzip nginx-br static-gzip"
#   (nginx-br is skipped when the module is missing; edge-off is a second node with compression disabled, the
#   identity baseline before this feature)   EDGE_BIN=...  RESULTS_DIR=...  KEEP_TMP=1  SKIP_INSTALL=1
# Ports on 127.0.0.1: origin 18380, edge 18381, nginx proxy_cache 18382, nginx static 18383, edge-off 18384.
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

THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-64}"
DURATION="${DURATION:-5s}"
ROUNDS="${ROUNDS:-3}"
WARMUP="${WARMUP:-2s}"
PAUSE="${PAUSE:-1}"
read -r -a CASES <<<"${CASES:-edge-identity edge-br edge-gzip edge-off-identity nginx-identity nginx-gzip nginx-br static-gzip}"
require_positive_int THREADS "$THREADS"
require_positive_int CONNECTIONS "$CONNECTIONS"
require_positive_int ROUNDS "$ROUNDS"
require_duration DURATION "$DURATION"
[[ "$WARMUP" == "0" ]] || require_duration WARMUP "$WARMUP"

ORIGIN_PORT=18380
EDGE_PORT=18381
NGINX_PORT=18382
STATIC_PORT=18383
EDGE_OFF_PORT=18384
BROTLI_MODULE=/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so

OBJECTS=(1k 100k)
declare -A OBJECT_PATH=([1k]=/bench/1k.txt [100k]=/bench/100k.txt)
declare -A OBJECT_LABEL=([1k]="1 KiB" [100k]="100 KiB")
# Each case: port and the Accept-Encoding wrk sends ("" = none).
declare -A CASE_PORT=([edge-identity]=$EDGE_PORT [edge-br]=$EDGE_PORT [edge-gzip]=$EDGE_PORT
    [edge-off-identity]=$EDGE_OFF_PORT [nginx-identity]=$NGINX_PORT [nginx-gzip]=$NGINX_PORT [nginx-br]=$NGINX_PORT [static-gzip]=$STATIC_PORT)
declare -A CASE_ACCEPT=([edge-identity]="" [edge-br]=br [edge-gzip]=gzip [edge-off-identity]="" [nginx-identity]="" [nginx-gzip]=gzip
    [nginx-br]=br [static-gzip]=gzip)

WORK_DIR="$(mktemp -d /tmp/edge-compression-hits.XXXXXX)"
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
require_free_ports "$ORIGIN_PORT" "$EDGE_PORT" "$NGINX_PORT" "$STATIC_PORT" "$EDGE_OFF_PORT"
ensure_site_root
command -v gzip >/dev/null || die "gzip is needed for the gzip_static files"

HAVE_BROTLI_MODULE=0
[[ -f "$BROTLI_MODULE" ]] && HAVE_BROTLI_MODULE=1
if [[ " ${CASES[*]} " == *" nginx-br "* && "$HAVE_BROTLI_MODULE" == 0 ]]; then
    log "nginx's brotli filter module is not installed (apt-get install libnginx-mod-http-brotli-filter): no nginx-br"
    CASES=("${CASES[@]/nginx-br}")
    read -r -a CASES <<<"${CASES[*]}"
fi

RESULTS_DIR="${RESULTS_DIR:-$BENCH_DIR/results/compression-hits-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$RESULTS_DIR/wrk"

# --- servers -------------------------------------------------------------------------------------------------

# The edge node: the bench node's settings (memory only, no access log) with compression at its defaults, except
# hot recompression, which is left on too: it has run during warm-up, so the measured variant is the final one.
EDGE_CONF="$WORK_DIR/edge.conf"
cat >"$EDGE_CONF" <<EOF
[cluster]
name = "edge-compression-bench"

[defaults.cache]
memory_size = "256MiB"
disk_size = "0"

[defaults.upstream]
origins = ["bench-origin"]

[defaults.limits]
drain_timeout = "1s"

[defaults.logging]
level = "warning"
access_log = false

[defaults.compression]
enabled = true
brotli_level = 5
gzip_level = 6

[[origins]]
name = "bench-origin"
url = "http://127.0.0.1:$ORIGIN_PORT"

[[nodes]]
name = "edge-bench"
listen = "127.0.0.1:$EDGE_PORT"
location = { latitude = 50.11, longitude = 8.68, region = "bench" }

[[nodes]]
name = "edge-off"
listen = "127.0.0.1:$EDGE_OFF_PORT"
location = { latitude = 50.11, longitude = 8.68, region = "bench" }
[nodes.compression]
enabled = false
EOF

# nginx: proxy_cache as in bench/run.sh, with gzip (and brotli) filters compressing each response at the same
# levels edge uses; and a plain static server with gzip_static and precompressed .gz files.
NGINX_DIR="$WORK_DIR/nginx"
STATIC_ROOT="$WORK_DIR/static"
mkdir -p "$NGINX_DIR/cache" "$STATIC_ROOT/bench"
for object in "${OBJECTS[@]}"; do
    cp "$SITE_ROOT${OBJECT_PATH[$object]}" "$STATIC_ROOT${OBJECT_PATH[$object]}"
    gzip -6 -k -n "$STATIC_ROOT${OBJECT_PATH[$object]}"
done
{
    [[ "$HAVE_BROTLI_MODULE" == 1 ]] && printf 'load_module %s;\n' "$BROTLI_MODULE"
    nginx_user_line
    cat <<EOF

worker_processes auto;
pid $NGINX_DIR/nginx.pid;
error_log $NGINX_DIR/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nodelay on;
    keepalive_requests 10000000;
    default_type text/plain;
    client_body_temp_path $NGINX_DIR/client_body;
    proxy_temp_path $NGINX_DIR/proxy_temp;
    fastcgi_temp_path $NGINX_DIR/fastcgi_temp;
    uwsgi_temp_path $NGINX_DIR/uwsgi_temp;
    scgi_temp_path $NGINX_DIR/scgi_temp;
    proxy_cache_path $NGINX_DIR/cache levels=1:2 keys_zone=bench:16m max_size=256m inactive=60m use_temp_path=off;
    upstream bench_origin { server 127.0.0.1:$ORIGIN_PORT; keepalive 64; }

    gzip_types text/plain text/css text/javascript application/json;
    gzip_comp_level 6;
    gzip_min_length 256;
    gzip_vary on;
    gzip_proxied any;
$( [[ "$HAVE_BROTLI_MODULE" == 1 ]] && printf '    brotli_types text/plain text/css text/javascript application/json;\n    brotli_comp_level 5;\n    brotli_min_length 256;\n' )

    server {
        listen 127.0.0.1:$NGINX_PORT;
        gzip on;
$( [[ "$HAVE_BROTLI_MODULE" == 1 ]] && printf '        brotli on;\n' )
        location / {
            proxy_pass http://bench_origin;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            # The cache holds the identity response whatever the client accepts.
            proxy_set_header Accept-Encoding "";
            proxy_cache bench;
            proxy_cache_valid 200 1m;
            proxy_cache_lock on;
            add_header X-Cache-Status \$upstream_cache_status always;
        }
    }
    server {
        listen 127.0.0.1:$STATIC_PORT;
        root $STATIC_ROOT;
        gzip_static on;
    }
}
EOF
} >"$NGINX_DIR/nginx.conf"

log "starting the origin, edge and nginx"
start_origin
start_edge_node edge "$EDGE_CONF" edge-bench "$EDGE_PORT"
if [[ " ${CASES[*]} " == *" edge-off-identity "* ]]; then
    start_edge_node edge-off "$EDGE_CONF" edge-off "$EDGE_OFF_PORT"
fi
nginx -t -q -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" >"$WORK_DIR/logs/nginx-check.log" 2>&1 \
    || { show_log nginx-check; die "nginx rejected $NGINX_DIR/nginx.conf"; }
start_process nginx nginx -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -g "daemon off;"
await_server nginx "$NGINX_PORT"

# --- checks ----------------------------------------------------------------------------------------------------

# Fetches case $1's object $2; prints "STATUS BYTES CODING HIT" (HIT: yes/no/n/a) and keeps the headers.
probe() {
    local case="$1" object="$2" accept="${CASE_ACCEPT[$1]}" url result coding hit
    url="http://127.0.0.1:${CASE_PORT[$case]}${OBJECT_PATH[$object]}"
    local args=(-s -m 5 -D "$WORK_DIR/probe.headers" -o /dev/null -w '%{http_code} %{size_download}')
    [[ -n "$accept" ]] && args+=(-H "Accept-Encoding: $accept")
    result="$(curl "${args[@]}" "$url" || printf '000 0')"
    coding="$(tr -d '\r' <"$WORK_DIR/probe.headers" | awk 'tolower($1) == "content-encoding:" { print $2 }')"
    case "$case" in
        edge-*) hit="$(tr -d '\r' <"$WORK_DIR/probe.headers" \
                | awk 'tolower($1) == "cache-status:" { print ($0 ~ /edge-(bench|off); hit/) ? "yes" : "no" }')" ;;
        nginx-*) hit="$(tr -d '\r' <"$WORK_DIR/probe.headers" \
                | awk 'tolower($1) == "x-cache-status:" { print ($2 == "HIT") ? "yes" : "no" }')" ;;
        *) hit="n/a" ;;
    esac
    printf '%s %s %s\n' "$result" "${coding:-identity}" "${hit:-no}"
}

# Requests until case $1 serves object $2 as a 200 hit in the expected coding (20 tries); prints the body size.
warm_case() {
    local case="$1" object="$2" want="${CASE_ACCEPT[$1]:-identity}" attempt status bytes coding hit
    for (( attempt = 1; attempt <= 20; attempt++ )); do
        read -r status bytes coding hit < <(probe "$case" "$object")
        if [[ "$status" == 200 && "$coding" == "$want" && "$hit" != "no" ]]; then
            printf '%s\n' "$bytes"
            return 0
        fi
        sleep 0.2
    done
    tr -d '\r' <"$WORK_DIR/probe.headers" >&2
    die "$case never served ${OBJECT_PATH[$object]} as a $want hit (last: $status $bytes $coding hit=$hit)"
}

declare -A BODY_BYTES=()
for object in "${OBJECTS[@]}"; do
    for case in "${CASES[@]}"; do
        BODY_BYTES["$object/$case"]="$(warm_case "$case" "$object")"
    done
done
log "every case serves its object as a hit in the expected coding"

run_case() {
    local case="$1" object="$2" duration="$3" output="$4" accept="${CASE_ACCEPT[$1]}"
    local args=(-t"$THREADS" -c"$CONNECTIONS" -d"$duration" --timeout 5s --latency)
    [[ -n "$accept" ]] && args+=(-H "Accept-Encoding: $accept")
    wrk "${args[@]}" "http://127.0.0.1:${CASE_PORT[$case]}${OBJECT_PATH[$object]}" >"$output" 2>&1 \
        || { cat "$output" >&2; die "wrk failed for $case"; }
}

if [[ "$WARMUP" != "0" ]]; then
    log "warm-up: $WARMUP per case and object (not recorded)"
    for object in "${OBJECTS[@]}"; do
        for case in "${CASES[@]}"; do
            run_case "$case" "$object" "$WARMUP" "$RESULTS_DIR/wrk/warmup-$object-$case.txt"
        done
    done
    # Hot recompression may have replaced edge's brotli variant during warm-up: take the final sizes.
    for object in "${OBJECTS[@]}"; do BODY_BYTES["$object/edge-br"]="$(warm_case edge-br "$object")"; done
fi

# --- measured rounds -------------------------------------------------------------------------------------------

CSV="$RESULTS_DIR/results.csv"
echo "round,object,case,requests_per_sec,p50_ms,p99_ms,socket_errors,non_2xx,load_1m" >"$CSV"
LOAD_BEFORE="$(load_1m)"
total=$(( ROUNDS * ${#OBJECTS[@]} * ${#CASES[@]} ))
done_runs=0
for (( round = 1; round <= ROUNDS; round++ )); do
    for object in "${OBJECTS[@]}"; do
        for (( position = 0; position < ${#CASES[@]}; position++ )); do
            case="${CASES[$(( (position + round - 1) % ${#CASES[@]} ))]}"
            load="$(load_1m)"
            done_runs=$(( done_runs + 1 ))
            log "run $done_runs/$total: round $round, ${OBJECT_LABEL[$object]}, $case (load $load)"
            report="$RESULTS_DIR/wrk/round$round-$object-$case.txt"
            run_case "$case" "$object" "$DURATION" "$report"
            read -r rps p50 p99 socket_errors non2xx < <(parse_wrk "$report")
            echo "$round,$object,$case,$rps,$p50,$p99,$socket_errors,$non2xx,$load" >>"$CSV"
            sleep "$PAUSE"
        done
    done
done
LOAD_AFTER="$(load_1m)"

# --- report ------------------------------------------------------------------------------------------------------

column_median() {
    awk -F, -v object="$2" -v case="$3" -v column="$4" \
        'NR > 1 && $2 == object && $3 == case && $column != "nan" { print $column }' "$1" | median
}

{
    printf '\nCompressed hits, medians of %s rounds (wrk -t%s -c%s -d%s; %s CPUs; 1-min load %s before, %s after)\n\n' \
        "$ROUNDS" "$THREADS" "$CONNECTIONS" "$DURATION" "$(nproc)" "$LOAD_BEFORE" "$LOAD_AFTER"
    printf '| object | case | body bytes | req/s | p99 ms |\n|---|---|---:|---:|---:|\n'
    declare -A RPS=()
    for object in "${OBJECTS[@]}"; do
        for case in "${CASES[@]}"; do
            RPS["$object/$case"]="$(column_median "$CSV" "$object" "$case" 4)"
            printf '| %s | %s | %s | %.0f | %.2f |\n' "${OBJECT_LABEL[$object]}" "$case" \
                "${BODY_BYTES[$object/$case]}" "${RPS[$object/$case]}" "$(column_median "$CSV" "$object" "$case" 6)"
        done
    done
    printf '\n| object | edge br / edge identity | edge gzip / edge identity | edge identity / edge-off identity | edge gzip / nginx gzip | edge br / nginx br | edge gzip / nginx gzip_static |\n'
    printf '|---|---:|---:|---:|---:|---:|---:|\n'
    for object in "${OBJECTS[@]}"; do
        printf '| %s | %s | %s | %s | %s | %s | %s |\n' "${OBJECT_LABEL[$object]}" \
            "$(ratio "${RPS[$object/edge-br]:-}" "${RPS[$object/edge-identity]:-}")" \
            "$(ratio "${RPS[$object/edge-gzip]:-}" "${RPS[$object/edge-identity]:-}")" \
            "$(ratio "${RPS[$object/edge-identity]:-}" "${RPS[$object/edge-off-identity]:-}")" \
            "$(ratio "${RPS[$object/edge-gzip]:-}" "${RPS[$object/nginx-gzip]:-}")" \
            "$(ratio "${RPS[$object/edge-br]:-}" "${RPS[$object/nginx-br]:-}")" \
            "$(ratio "${RPS[$object/edge-gzip]:-}" "${RPS[$object/static-gzip]:-}")"
    done
    printf '\n%s\n' "$(nginx -v 2>&1 || true)"
} | tee "$RESULTS_DIR/summary.txt"
printf '\nRaw results: %s\n' "$RESULTS_DIR"
