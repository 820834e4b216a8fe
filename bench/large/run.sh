#!/usr/bin/env bash
# Large-object benchmark: one object of OBJECT_MIB MiB (default 1 GiB) through edge's two tiers, edge -> shield
# -> origin, both tiers with a small memory tier, so the fill is far larger than memory_max_object_size at each
# and spills to disk as it arrives (README "Storage": large fills).
#
# One client (the leader) fetches the cold object; when the leader has received half of it, a second client (the
# late joiner) asks for the same object and is coalesced onto the fill in flight. Reported: the resident set of
# each process (origin, shield, edge) before the fill, its peak sampled during it (VmRSS every 50 ms) and the
# kernel's high-water mark (VmHWM) at the end; the leader's total time; the late joiner's time to first byte
# and total time; then one more request, which must be a hit at the edge (from its disk tier), and its time.
# Every body is checked against the origin's file (SHA-256) and the origin must see exactly one request for it.
# See bench/README.md.
#
# Settings (environment):
#   OBJECT_MIB=1024        size of the object in MiB
#   RATE=256MiB/s          the origin sends the object at this rate (the dev origin's `rate` rule), so the fill
#                          lasts long enough for a join at 50 % to mean something; "0" = as fast as it can
#   MEMORY_SIZE=64MiB      each node's cache.memory_size
#   MAX_OBJECT=4MiB        each node's cache.memory_max_object_size (the spill threshold)
#   EDGE_BIN=/path/to/edge use this binary instead of building edge (release)
#   RESULTS_DIR=bench/results/large-<time>   where samples.tsv, the curl reports and summary.txt go
#   KEEP_TMP=1             keep the work dir (site file, disk caches, configs, logs)
#   TMPDIR=/var/tmp        where the work dir goes. It holds the object up to six times over (origin file, the
#                          leader's copy, at each tier the spill file and its copy in the disk tier), so it must be
#                          a real disk with room: a tmpfs would put every spilled byte back into memory.
set -euo pipefail

LARGE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH_DIR="$(cd "$LARGE_DIR/.." && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
# shellcheck source=../lib/common.sh
source "$BENCH_DIR/lib/common.sh"
# shellcheck source=../lib/servers.sh
source "$BENCH_DIR/lib/servers.sh"
# origin_total and process_pid
# shellcheck source=../tiers/lib/tiers.sh
source "$BENCH_DIR/tiers/lib/tiers.sh"

OBJECT_MIB="${OBJECT_MIB:-1024}"
RATE="${RATE:-256MiB/s}"
MEMORY_SIZE="${MEMORY_SIZE:-64MiB}"
MAX_OBJECT="${MAX_OBJECT:-4MiB}"
require_positive_int OBJECT_MIB "$OBJECT_MIB"
[[ "$RATE" == "0" || "$RATE" =~ ^[1-9][0-9]*(B|KiB|MiB|GiB)/s$ ]] || die "RATE must be like 256MiB/s or 0, got \"$RATE\""
[[ "$MEMORY_SIZE" =~ ^[1-9][0-9]*(KiB|MiB|GiB)$ ]] || die "MEMORY_SIZE must be like 64MiB, got \"$MEMORY_SIZE\""
[[ "$MAX_OBJECT" =~ ^[1-9][0-9]*(KiB|MiB|GiB)$ ]] || die "MAX_OBJECT must be like 4MiB, got \"$MAX_OBJECT\""
command -v curl >/dev/null 2>&1 || die "curl not found"
command -v sha256sum >/dev/null 2>&1 || die "sha256sum not found"

OBJECT_BYTES=$(( OBJECT_MIB << 20 ))
HALF_BYTES=$(( OBJECT_BYTES / 2 ))
# The disk tier holds the object with room to spare (its metadata, and eviction never in the way).
DISK_SIZE="$(( OBJECT_MIB * 2 + 256 ))MiB"
OBJECT_PATH=/large/object.bin

# Ports, all on 127.0.0.1, clear of bench/run.sh (1808x) and bench/tiers/run.sh (1818x).
ORIGIN_PORT=18280
EDGE_PORT=18281
SHIELD_PORT=18282

WORK_PARENT="${TMPDIR:-/var/tmp}"
WORK_DIR="$(mktemp -d "$WORK_PARENT/edge-large-bench.XXXXXX")"
mkdir -p "$WORK_DIR/logs" "$WORK_DIR/site/large" "$WORK_DIR/cache"
if [[ "$(stat -f -c %T "$WORK_DIR")" == "tmpfs" ]]; then
    log "warning: $WORK_DIR is on a tmpfs: spilled and stored bytes live in memory there (set TMPDIR to a disk)"
fi
# The origin's file, the leader's copy, and at each tier the spill file plus its copy in the disk tier (both
# exist until the fill's end): about 6 x the object at the peak.
needed_kib=$(( (OBJECT_BYTES >> 10) * 6 ))
free_kib="$(df -Pk "$WORK_DIR" | awk 'NR == 2 { print $4 }')"
(( free_kib > needed_kib )) || die "$WORK_DIR has $(( free_kib >> 10 )) MiB free; the run needs about $(( needed_kib >> 10 )) MiB"

SAMPLER_PID=""
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [[ -n "$SAMPLER_PID" ]]; then
        kill "$SAMPLER_PID" 2>/dev/null || true
        wait "$SAMPLER_PID" 2>/dev/null || true
    fi
    stop_processes
    if [[ "${KEEP_TMP:-0}" == "1" ]]; then
        log "kept $WORK_DIR"
    else
        rm -rf "$WORK_DIR"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the object, configs, binaries, servers -------------------------------------------------------------------

ensure_edge_bin
require_free_ports "$ORIGIN_PORT" "$EDGE_PORT" "$SHIELD_PORT"

OBJECT_FILE="$WORK_DIR/site$OBJECT_PATH"
log "writing a $OBJECT_MIB MiB object of random bytes (random, so a misplaced piece cannot hash the same)"
head -c "$OBJECT_BYTES" /dev/urandom >"$OBJECT_FILE"
EXPECTED_SHA="$(sha256sum "$OBJECT_FILE" | cut -d' ' -f1)"

{
    printf '# bench/large/run.sh: the object is fresh for an hour, sent at RATE (%s)\n' "$RATE"
    printf 'match /large/*\n  cache-control "public, max-age=3600"\n'
    [[ "$RATE" == "0" ]] || printf '  rate %s\n' "$RATE"
} >"$WORK_DIR/origin-large.rules"
CONF="$WORK_DIR/edge-large.conf"
render_template "$LARGE_DIR/edge-large.conf.in" "$CONF" "$WORK_DIR" "" "EDGE_PORT=$EDGE_PORT" \
    "SHIELD_PORT=$SHIELD_PORT" "MEMORY_SIZE=$MEMORY_SIZE" "MAX_OBJECT=$MAX_OBJECT" "DISK_SIZE=$DISK_SIZE"

RESULTS_DIR="${RESULTS_DIR:-$BENCH_DIR/results/large-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$RESULTS_DIR"

log "starting the origin on 127.0.0.1:$ORIGIN_PORT"
start_process origin "$EDGE_BIN" origin --root "$WORK_DIR/site" --rules "$WORK_DIR/origin-large.rules" \
    --host 127.0.0.1 --port "$ORIGIN_PORT"
await_server origin "$ORIGIN_PORT"
log "starting edge 127.0.0.1:$EDGE_PORT -> shield 127.0.0.1:$SHIELD_PORT -> origin"
start_edge_node shield "$CONF" large-shield "$SHIELD_PORT"
start_edge_node edge "$CONF" large-edge "$EDGE_PORT"

# --- memory -------------------------------------------------------------------------------------------------

PROCESSES=(origin shield edge)

# Field $2 (VmRSS, VmHWM) of /proc/<pid of label $1>/status in KiB; empty when the process is gone.
status_kib() {
    awk -v field="$2:" '$1 == field { print $2 }' "/proc/$(process_pid "$1")/status" 2>/dev/null || true
}

# Every 50 ms until killed: "seconds label rss_kib" for each process, to $1.
sample_rss() {
    local started name
    started="$(date +%s.%N)"
    while true; do
        for name in "${PROCESSES[@]}"; do
            printf '%s %s %s\n' "$(awk -v a="$(date +%s.%N)" -v b="$started" 'BEGIN { printf "%.2f", a - b }')" \
                "$name" "$(status_kib "$name" VmRSS)"
        done >>"$1"
        sleep 0.05
    done
}

# The largest sample of label $1 in $2 (KiB).
peak_kib() {
    awk -v name="$1" '$2 == name && $3 > peak { peak = $3 } END { print peak + 0 }' "$2"
}

# --- the run ------------------------------------------------------------------------------------------------

URL="http://127.0.0.1:$EDGE_PORT$OBJECT_PATH"
# What curl reports for each client: status, bytes, time to first byte and total time (s), Cache-Status.
CURL_REPORT='%{http_code} %{size_download} %{time_starttransfer} %{time_total} %header{cache-status}\n'

# A request for a path that does not exist warms each node's connections without caching anything.
curl -s -o /dev/null "http://127.0.0.1:$EDGE_PORT/large/absent" || true
sleep 1
declare -A BASELINE_KIB
for name in "${PROCESSES[@]}"; do
    BASELINE_KIB[$name]="$(status_kib "$name" VmRSS)"
done
ORIGIN_BEFORE="$(origin_total)"

SAMPLES="$RESULTS_DIR/samples.tsv"
: >"$SAMPLES"
sample_rss "$SAMPLES" &
SAMPLER_PID=$!

log "leader: GET $OBJECT_PATH ($OBJECT_MIB MiB, origin rate $RATE)"
started="$(date +%s.%N)"
LEADER_FILE="$WORK_DIR/leader.bin"
curl -s -o "$LEADER_FILE" -w "$CURL_REPORT" "$URL" >"$RESULTS_DIR/leader.txt" &
leader_pid=$!

# The late joiner starts once the leader has half the object (the edge's fill is then at least at 50 %).
while kill -0 "$leader_pid" 2>/dev/null \
    && (( $(stat -c %s "$LEADER_FILE" 2>/dev/null || echo 0) < HALF_BYTES )); do
    sleep 0.01
done
joined_bytes="$(stat -c %s "$LEADER_FILE" 2>/dev/null || echo 0)"
joined_at="$(awk -v a="$(date +%s.%N)" -v b="$started" 'BEGIN { printf "%.3f", a - b }')"
log "late joiner: GET $OBJECT_PATH at ${joined_at} s, leader at $(( joined_bytes * 100 / OBJECT_BYTES )) %"
# Its body is hashed as it arrives rather than written to disk; curl's report goes to stderr (%{stderr}).
# A failed transfer shows in the checks below (status, size, hash), so it does not stop the script here.
{ curl -s -o - -w "%{stderr}$CURL_REPORT" "$URL" 2>"$RESULTS_DIR/late.txt" || true; } | sha256sum | cut -d' ' -f1 \
    >"$RESULTS_DIR/late.sha256"

wait "$leader_pid" || die "the leader's curl failed: $(cat "$RESULTS_DIR/leader.txt")"
finished_at="$(awk -v a="$(date +%s.%N)" -v b="$started" 'BEGIN { printf "%.3f", a - b }')"
kill "$SAMPLER_PID" 2>/dev/null || true
wait "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=""
declare -A HWM_KIB
for name in "${PROCESSES[@]}"; do
    HWM_KIB[$name]="$(status_kib "$name" VmHWM)"
done
LEADER_SHA="$(sha256sum "$LEADER_FILE" | cut -d' ' -f1)"
rm -f "$LEADER_FILE"

# After the fill: a hit at the edge, from its disk tier. The spill file is copied into the disk tier after the
# last byte is sent (seconds for 1 GiB; requests meanwhile follow the finished fill), so wait for a HEAD to say
# hit (up to 60 s) before the GET that is measured and hashed.
for _ in $(seq 1 300); do
    [[ "$(curl -s -o /dev/null -I -w '%header{cache-status}' "$URL")" =~ large.edge\;\ hit ]] && break
    sleep 0.2
done
{ curl -s -o - -w "%{stderr}$CURL_REPORT" "$URL" 2>"$RESULTS_DIR/hit.txt" || true; } | sha256sum | cut -d' ' -f1 \
    >"$RESULTS_DIR/hit.sha256"
ORIGIN_AFTER="$(origin_total)"

# --- checks and report --------------------------------------------------------------------------------------

problems=()
read -r leader_status leader_bytes leader_ttfb leader_total leader_cache <"$RESULTS_DIR/leader.txt"
read -r late_status late_bytes late_ttfb late_total late_cache <"$RESULTS_DIR/late.txt"
read -r hit_status hit_bytes _ hit_total hit_cache <"$RESULTS_DIR/hit.txt"
[[ "$leader_status $leader_bytes" == "200 $OBJECT_BYTES" ]] || problems+=("leader: $leader_status, $leader_bytes bytes")
[[ "$LEADER_SHA" == "$EXPECTED_SHA" ]] || problems+=("leader: body differs from the origin's file")
[[ "$late_status $late_bytes" == "200 $OBJECT_BYTES" ]] || problems+=("late joiner: $late_status, $late_bytes bytes")
[[ "$(cat "$RESULTS_DIR/late.sha256")" == "$EXPECTED_SHA" ]] || problems+=("late joiner: body differs from the origin's file")
[[ "$hit_status $hit_bytes" == "200 $OBJECT_BYTES" ]] || problems+=("after the fill: $hit_status, $hit_bytes bytes")
[[ "$hit_cache" =~ large.edge\;\ hit ]] || problems+=("after the fill: not an edge hit ($hit_cache)")
[[ "$(cat "$RESULTS_DIR/hit.sha256")" == "$EXPECTED_SHA" ]] || problems+=("after the fill: body differs from the origin's file")
(( ORIGIN_AFTER - ORIGIN_BEFORE == 1 )) || problems+=("the origin answered $(( ORIGIN_AFTER - ORIGIN_BEFORE )) requests, not 1")
late_first_byte_at="$(awk -v a="$joined_at" -v b="$late_ttfb" 'BEGIN { printf "%.3f", a + b }')"
awk -v a="$late_first_byte_at" -v b="$leader_total" 'BEGIN { exit !(a < b) }' \
    || problems+=("the late joiner's first byte (${late_first_byte_at} s) came after the fill ended (${leader_total} s)")

{
    printf 'edge %s, %s CPUs, load %s, work dir on %s\n' "$EDGE_BIN" "$(nproc)" "$(load_1m)" "$(stat -f -c %T "$WORK_DIR")"
    printf 'object %s MiB, origin rate %s, memory_size %s, memory_max_object_size %s, disk_size %s\n\n' \
        "$OBJECT_MIB" "$RATE" "$MEMORY_SIZE" "$MAX_OBJECT" "$DISK_SIZE"
    printf '%-8s %14s %14s %14s %14s\n' process "RSS before MiB" "peak RSS MiB" "growth MiB" "VmHWM MiB"
    for name in "${PROCESSES[@]}"; do
        peak="$(peak_kib "$name" "$SAMPLES")"
        printf '%-8s %14d %14d %14d %14d\n' "$name" "$(( BASELINE_KIB[$name] >> 10 ))" "$(( peak >> 10 ))" \
            "$(( (peak - BASELINE_KIB[$name]) >> 10 ))" "$(( HWM_KIB[$name] >> 10 ))"
    done
    printf '\nleader       first byte %s s, total %s s (%s MiB/s); cache-status: %s\n' "$leader_ttfb" "$leader_total" \
        "$(awk -v b="$OBJECT_BYTES" -v t="$leader_total" 'BEGIN { printf "%.0f", b / 1048576 / t }')" "$leader_cache"
    printf 'late joiner  joined at %s s (leader at %s %%), first byte %s s after joining, total %s s; cache-status: %s\n' \
        "$joined_at" "$(( joined_bytes * 100 / OBJECT_BYTES ))" "$late_ttfb" "$late_total" "$late_cache"
    printf 'both done    %s s after the leader started (the late joiner ends with the fill, or after it)\n' "$finished_at"
    printf 'disk hit     total %s s; cache-status: %s\n' "$hit_total" "$hit_cache"
    if (( ${#problems[@]} == 0 )); then
        printf '\nchecks: all bodies match the origin file, one origin request, an edge hit afterwards: ok\n'
    else
        printf '\nPROBLEMS:\n'
        printf '  %s\n' "${problems[@]}"
    fi
} | tee "$RESULTS_DIR/summary.txt"
printf '\nRaw results: %s\n' "$RESULTS_DIR"
(( ${#problems[@]} == 0 )) || exit 1
