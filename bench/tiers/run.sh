#!/usr/bin/env bash
# Miss-path benchmark: edge's two tiers (edge node -> shield node -> origin) against a two-tier nginx
# proxy_cache (nginx edge -> nginx shield -> origin), side by side in one run on this machine.
#
# Measures requests that MISS at the edge tier and HIT at the shield tier: each round, for each system, it warms
# the shield tier directly with fresh URLs, proves a sample are hits there, then sends exactly those URLs once
# each through the edge tier (wrk with walk.lua) and times the first byte of a few more, one at a time. Every
# measured response is checked (a shield hit and an edge miss, 200, right size) and the origin's request count
# must not move while measuring. Prints medians and the ratios edge/nginx. See bench/README.md.
#
# Settings (environment):
#   REQUESTS=20000                distinct URLs per measured run (each sent once)
#   TTFB_REQUESTS=200             URLs fetched one at a time for time to first byte, per round and system
#   THREADS=2 CONNECTIONS=64      wrk -t / -c
#   ROUNDS=3                      rounds; each measures both systems, alternating who goes first
#   WARMUP_REQUESTS=2000          an unrecorded miss run per system before round 1 ("0" = none)
#   PAUSE=1                       seconds of quiet between runs
#   MAX_DURATION=60s              wrk -d: only an upper bound, a run ends when its URLs are done
#   SERVERS="edge nginx"          which systems to measure (the origin always runs)
#   EDGE_BIN=/path/to/edge        use this binary instead of building edge (release)
#   RESULTS_DIR=bench/results/tiers-<time>   where the raw reports, results.csv and summary.txt go
#   SKIP_INSTALL=1                never call apt-get; fail if a tool is missing
#   KEEP_TMP=1                    keep the temp dir with generated configs and server logs
#   TMPDIR=/tmp                   where the temp dir (and both nginx caches) go; default /dev/shm when it is a tmpfs
set -euo pipefail

TIERS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH_DIR="$(cd "$TIERS_DIR/.." && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
# shellcheck source=../lib/common.sh
source "$BENCH_DIR/lib/common.sh"
# shellcheck source=../lib/install.sh
source "$BENCH_DIR/lib/install.sh"
# shellcheck source=../lib/servers.sh
source "$BENCH_DIR/lib/servers.sh"
# shellcheck source=../lib/hits.sh
source "$BENCH_DIR/lib/hits.sh"
# shellcheck source=../lib/wrk.sh
source "$BENCH_DIR/lib/wrk.sh"
# shellcheck source=lib/tiers.sh
source "$TIERS_DIR/lib/tiers.sh"
# shellcheck source=lib/report.sh
source "$TIERS_DIR/lib/report.sh"

REQUESTS="${REQUESTS:-20000}"
TTFB_REQUESTS="${TTFB_REQUESTS:-200}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-64}"
ROUNDS="${ROUNDS:-3}"
WARMUP_REQUESTS="${WARMUP_REQUESTS:-2000}"
PAUSE="${PAUSE:-1}"
MAX_DURATION="${MAX_DURATION:-60s}"
read -r -a SERVERS <<<"${SERVERS:-edge nginx}"

require_positive_int REQUESTS "$REQUESTS"
require_positive_int TTFB_REQUESTS "$TTFB_REQUESTS"
require_positive_int THREADS "$THREADS"
require_positive_int CONNECTIONS "$CONNECTIONS"
require_positive_int ROUNDS "$ROUNDS"
[[ "$WARMUP_REQUESTS" == "0" ]] || require_positive_int WARMUP_REQUESTS "$WARMUP_REQUESTS"
require_duration MAX_DURATION "$MAX_DURATION"
[[ "$PAUSE" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "PAUSE must be a number of seconds, got \"$PAUSE\""
(( CONNECTIONS >= THREADS )) || die "CONNECTIONS ($CONNECTIONS) must be at least THREADS ($THREADS) for wrk"
(( REQUESTS >= THREADS )) || die "REQUESTS ($REQUESTS) must be at least THREADS ($THREADS)"
[[ "$WARMUP_REQUESTS" == "0" ]] || (( WARMUP_REQUESTS >= THREADS )) \
    || die "WARMUP_REQUESTS ($WARMUP_REQUESTS) must be 0 or at least THREADS ($THREADS)"
(( ${#SERVERS[@]} > 0 )) || die "SERVERS is empty"
for server in "${SERVERS[@]}"; do
    [[ "$server" =~ ^(edge|nginx)$ ]] || die "unknown system \"$server\" in SERVERS (edge, nginx)"
done

# Ports, all on 127.0.0.1; edge's two come from bench/tiers/edge-tiers.conf, which must agree.
ORIGIN_PORT=18180
declare -A SERVER_PORT=([edge]=18181 [edge-shield]=18182 [nginx]=18183 [nginx-shield]=18184)
OBJECT_PATH=/bench/1k.txt
OBJECT_BYTES=1024

# The work dir holds both nginx caches. They are files, and a miss writes one at each tier: on a disk those writes
# and their writeback cost what edge's memory tier never pays (and swing with whatever else the machine writes),
# so by default the work dir lives in memory, in /dev/shm, like edge's caches. TMPDIR overrides that.
work_parent="${TMPDIR:-}"
if [[ -z "$work_parent" ]]; then
    work_parent=/tmp
    if [[ "$(stat -f -c %T /dev/shm 2>/dev/null || true)" == "tmpfs" && -w /dev/shm ]]; then
        work_parent=/dev/shm
    fi
fi
WORK_DIR="$(mktemp -d "$work_parent/edge-tiers-bench.XXXXXX")"
# nginx's workers must be able to reach their dirs below this one.
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

# --- tools, binaries, servers ----------------------------------------------------------------------------------

# varnishd is not needed here; ensure_tools asks for it only when it is missing, so take it off the list.
unset 'BENCH_PACKAGE_FOR[varnishd]'
ensure_tools
ensure_edge_bin
require_free_ports "$ORIGIN_PORT" "${SERVER_PORT[@]}"
ensure_site_root
[[ "$(stat -c %s "$SITE_ROOT$OBJECT_PATH")" == "$OBJECT_BYTES" ]] || die "$SITE_ROOT$OBJECT_PATH is not $OBJECT_BYTES bytes"

RESULTS_DIR="${RESULTS_DIR:-$BENCH_DIR/results/tiers-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$RESULTS_DIR/wrk" "$RESULTS_DIR/ttfb"

log "starting the origin on 127.0.0.1:$ORIGIN_PORT"
start_origin
for server in "${SERVERS[@]}"; do
    log "starting $server: edge tier 127.0.0.1:${SERVER_PORT[$server]} -> shield tier 127.0.0.1:${SERVER_PORT[$server-shield]}"
    "start_${server}_tiers"
done

# --- one measurement -------------------------------------------------------------------------------------------

# Warms server $1's shield tier with $2<1..$3+$4>, checks a sample there, then measures the first $3 through the
# edge tier with wrk and the next $4 one at a time. Files are named after $5. Prints the CSV fields 4..23.
measure_system() {
    local server="$1" prefix="$2" count="$3" ttfb_count="$4" name="$5"
    local -n miss_checks="MISS_CHECKS_$server"
    local total=$(( count + ttfb_count )) before after warm_delta sample k
    local indices=()

    # 1. Warm the shield tier directly: every URL a miss there, fetched from the origin once.
    before="$(origin_total)"
    walk_urls "${SERVER_PORT[$server-shield]}" "$prefix" 1 "$total" "$RESULTS_DIR/wrk/$name-warm.txt" \
        "$OBJECT_BYTES"
    after="$(origin_total)"
    warm_delta=$(( after - before ))

    # 2. A sample spread over the list (first and last included) must now be hits at the shield tier.
    for (( k = 0; k < 16; k++ )); do
        indices+=("$(( 1 + k * (total - 1) / 15 ))")
    done
    sample="$(check_shield_sample "$server" "$prefix" "$OBJECT_BYTES" "${indices[@]}")"
    sleep "$PAUSE"

    # 3. The measured runs: the origin must not see a single request during them.
    before="$(origin_total)"
    local report="$RESULTS_DIR/wrk/$name-miss.txt" edge_cpu shield_cpu
    edge_cpu="$(process_cpu_ticks "$server")"
    shield_cpu="$(process_cpu_ticks "$server-shield")"
    walk_urls "${SERVER_PORT[$server]}" "$prefix" 1 "$count" "$report" "$OBJECT_BYTES" "${miss_checks[@]}"
    edge_cpu=$(( $(process_cpu_ticks "$server") - edge_cpu ))
    shield_cpu=$(( $(process_cpu_ticks "$server-shield") - shield_cpu ))
    sleep "$PAUSE"
    local ttfb
    ttfb="$(measure_ttfb "$server" "${SERVER_PORT[$server]}" "$prefix" "$(( count + 1 ))" "$ttfb_count" \
        "$OBJECT_BYTES" "$RESULTS_DIR/ttfb/$name.txt")"
    after="$(origin_total)"

    local expected responses ok bad seconds rate first_bad p50 p99 socket_errors non2xx p90
    { read -r expected responses ok bad seconds rate; IFS= read -r first_bad; } < <(parse_walk "$report")
    read -r _ p50 p99 socket_errors non2xx < <(parse_wrk "$report")
    p90="$(wrk_latency_ms "$report" 90)"
    first_bad="${first_bad:-}"
    first_bad="$(tr ', ' ';_' <<<"${first_bad:--}")"
    local ttfb_p50 ttfb_p90 ttfb_ok ttfb_problem
    read -r ttfb_p50 ttfb_p90 ttfb_ok ttfb_problem <<<"$ttfb"
    printf '%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n' "$expected" "$responses" "$ok" "$bad" \
        "$seconds" "$rate" "$p50" "$p90" "$p99" "$socket_errors" "$first_bad" "$ttfb_p50" "$ttfb_p90" "$ttfb_ok" \
        "$(tr ',' ';' <<<"$ttfb_problem")" "$warm_delta" "$(tr ', ' ';_' <<<"$sample")" "$(( after - before ))" \
        "$(cpu_ms_per_1k "$edge_cpu" "$responses")" "$(cpu_ms_per_1k "$shield_cpu" "$responses")"
}

# --- warm-up and measured rounds -------------------------------------------------------------------------------

{
    printf 'started %s\nhost %s, %s CPUs, kernel %s\n' "$(date -u +%FT%TZ)" "$(hostname)" "$(nproc)" "$(uname -r)"
    printf 'settings REQUESTS=%s TTFB_REQUESTS=%s THREADS=%s CONNECTIONS=%s ROUNDS=%s WARMUP_REQUESTS=%s PAUSE=%s' \
        "$REQUESTS" "$TTFB_REQUESTS" "$THREADS" "$CONNECTIONS" "$ROUNDS" "$WARMUP_REQUESTS" "$PAUSE"
    printf ' MAX_DURATION=%s SERVERS=%s\n' "$MAX_DURATION" "${SERVERS[*]}"
    printf 'edge %s\n' "$EDGE_BIN"
    nginx -v 2>&1
    wrk --version 2>&1 | head -n 1 || true
    curl --version | head -n 1
    printf 'site root %s\n' "$SITE_ROOT"
    printf 'work dir (nginx caches) %s on %s\n' "$WORK_DIR" "$(stat -f -c %T "$WORK_DIR")"
} >"$RESULTS_DIR/environment.txt"

if [[ "$WARMUP_REQUESTS" != "0" ]]; then
    echo "$TIERS_CSV_HEADER" >"$RESULTS_DIR/warmup.csv"
    for server in "${SERVERS[@]}"; do
        log "warm-up: $WARMUP_REQUESTS misses through $server's tiers (not recorded)"
        row="$(measure_system "$server" "$OBJECT_PATH?r=0&i=" "$WARMUP_REQUESTS" 20 "warmup-$server")"
        printf 'warmup,%s,0,%s,%s\n' "$server" "$row" "$(load_1m)" >>"$RESULTS_DIR/warmup.csv"
        sleep "$PAUSE"
    done
fi

CSV="$RESULTS_DIR/results.csv"
echo "$TIERS_CSV_HEADER" >"$CSV"
LOAD_BEFORE="$(load_1m)"
total_runs=$(( ROUNDS * ${#SERVERS[@]} ))
done_runs=0
for (( round = 1; round <= ROUNDS; round++ )); do
    # Rotate who goes first each round, so neither system always runs right after the same neighbour.
    for (( position = 0; position < ${#SERVERS[@]}; position++ )); do
        server="${SERVERS[$(( (position + round - 1) % ${#SERVERS[@]} ))]}"
        load="$(load_1m)"
        done_runs=$(( done_runs + 1 ))
        log "run $done_runs/$total_runs: round $round, $server (load $load)"
        row="$(measure_system "$server" "$OBJECT_PATH?r=$round&i=" "$REQUESTS" "$TTFB_REQUESTS" \
            "round$round-$server")"
        echo "$round,$server,$(( position + 1 )),$row,$load" >>"$CSV"
        sleep "$PAUSE"
    done
done
LOAD_AFTER="$(load_1m)"

print_tiers_report "$CSV" | tee "$RESULTS_DIR/summary.txt"
printf '\nRaw results: %s\n' "$RESULTS_DIR"
