#!/usr/bin/env bash
# Builds edge in release mode and installs the binary as PREFIX/bin/edge (default PREFIX: /usr/local).
#   scripts/install.sh [--prefix DIR]
# `edge --version` of the installed binary names the commit it was built from: the commit is written into
# Sources/edge/BuildInfo.swift for this build only (SwiftPM has no build-time variables) and the file is
# restored afterwards, so the work tree stays as it was.
set -euo pipefail
cd "$(dirname "$0")/.."

prefix=/usr/local
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix="${2:?--prefix needs a directory}"; shift 2 ;;
        --prefix=*) prefix="${1#--prefix=}"; shift ;;
        -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

info=Sources/edge/BuildInfo.swift
commit=$(git describe --always --dirty 2>/dev/null || echo unknown)
saved=$(mktemp)
cp "$info" "$saved"
trap 'cp "$saved" "$info"; rm -f "$saved"' EXIT
sed -i "s/static let commit = \"unknown\"/static let commit = \"$commit\"/" "$info"

swift build -c release --product edge
install -d "$prefix/bin"
install -m 0755 .build/release/edge "$prefix/bin/edge"
echo "installed $prefix/bin/edge: $("$prefix/bin/edge" --version)"
