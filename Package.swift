// swift-tools-version:6.0
import PackageDescription

/// One module per concern; imports point one way:
///   EdgeCore ← EdgeCache, EdgeConfig, EdgeUpstream, EdgeOrigin, EdgeCompression ← EdgeHTTP ← edge
///   EdgeCore ← EdgeConnection ← EdgeHTTP, EdgeAdmin (the connection guard and limiter both listeners share)
///   EdgeCluster, EdgeDNS, EdgeAdmin (beside EdgeHTTP, never importing it) ← EdgeRuntime ← edge
///   EdgeHTTP ← EdgeRuntime (one node assembled from its configuration) ← edge (commands only)
/// Pure cores (EdgeCore, EdgeCache/Policy, EdgeCache/Eviction) never import NIOPosix.
let package = Package(
    name: "edge",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "edge", targets: ["edge"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-structured-headers.git", from: "1.7.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
    ],
    targets: [
        // HTTP semantics shared by every tier: dates, validators, ranges, conditionals. Pure.
        .target(name: "EdgeCore"),

        // What every HTTP/1.1 listener puts in front of its codec: the NIO shell of EdgeCore's ConnectionGuard
        // (header, body and idle timeouts, head size), the connection limiter and the open-file limit.
        .target(name: "EdgeConnection", dependencies: [
            "EdgeCore",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),

        // Cache policy (RFC 9111), eviction structures, memory and disk tiers, coalescing. Structured fields
        // (RFC 8941: CDN-Cache-Control as a Dictionary) are parsed with swift-http-structured-headers.
        .target(name: "EdgeCache", dependencies: [
            "EdgeCore",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Collections", package: "swift-collections"),
            .product(name: "RawStructuredFieldValues", package: "swift-http-structured-headers"),
        ]),

        // Brotli from the system library (libbrotli-dev); the module map links encoder, decoder and common.
        .systemLibrary(name: "CBrotli", pkgConfig: "libbrotlienc", providers: [.apt(["libbrotli-dev"])]),
        // zlib from the system library (zlib1g-dev), for gzip.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // Content codings: Accept-Encoding negotiation and the compression policy (pure), streaming brotli and
        // gzip coders over the C libraries.
        .target(name: "EdgeCompression", dependencies: [
            "EdgeCore", "CBrotli", "CZlib",
            .product(name: "NIOCore", package: "swift-nio"),
        ]),

        // edge.conf: the TOML model of a cluster, with errors naming file, line and key.
        .target(name: "EdgeConfig", dependencies: [
            "EdgeCore",
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),

        // Talking to the next tier: upstream choice, health view, its own HTTP/1.1 client pooled per event loop,
        // over TLS (nio-ssl's client handler) for https upstreams.
        .target(name: "EdgeUpstream", dependencies: [
            "EdgeCore",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOTLS", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // The dev origin: static files under a root, validators and Cache-Control from a rules file.
        .target(name: "EdgeOrigin", dependencies: [
            "EdgeCore",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),

        // Gossip health: SWIM membership core (pure), wire codec, health view, UDP shell.
        .target(name: "EdgeCluster", dependencies: [
            "EdgeCore",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Certificates for HTTPS termination: PEM chain and key per service name, SNI choice with a default,
        // validation for check-config, reload behind an atomic reference, and the local demo CA. BoringSSL (through
        // swift-nio-ssl) only: never system OpenSSL in this target.
        .target(name: "EdgeTLS", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),

        // The public HTTP/1.1 server and the proxy phases that drive the cache and upstream.
        .target(name: "EdgeHTTP", dependencies: [
            "EdgeCore",
            "EdgeConnection",
            "EdgeCache",
            "EdgeUpstream",
            "EdgeCompression",
            "EdgeTLS",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOHTTP2", package: "swift-nio-http2"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOTLS", package: "swift-nio"),
            .product(name: "NIOExtras", package: "swift-nio-extras"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),

        // DNS-style routing: message codec, zone responder and nearest-healthy-edge choice (pure), UDP/TCP server.
        .target(name: "EdgeDNS", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // The admin listener: token auth, purge API and its cluster fan-out, status, metrics, dashboard.
        .target(name: "EdgeAdmin", dependencies: [
            "EdgeCore",
            "EdgeConnection",
            "EdgeCache",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),

        // One running node assembled from its configuration: the HTTP node, gossip, routing (route endpoint and
        // DNS), the admin listener, reload and log-reopen signals. The executable only parses commands.
        .target(name: "EdgeRuntime", dependencies: [
            "EdgeCore",
            "EdgeTLS",
            "EdgeConnection",
            "EdgeCluster",
            "EdgeCache",
            "EdgeConfig",
            "EdgeUpstream",
            "EdgeHTTP",
            "EdgeAdmin",
            "EdgeDNS",
            "EdgeCompression",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),

        // The `edge` command: argument parsing, the commands and the `edge up` supervisor.
        .executableTarget(name: "edge", dependencies: [
            "EdgeRuntime",
            "EdgeCore",
            "EdgeConnection",
            "EdgeCluster",
            "EdgeCache",
            "EdgeConfig",
            "EdgeUpstream",
            "EdgeOrigin",
            "EdgeHTTP",
            "EdgeAdmin",
            "EdgeDNS",
            "EdgeCompression",
            "EdgeTLS",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),

        .testTarget(name: "EdgeCoreTests", dependencies: ["EdgeCore"]),
        .testTarget(name: "EdgeCacheTests", dependencies: [
            "EdgeCache", "EdgeCore",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "RawStructuredFieldValues", package: "swift-http-structured-headers"),
        ]),
        .testTarget(name: "EdgeConfigTests", dependencies: ["EdgeConfig"]),
        .testTarget(name: "EdgeOriginTests", dependencies: [
            "EdgeOrigin", "EdgeCore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "EdgeUpstreamTests", dependencies: [
            "EdgeUpstream",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "EdgeClusterTests", dependencies: ["EdgeCluster"]),
        .testTarget(name: "EdgeAdminTests", dependencies: [
            "EdgeAdmin", "EdgeCache", "EdgeCore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "EdgeDNSTests", dependencies: [
            "EdgeDNS",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "EdgeCompressionTests", dependencies: [
            "EdgeCompression", "EdgeCore",
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .testTarget(name: "EdgeRuntimeTests", dependencies: [
            "EdgeRuntime", "EdgeConfig", "EdgeDNS", "EdgeHTTP", "EdgeTLS", "EdgeUpstream",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .testTarget(name: "EdgeTLSTests", dependencies: [
            "EdgeTLS",
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "X509", package: "swift-certificates"),
        ]),
        .testTarget(name: "EdgeHTTPTests", dependencies: [
            "EdgeHTTP", "EdgeOrigin", "EdgeCache", "EdgeCompression", "EdgeConfig", "EdgeUpstream", "EdgeCluster",
            "EdgeRuntime", "EdgeTLS", "edge",
            .product(name: "NIOHTTP2", package: "swift-nio-http2"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOTLS", package: "swift-nio"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "NIOHPACK", package: "swift-nio-http2"),
        ]),
    ]
)
