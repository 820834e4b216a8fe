#!/usr/bin/env bash
# Runs the 1,000-node SWIM simulation (Tests/EdgeClusterTests/Simulation/SWIMBenchmark.swift) in release mode.
# Usage: bench/swim/run.sh [nodes] [simulated-seconds]      (defaults: 1000 120)
# Prints one `swim-sim ...` line per scenario; JSON lines go to bench/swim/results.jsonl.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="bench/swim/results.jsonl"
rm -f "$out"
SWIM_BENCH=1 SWIM_BENCH_NODES="${1:-1000}" SWIM_BENCH_SECONDS="${2:-120}" SWIM_BENCH_OUT="$PWD/$out" \
  swift test -c release --filter SWIMBenchmark 2>&1 | grep -E '^swim-sim|Test run|error'
