#!/usr/bin/env bash
# Tag purge throughput on a store of 100,000 tagged objects, and the purge ledger's cost per verdict.
#
# Builds bench/purge/store-bench (release) in a throwaway package that links this checkout's EdgeCore and
# EdgeCache, so nothing else of the project is compiled. Settings (environment): OBJECTS (100000), TAGS (1000),
# PURGES (50), RULES (10000), VERDICTS (1000000). The build directory is kept in .build-bench/purge-store
# so a second run is incremental.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
package="$repo/.build-bench/purge-store"
mkdir -p "$package/Sources/PurgeStoreBench"
ln -sfn "$repo/Sources/EdgeCore" "$package/Sources/EdgeCore"
ln -sfn "$repo/Sources/EdgeCache" "$package/Sources/EdgeCache"
ln -sfn "$here/store-bench/main.swift" "$package/Sources/PurgeStoreBench/main.swift"
[[ -f "$repo/Package.resolved" && ! -f "$package/Package.resolved" ]] && cp "$repo/Package.resolved" "$package/"
cat >"$package/Package.swift" <<'SWIFT'
// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "purge-store-bench",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
    ],
    targets: [
        .target(name: "EdgeCore"),
        .target(name: "EdgeCache", dependencies: [
            "EdgeCore",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Collections", package: "swift-collections"),
        ]),
        .executableTarget(name: "PurgeStoreBench", dependencies: [
            "EdgeCache",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
    ]
)
SWIFT
echo "[bench] building the purge store benchmark (release) in $package" >&2
(cd "$package" && swift build -c release --product PurgeStoreBench) >"$package/build.log" 2>&1 \
    || { tail -n 30 "$package/build.log" >&2; echo "[bench] error: build failed" >&2; exit 1; }
"$(cd "$package" && swift build -c release --show-bin-path)/PurgeStoreBench"
