#!/usr/bin/env bash
# Hot recompression in a running edge: what replacing a brotli variant made at the first-compression level by
# one made at the maximum quality saves, and what it costs.
#
# Serves the given files (default: the demo site's text files) from a dev origin through one edge node with
# recompress_hits = 2, asks for each with Accept-Encoding: br until the node has recompressed it, and reads
# the sizes from the responses and the CPU time from the node's "hot object recompressed" log line.
#
#   bench/compression/recompress.sh                               # origin/site text files
#   bench/compression/recompress.sh path/to/app.js big.html       # any files (served as /files/<name>)
#
# Settings: EDGE_BIN (else a release build into .build-bench), LEVEL=5 (first compression), TARGET=11,
# KEEP_TMP=1. Ports on 127.0.0.1: origin 18480, edge 18481.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
# shellcheck source=../lib/common.sh
source "$BENCH_DIR/lib/common.sh"
# shellcheck source=../lib/servers.sh
source "$BENCH_DIR/lib/servers.sh"

LEVEL="${LEVEL:-5}"
TARGET="${TARGET:-11}"
ORIGIN_PORT=18480
EDGE_PORT=18481
command -v curl >/dev/null || die "curl is needed"

WORK_DIR="$(mktemp -d /tmp/edge-recompress.XXXXXX)"
mkdir -p "$WORK_DIR/logs" "$WORK_DIR/site/files"
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

require_free_ports "$ORIGIN_PORT" "$EDGE_PORT"
ensure_edge_bin

PATHS=()
if (( $# == 0 )); then
    cp -R "$REPO_DIR/origin/site/." "$WORK_DIR/site/"
    while IFS= read -r file; do
        PATHS+=("/${file#"$WORK_DIR/site/"}")
    done < <(find "$WORK_DIR/site" -type f \( -name '*.html' -o -name '*.css' -o -name '*.js' -o -name '*.json' \
        -o -name '*.svg' -o -name '*.txt' \) -size +255c | sort)
else
    for file in "$@"; do
        [[ -f "$file" ]] || die "no such file: $file"
        cp "$file" "$WORK_DIR/site/files/"
        PATHS+=("/files/$(basename "$file")")
    done
fi
printf 'default\n  cache-control "public, max-age=3600"\n' >"$WORK_DIR/rules.conf"

CONF="$WORK_DIR/edge.conf"
cat >"$CONF" <<EOF
[cluster]
name = "edge-recompress-bench"

[defaults.cache]
memory_size = "512MiB"
memory_max_object_size = "64MiB"
disk_size = "0"

[defaults.upstream]
origins = ["bench-origin"]

[defaults.limits]
drain_timeout = "1s"

[defaults.logging]
level = "info"
access_log = false

[defaults.compression]
brotli_level = $LEVEL
recompress_hits = 2
recompress_level = $TARGET

[[origins]]
name = "bench-origin"
url = "http://127.0.0.1:$ORIGIN_PORT"

[[nodes]]
name = "edge-bench"
listen = "127.0.0.1:$EDGE_PORT"
location = { latitude = 50.11, longitude = 8.68, region = "bench" }
EOF

start_process origin "$EDGE_BIN" origin --root "$WORK_DIR/site" --rules "$WORK_DIR/rules.conf" \
    --host 127.0.0.1 --port "$ORIGIN_PORT"
await_server origin "$ORIGIN_PORT"
start_edge_node edge "$CONF" edge-bench "$EDGE_PORT"

# Prints "CONTENT-LENGTH CACHE-STATUS-HIT" of a br request for $1.
br_length() {
    curl -s -m 30 -o /dev/null -D - -H 'Accept-Encoding: br' "http://127.0.0.1:$EDGE_PORT$1" | tr -d '\r' | awk '
        tolower($1) == "content-length:" { length_ = $2 }
        tolower($1) == "content-encoding:" { coding = $2 }
        END { print (coding == "br" ? length_ : "none") }'
}

printf '| file | bytes | br %s | br %s | saved | recompression CPU ms |\n|---|---:|---:|---:|---:|---:|\n' "$LEVEL" "$TARGET"
for path in "${PATHS[@]}"; do
    identity="$(curl -s -m 30 -o /dev/null -w '%{size_download}' "http://127.0.0.1:$EDGE_PORT$path")"
    first="none"
    # The miss streams br and stores it; wait until the stored variant answers (it has a Content-Length).
    for _ in $(seq 1 100); do
        first="$(br_length "$path")"
        [[ "$first" =~ ^[0-9]+$ ]] && break
        sleep 0.05
    done
    [[ "$first" =~ ^[0-9]+$ ]] || { printf '| %s | %s | (not compressed) | | | |\n' "$path" "$identity"; continue; }
    # Hits until the recompression is logged (it runs on a background queue).
    line=""
    for _ in $(seq 1 600); do
        br_length "$path" >/dev/null
        line="$(grep -F "hot object recompressed" "$WORK_DIR/logs/edge.log" | grep -F "$path" | tail -n 1 || true)"
        [[ -n "$line" ]] && break
        sleep 0.1
    done
    [[ -n "$line" ]] || { printf '| %s | %s | %s | (not recompressed) | | |\n' "$path" "$identity" "$first"; continue; }
    after="$(br_length "$path")"
    cpu="$(sed -n 's/.*cpu_ms=\([0-9]*\).*/\1/p' <<<"$line")"
    saved="$(awk -v a="$first" -v b="$after" 'BEGIN { printf "%.1f %%", (a - b) * 100 / a }')"
    printf '| %s | %s | %s | %s | %s | %s |\n' "$path" "$identity" "$first" "$after" "$saved" "${cpu:-?}"
done
