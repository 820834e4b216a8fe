import EdgeCache
import EdgeCompression

/// What the proxy phases need to know about this node, built from `edge.conf` by the executable.
public struct ProxySettings: Sendable {
    /// The name this cache uses in Cache-Status and Via (`edge-1`).
    public var cacheName: String {
        didSet { cacheStatusName = CacheStatusName(cacheName) }
    }
    /// `cacheName` serialized for Cache-Status, once per settings rather than once per response.
    private(set) var cacheStatusName: CacheStatusName
    /// RFC 9111 storage and serving rules.
    public var policy: StoragePolicy
    /// A Host header to send upstream instead of the client's (for origins that expect their own name).
    public var upstreamHostOverride: String?
    /// The host used for the cache key of HTTP/1.0 requests that carry no Host field.
    public var defaultHost: String
    /// This CDN's name in `CDN-Loop` (RFC 8586): the cluster name from `edge.conf`.
    public var cdnID: String
    /// This node's tier, for loop detection: requests never travel from a tier back to the same or a lower one.
    public var tier: CDNLoop.Tier
    /// Seconds one client request may spend on upstream attempts in total, across failovers.
    public var requestBudget: Double
    /// What is compressed at delivery (brotli/gzip variants stored beside the object) and how hard.
    public var compression: CompressionSettings
    /// Which hosts this node serves; requests for others get 421 (see `RequestAdmission`).
    public var hosts: HostPolicy
    /// Override headers (`X-Forwarded-Host`, `X-Original-URL`, …) forwarded upstream instead of removed,
    /// lower-case; each becomes part of the cache key (see `ForwardingHeaders`).
    public var keptOverrideHeaders: [String] {
        didSet { keptOverrideHeaders = keptOverrideHeaders.map { $0.lowercased() } }
    }
    /// Whether responses leave this node without the headers meant only for the CDN's own tiers
    /// (`edge-origin-fetched-at`, `Surrogate-Key`, `Cache-Tag`): true at the outermost tier, where clients are.
    public var stripsInternalHeaders: Bool

    public init(cacheName: String, policy: StoragePolicy, upstreamHostOverride: String? = nil,
                defaultHost: String = "localhost", cdnID: String = "edge", tier: CDNLoop.Tier = .edge,
                requestBudget: Double = 20, compression: CompressionSettings = CompressionSettings(),
                hosts: HostPolicy = HostPolicy(), keptOverrideHeaders: [String] = [],
                stripsInternalHeaders: Bool? = nil) {
        self.hosts = hosts
        self.keptOverrideHeaders = keptOverrideHeaders.map { $0.lowercased() }
        self.stripsInternalHeaders = stripsInternalHeaders ?? (tier == .edge)
        self.defaultHost = defaultHost
        self.cacheName = cacheName
        self.cacheStatusName = CacheStatusName(cacheName)
        self.policy = policy
        self.upstreamHostOverride = upstreamHostOverride
        self.cdnID = cdnID
        self.tier = tier
        self.requestBudget = requestBudget
        self.compression = compression
    }

    /// The `CDN-Loop` entry this node appends to the requests it forwards.
    var cdnLoopEntry: String { CDNLoop.entry(cdnID: cdnID, node: cacheName, tier: tier) }
}
