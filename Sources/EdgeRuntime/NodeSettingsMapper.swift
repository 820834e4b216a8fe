import EdgeCache
import EdgeCompression
import EdgeConfig
import EdgeHTTP
import EdgeTLS
import EdgeUpstream
import Foundation

/// Turns a node's entry in `edge.conf` into the plain settings the runtime modules take, so no module below
/// the executable depends on the configuration format.
public enum NodeSettingsMapper {
    struct MappingError: Error, CustomStringConvertible {
        var description: String
    }

    static func settings(for node: NodeConfiguration, in configuration: EdgeConfiguration) throws
        -> EdgeNodeSettings
    {
        // Each entry is an [[origins]] name or a URL; https ones get their TLS context here, once.
        let origins = try node.upstream.origins.compactMap { entry throws -> Upstream? in
            let origin = configuration.origin(named: entry)
            guard let endpoint = origin?.endpoint ?? OriginEndpoint.parse(entry) else { return nil }
            return Upstream(name: entry, scheme: endpoint.scheme.rawValue, host: endpoint.host, port: endpoint.port,
                            tls: try UpstreamTLSSetup.tls(for: endpoint, origin: origin,
                                                          configFile: configuration.sourcePath))
        }
        guard !origins.isEmpty else {
            throw MappingError(description: "\(configuration.sourcePath): node \(node.name) has no upstream origins")
        }
        let cache = node.cache
        let policy = StoragePolicy(
            shareSetCookie: cache.shareSetCookie,
            honourCDNCacheControl: cache.honourCDNCacheControl,
            heuristic: HeuristicPolicy(fraction: cache.heuristicFraction, maxSeconds: cache.heuristicMax.seconds),
            defaultStaleIfError: cache.staleIfError.seconds,
            defaultStaleWhileRevalidate: cache.staleWhileRevalidate.seconds)
        let limits = node.limits
        var server = ServerSettings(
            host: node.listen.host, port: node.listen.port, maxHeaderBytes: limits.maxHeaderBytes,
            maxHeaderCount: limits.maxHeaderCount, maxRequestLineBytes: limits.maxRequestLineBytes,
            maxRequestBodyBytes: limits.maxRequestBodyBytes, headerTimeout: limits.headerTimeout.seconds,
            idleTimeout: limits.idleTimeout.seconds, bodyTimeout: limits.bodyTimeout.seconds,
            bodyBufferBytes: limits.bodyBufferSize, bodyTempDirectory: bodyTempDirectory(for: node),
            maxConnections: limits.maxConnections, drainTimeout: limits.drainTimeout.seconds)
        server.h2c = configuration.tls.http2.h2c ? configuration.tls.http2Limits : nil
        let proxy = ProxySettings(
            cacheName: cache.cacheName.isEmpty ? node.name : cache.cacheName, policy: policy,
            upstreamHostOverride: node.upstream.hostHeader,
            // An HTTP/1.0 request without Host is for the cluster's first site (or, with none, this listener).
            defaultHost: configuration.cluster.serviceNames.first ?? "\(node.listen.host):\(node.listen.port)",
            cdnID: configuration.cluster.name, tier: node.role == .shield ? .shield : .edge,
            requestBudget: node.upstream.requestBudget.seconds,
            compression: try CompressionSettings(node.compression, node: node.name),
            hosts: HostPolicy(serviceNames: Set(configuration.cluster.serviceNames),
                              unknownHosts: configuration.cluster.unknownHosts == .reject ? .reject : .pass),
            keptOverrideHeaders: node.upstream.forwardHeaders,
            stripsInternalHeaders: node.role == .edge && configuration.cluster.stripInternalHeaders)
        let shieldTLS = try UpstreamTLSSetup.shieldTLS(for: node, configFile: configuration.sourcePath)
        let shields = configuration.shields(for: node).map { shield in
            // With shield_tls the validator made sure every shield has an https_listen.
            if let shieldTLS, let https = shield.httpsListen {
                return Upstream(name: shield.name, scheme: "https", host: reachableHost(https.host), port: https.port,
                                tier: .shield, tls: shieldTLS)
            }
            return Upstream(name: shield.name, host: reachableHost(shield.listen.host), port: shield.listen.port,
                            tier: .shield)
        }
        let upstream = node.upstream
        let failover: FailoverPolicy
        switch upstream.failover {
        case .nextShield: failover = .nextShield
        case .origin: failover = .origin
        case .error: failover = .error
        }
        let accessLog: String?
        switch node.logging.accessLog {
        case .off: accessLog = nil
        case .stdout: accessLog = "stdout"
        case .stderr: accessLog = "/dev/stderr"
        case .file(let path): accessLog = path
        }
        var settings = EdgeNodeSettings(
            name: node.name, server: server, proxy: proxy,
            memoryCapacityBytes: cache.memorySize, memoryMaxObjectBytes: cache.memoryMaxObjectSize,
            diskPath: cache.diskSize > 0 ? cache.diskPath : nil, diskCapacityBytes: cache.diskSize,
            origins: origins,
            upstreamTimeouts: UpstreamTimeouts(connect: node.upstream.connectTimeout.seconds,
                                               firstByte: node.upstream.firstByteTimeout.seconds,
                                               idle: node.upstream.idleTimeout.seconds),
            maxConnectionsPerHost: node.upstream.maxConnectionsPerHost,
            failureThreshold: node.upstream.failureThreshold,
            failureBackoffSeconds: node.upstream.failureBackoff.seconds,
            accessLog: accessLog,
            metricsHost: node.metricsListen?.host, metricsPort: node.metricsListen?.port)
        settings.shields = shields
        if let https = node.httpsListen {
            let store: CertificateStore
            do {
                store = try CertificateStore(sources: configuration.tls.certificateSources)
            } catch {
                throw MappingError(description: error.description)
            }
            settings.https = HTTPSListener(host: https.host, port: https.port,
                                           tls: TLSTermination(store: store, http2: configuration.tls.http2Limits,
                                                               handshakeTimeout: limits.headerTimeout.seconds),
                                           hosts: configuration.tls.httpsHostPolicy, publicPort: node.httpsPublicPort)
        }
        settings.diskMaxObjects = cache.diskMaxObjects
        settings.accessLogFormat = node.logging.accessFormat
        settings.failoverPolicy = failover
        settings.originHealthPath = upstream.healthCheckPath
        settings.purgeLimits = PurgeLedger.Limits(horizon: configuration.admin.purgeHorizon.seconds,
                                                  maxRules: configuration.admin.purgeLedgerSize)
        settings.healthChecks = upstream.healthCheckInterval.seconds > 0
            ? ActiveHealthChecker.Settings(interval: upstream.healthCheckInterval.seconds,
                                           timeout: upstream.healthCheckTimeout.seconds)
            : nil
        return settings
    }

    /// Where a node spools large request bodies: beside its disk tier (same disk, not memory-backed /tmp), or
    /// a directory of its own under the temporary directory when it has no disk tier.
    static func bodyTempDirectory(for node: NodeConfiguration) -> String {
        var diskPath = node.cache.diskPath
        while diskPath.count > 1 && diskPath.hasSuffix("/") { diskPath.removeLast() }
        if node.cache.diskSize > 0 && !diskPath.isEmpty { return diskPath + ".body-temp" }
        return FileManager.default.temporaryDirectory.appendingPathComponent("edge-body-temp")
            .appendingPathComponent(node.name).path
    }

    /// A wildcard listen address is reached through loopback from the same machine; every other address as
    /// written.
    public static func reachableHost(_ host: String) -> String {
        switch host {
        case "0.0.0.0": return "127.0.0.1"
        case "::", "[::]": return "::1"
        default: return host
        }
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
