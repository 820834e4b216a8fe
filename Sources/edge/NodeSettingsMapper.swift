import EdgeCache
import EdgeCompression
import EdgeConfig
import EdgeHTTP
import EdgeUpstream

/// Turns a node's entry in `edge.conf` into the plain settings the runtime modules take, so no module below
/// the executable depends on the configuration format.
enum NodeSettingsMapper {
    struct MappingError: Error, CustomStringConvertible {
        var description: String
    }

    static func settings(for node: NodeConfiguration, in configuration: EdgeConfiguration) throws
        -> EdgeNodeSettings
    {
        let origins = configuration.upstreamEndpoints(for: node).enumerated().map { index, endpoint in
            let name = node.upstream.origins.indices.contains(index) ? node.upstream.origins[index] : endpoint.description
            return Upstream(name: name, scheme: endpoint.scheme.rawValue, host: endpoint.host, port: endpoint.port)
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
        let server = ServerSettings(
            host: node.listen.host, port: node.listen.port, maxHeaderBytes: limits.maxHeaderBytes,
            maxHeaderCount: limits.maxHeaderCount, maxRequestLineBytes: limits.maxRequestLineBytes,
            maxRequestBodyBytes: limits.maxRequestBodyBytes, headerTimeout: limits.headerTimeout.seconds,
            idleTimeout: limits.idleTimeout.seconds, drainTimeout: limits.drainTimeout.seconds)
        let proxy = ProxySettings(
            cacheName: cache.cacheName.isEmpty ? node.name : cache.cacheName, policy: policy,
            upstreamHostOverride: node.upstream.hostHeader,
            defaultHost: "\(node.listen.host):\(node.listen.port)",
            cdnID: configuration.cluster.name, tier: node.role == .shield ? .shield : .edge,
            requestBudget: node.upstream.requestBudget.seconds,
            compression: try CompressionSettings(node.compression, node: node.name))
        let shields = configuration.shields(for: node).map { shield in
            Upstream(name: shield.name, host: reachableHost(shield.listen.host), port: shield.listen.port,
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
        settings.diskMaxObjects = cache.diskMaxObjects
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

    /// A wildcard listen address is reached through loopback from the same machine; every other address as
    /// written.
    static func reachableHost(_ host: String) -> String {
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
