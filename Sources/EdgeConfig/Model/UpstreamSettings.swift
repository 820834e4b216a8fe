/// How a node reaches the next tier: which upstreams, how long to wait, and when to stop trying a failing one.
public struct UpstreamSettings: Sendable, Equatable {
    /// In order of preference: names of `[[origins]]` entries, or direct URLs such as `http://127.0.0.1:8080`.
    /// Use `EdgeConfiguration.upstreamEndpoints(for:)` for the resolved endpoints.
    public var origins: [String] = []
    /// Time allowed to establish a TCP connection.
    public var connectTimeout: Duration = .seconds(2)
    /// Time from sending the request to the response head.
    public var firstByteTimeout: Duration = .seconds(10)
    /// Longest silence between two body chunks before the fetch is abandoned.
    public var idleTimeout: Duration = .seconds(30)
    public var maxConnectionsPerHost: Int = 64
    /// Consecutive failures after which an upstream is considered down (passive health).
    public var failureThreshold: Int = 3
    /// How long a down upstream is skipped before it is tried again.
    public var failureBackoff: Duration = .seconds(10)
    /// Host header sent upstream; `nil` forwards the client's Host.
    public var hostHeader: String?
    /// Override request headers (`X-Forwarded-Host`, `X-Original-URL`, …) forwarded upstream instead of
    /// removed, lower-case. Each one kept becomes part of the cache key (the stored response varies on it).
    public var forwardHeaders: [String] = []
    /// Names of shield nodes an edge fetches through, before the origins. `nil` (the default) means every node
    /// with role "shield" for an edge and none for a shield; `[]` makes an edge fetch from the origins directly.
    /// Use `EdgeConfiguration.shields(for:)` for the resolved nodes.
    public var shields: [String]?
    /// What an edge does when a key's home shield fails.
    public var failover: ShieldFailover = .nextShield
    /// Path an origin server is probed at (e.g. "/healthz"); `nil` probes no origin. Shields are always
    /// probed at the node health endpoint while `healthCheckInterval` is above zero.
    public var healthCheckPath: String?
    /// How often upstreams are probed; zero turns active health checks off.
    public var healthCheckInterval: Duration = .seconds(2)
    /// How long one probe may take.
    public var healthCheckTimeout: Duration = .seconds(1)
    /// The total time one client request may spend on upstream attempts, failovers included.
    public var requestBudget: Duration = .seconds(20)
    /// An edge reaches its shields on their `https_listen` over TLS (verified) instead of their plain `listen`.
    public var shieldTLS = false
    /// PEM CA bundle shields' certificates are verified against (absolute); `nil`: the system trust store.
    public var shieldCA: String?
    /// Where `shield_ca` was written, for problems found in the file.
    public var shieldCALocation: TLSSettings.Location?

    public init() {}
}

/// What an edge does when a key's home shield fails (refused, timeout, 5xx).
public enum ShieldFailover: String, Sendable, Equatable, CaseIterable {
    /// The other shields in the key's rendezvous order, then the origins.
    case nextShield = "next-shield"
    /// Straight to the origins.
    case origin
    /// No further attempt: stale if cached, else 502/504.
    case error
}
