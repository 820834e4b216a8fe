#!/usr/bin/env bash
# Builds edge (release) and runs the local cluster described in edge.conf on loopback: the dev origin and the
# nodes. Ctrl-C stops everything. Installs the system packages it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-system-deps.sh
swift build -c release --product edge
exec .build/release/edge up --config edge.conf "$@"
