import EdgeCache

/// What the proxy phases need to know about this node, built from `edge.conf` by the executable.
public struct ProxySettings: Sendable {
    /// The name this cache uses in Cache-Status and Via (`edge-1`).
    public var cacheName: String
    /// RFC 9111 storage and serving rules.
    public var policy: StoragePolicy
    /// A Host header to send upstream instead of the client's (for origins that expect their own name).
    public var upstreamHostOverride: String?
    /// The host used for the cache key of HTTP/1.0 requests that carry no Host field.
    public var defaultHost: String

    public init(cacheName: String, policy: StoragePolicy, upstreamHostOverride: String? = nil,
                defaultHost: String = "localhost") {
        self.defaultHost = defaultHost
        self.cacheName = cacheName
        self.policy = policy
        self.upstreamHostOverride = upstreamHostOverride
    }
}
