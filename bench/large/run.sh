#!/usr/bin/env bash
# One very large object through edge -> shield -> origin: the memory each process needs, and how soon a client
# that joins halfway through the fill gets its first byte.
#
# The origin serves one SIZE_MIB object at RATE (the dev origin's `rate` rule, so the fill takes a few seconds);
# a first client starts the fill through the edge tier, a second joins when half of it has arrived at the first.
# Prints each process's peak resident set (VmHWM: the processes are started fresh for the run), the first
# client's total time, the joiner's time to first byte, and whether the object is then a disk hit at the edge.
# See bench/README.md.
#
# Settings (environment):
#   SIZE_MIB=1024 RATE=256MiB/s      the object and the origin's pace
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

SIZE_MIB="${SIZE_MIB:-1024}"
RATE="${RATE:-256MiB/s}"
require_positive_int SIZE_MIB "$SIZE_MIB"

ORIGIN_PORT=18680
EDGE_PORT=18681
SHIELD_PORT=18682

WORK_DIR="$(mktemp -d /tmp/edge-bench-large.XXXXXX)"
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

unset 'BENCH_PACKAGE_FOR[varnishd]' 'BENCH_PACKAGE_FOR[nginx]' 'BENCH_PACKAGE_FOR[wrk]'
ensure_tools
ensure_edge_bin
require_free_ports "$ORIGIN_PORT" "$EDGE_PORT" "$SHIELD_PORT"
RESULTS_DIR="${RESULTS_DIR:-$BENCH_DIR/results/large-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$RESULTS_DIR"
BYTES=$(( SIZE_MIB << 20 ))

SITE_ROOT="$WORK_DIR/site"
mkdir -p "$SITE_ROOT"
head -c "$BYTES" /dev/urandom >"$SITE_ROOT/large.bin"
RULES="$WORK_DIR/origin.rules"
printf 'match /large.bin\n  cache-control "public, max-age=3600"\n  rate %s\n' "$RATE" >"$RULES"
log "starting the origin on 127.0.0.1:$ORIGIN_PORT ($SIZE_MIB MiB at $RATE)"
start_process origin "$EDGE_BIN" origin --root "$SITE_ROOT" --rules "$RULES" --host 127.0.0.1 --port "$ORIGIN_PORT"
await_server origin "$ORIGIN_PORT"
ORIGIN_PID="${BENCH_PIDS[-1]}"

CONF="$WORK_DIR/edge-large.conf"
cat >"$CONF" <<CONF
[cluster]
name = "edge-bench-large"

[defaults.cache]
memory_size = "256MiB"
memory_max_object_size = "16MiB"
disk_size = "$(( SIZE_MIB * 2 + 256 ))MiB"

[defaults.upstream]
origins = ["http://127.0.0.1:$ORIGIN_PORT"]
first_byte_timeout = "30s"
request_budget = "600s"

[defaults.limits]
drain_timeout = "1s"

[defaults.logging]
level = "warning"
access_log = false

[[nodes]]
name = "shield-1"
role = "shield"
listen = "127.0.0.1:$SHIELD_PORT"
location = { latitude = 52.37, longitude = 4.90, region = "bench" }

[[nodes]]
name = "edge-1"
role = "edge"
listen = "127.0.0.1:$EDGE_PORT"
location = { latitude = 50.11, longitude = 8.68, region = "bench" }
CONF
log "starting the shield on 127.0.0.1:$SHIELD_PORT and the edge on 127.0.0.1:$EDGE_PORT"
start_edge_node shield "$CONF" shield-1 "$SHIELD_PORT"
SHIELD_PID="${BENCH_PIDS[-1]}"
start_edge_node edge "$CONF" edge-1 "$EDGE_PORT"
EDGE_PID="${BENCH_PIDS[-1]}"

URL="http://127.0.0.1:$EDGE_PORT/large.bin"
log "first client: GET $URL"
curl -s -o "$WORK_DIR/first.body" -w '%{http_code} %{size_download} %{time_total}\n' "$URL" >"$WORK_DIR/first.txt" &
FIRST=$!
# Join when the first client has half of the object.
until [[ -f "$WORK_DIR/first.body" ]] && (( $(stat -c %s "$WORK_DIR/first.body") >= BYTES / 2 )); do
    kill -0 "$FIRST" 2>/dev/null || break
    sleep 0.05
done
JOINED_AT_BYTES="$(stat -c %s "$WORK_DIR/first.body" 2>/dev/null || echo 0)"
log "second client joins with the first at $(( JOINED_AT_BYTES >> 20 )) MiB"
curl -s -o /dev/null -w '%{http_code} %{size_download} %{time_starttransfer} %{time_total}\n' "$URL" >"$WORK_DIR/second.txt"
wait "$FIRST"
read -r first_code first_bytes first_total <"$WORK_DIR/first.txt"
read -r second_code second_bytes second_ttfb second_total <"$WORK_DIR/second.txt"
[[ "$first_code" == 200 && "$first_bytes" == "$BYTES" ]] || die "first client got $first_code, $first_bytes bytes"
[[ "$second_code" == 200 && "$second_bytes" == "$BYTES" ]] || die "second client got $second_code, $second_bytes bytes"
cmp -s "$WORK_DIR/first.body" "$SITE_ROOT/large.bin" || die "the first client's body differs from the origin's file"
rm -f "$WORK_DIR/first.body"

# Then the edge serves it from its disk tier.
sleep 2
hit="no"
for _ in $(seq 1 50); do
    if curl -s -o /dev/null -D - "$URL" | tr -d '\r' | grep -qi '^cache-status:.*edge-1; hit'; then hit="yes"; break; fi
    sleep 0.5
done
peak() { awk '/^VmHWM:/ { printf "%d", $2 / 1024 }' "/proc/$1/status"; }
{
    printf '\n%s MiB through edge -> shield -> origin (origin at %s)\n\n' "$SIZE_MIB" "$RATE"
    printf 'peak resident set: edge %s MiB, shield %s MiB, origin %s MiB\n' "$(peak "$EDGE_PID")" "$(peak "$SHIELD_PID")" \
        "$(peak "$ORIGIN_PID")"
    printf 'first client: %s s for the whole object\n' "$first_total"
    printf 'client joining at %s MiB: first byte after %s s, whole object after %s s\n' "$(( JOINED_AT_BYTES >> 20 ))" \
        "$second_ttfb" "$second_total"
    printf 'afterwards a disk hit at the edge: %s\n' "$hit"
} | tee "$RESULTS_DIR/summary.txt"
printf '\nRaw results: %s\n' "$RESULTS_DIR"
