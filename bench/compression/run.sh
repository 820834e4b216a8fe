#!/usr/bin/env bash
# Compression throughput (MB/s) and ratio on the demo site's text files at brotli 5 / 11 and gzip 6 / 9, in
# release mode (Tests/EdgeCompressionTests/Benchmark/CompressionBenchmarkTests.swift). Prints a Markdown table.
#
# Usage: bench/compression/run.sh [extra files...]
#   Extra files (real-world HTML/JS/CSS) are measured after the site's own files.
#   SCRATCH_PATH=.build-bench  use another build folder (default: SwiftPM's .build)
#   EDGE_BENCH_SITE=dir        measure another folder instead of origin/site
set -euo pipefail
cd "$(dirname "$0")/../.."

extra=""
for file in "$@"; do
    [ -f "$file" ] || { echo "no such file: $file" >&2; exit 2; }
    extra="${extra:+$extra:}$(cd "$(dirname "$file")" && pwd)/$(basename "$file")"
done

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
EDGE_BENCH=1 EDGE_BENCH_EXTRA="$extra" \
    swift test -c release ${SCRATCH_PATH:+--scratch-path "$SCRATCH_PATH"} --filter CompressionBenchmarkTests \
    >"$log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
    tail -40 "$log" >&2
    exit "$status"
fi
grep -E '^(\||Compression benchmark)' "$log"
