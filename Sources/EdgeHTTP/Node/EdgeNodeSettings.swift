import EdgeCache
import EdgeCore
import EdgeUpstream

/// Everything needed to run one node, as plain values: the executable fills it from `edge.conf`, tests fill it
/// directly.
public struct EdgeNodeSettings: Sendable {
    public var name: String
    public var server: ServerSettings
    public var proxy: ProxySettings
    public var memoryCapacityBytes: Int
    public var memoryMaxObjectBytes: Int
    /// `nil` runs without a disk tier.
    public var diskPath: String?
    public var diskCapacityBytes: Int
    /// Most objects on disk; `nil` for `DiskTier.defaultMaxObjects(capacityBytes:)`.
    public var diskMaxObjects: Int?
    public var origins: [Upstream]
    /// Shield nodes this node fetches through before the origin (empty for shields and single-tier edges).
    public var shields: [Upstream] = []
    /// What to try when a key's home shield fails.
    public var failoverPolicy: FailoverPolicy = .nextShield
    /// Active health checks of shields (always, at the node health endpoint) and of origins (at
    /// `originHealthPath`, when set); `nil` turns probing off.
    public var healthChecks: ActiveHealthChecker.Settings? = ActiveHealthChecker.Settings()
    public var originHealthPath: String?
    /// How long purges are remembered and how many rules at most (see `PurgeLedger`).
    public var purgeLimits = PurgeLedger.Limits()
    public var upstreamTimeouts: UpstreamTimeouts
    public var maxConnectionsPerHost: Int
    public var failureThreshold: Int
    public var failureBackoffSeconds: Double
    /// "stdout", "-", a file path, or `nil` for no access log.
    public var accessLog: String?
    /// Where `/metrics` is served; `nil` for nowhere.
    public var metricsHost: String?
    public var metricsPort: Int?
    /// How access log lines look (`logging.access_format`).
    public var accessLogFormat: AccessLogFormat = .combined
    /// What `edge_build_info` reports.
    public var buildVersion = "dev"
    public var buildCommit = "unknown"
    /// The HTTPS listener (TLS with SNI, h2 or HTTP/1.1 by ALPN); `nil` serves plain HTTP only. Its host and
    /// port; every other limit is `server`'s.
    public var https: HTTPSListener?

    public init(name: String, server: ServerSettings, proxy: ProxySettings, memoryCapacityBytes: Int = 256 << 20,
                memoryMaxObjectBytes: Int = 16 << 20, diskPath: String? = nil, diskCapacityBytes: Int = 1 << 30,
                origins: [Upstream], upstreamTimeouts: UpstreamTimeouts = UpstreamTimeouts(),
                maxConnectionsPerHost: Int = 64, failureThreshold: Int = 3, failureBackoffSeconds: Double = 10,
                accessLog: String? = nil, metricsHost: String? = nil, metricsPort: Int? = nil) {
        self.name = name
        self.server = server
        self.proxy = proxy
        self.memoryCapacityBytes = memoryCapacityBytes
        self.memoryMaxObjectBytes = memoryMaxObjectBytes
        self.diskPath = diskPath
        self.diskCapacityBytes = diskCapacityBytes
        self.origins = origins
        self.upstreamTimeouts = upstreamTimeouts
        self.maxConnectionsPerHost = maxConnectionsPerHost
        self.failureThreshold = failureThreshold
        self.failureBackoffSeconds = failureBackoffSeconds
        self.accessLog = accessLog
        self.metricsHost = metricsHost
        self.metricsPort = metricsPort
    }
}

/// Where a node terminates TLS and with what.
public struct HTTPSListener: Sendable {
    public var host: String
    /// 0 picks an ephemeral port (tests).
    public var port: Int
    public var tls: TLSTermination
    /// Per-name HTTP→HTTPS redirects (on the plain listener) and HSTS (on this one).
    public var hosts: HTTPSHostPolicy
    /// The port clients reach this listener on behind a port mapping, for redirects; nil: the bound port.
    public var publicPort: Int?

    public init(host: String, port: Int, tls: TLSTermination, hosts: HTTPSHostPolicy = HTTPSHostPolicy(),
                publicPort: Int? = nil) {
        self.host = host
        self.port = port
        self.tls = tls
        self.hosts = hosts
        self.publicPort = publicPort
    }
}
