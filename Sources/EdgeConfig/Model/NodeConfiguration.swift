/// One node of the cluster, with every inherited default already applied.
public struct NodeConfiguration: Sendable, Equatable {
    public enum Role: String, Sendable, Equatable, CaseIterable {
        /// Serves clients directly.
        case edge
        /// A mid-tier cache that edges fetch through, shielding the origin from repeated misses.
        case shield
    }

    /// Where the node is, for steering clients to the nearest healthy node.
    public struct Location: Sendable, Equatable {
        public var latitude: Double
        public var longitude: Double
        /// A free-form region label such as `eu-central`.
        public var region: String

        public init(latitude: Double, longitude: Double, region: String) {
            self.latitude = latitude
            self.longitude = longitude
            self.region = region
        }
    }

    public var name: String
    public var role: Role

    /// The address DNS answers name this node by: `public_address`, else a non-wildcard listen host.
    public var answerAddress: String? {
        if let publicAddress { return publicAddress }
        switch listen.host {
        case "0.0.0.0", "::", "[::]": return nil
        case "localhost": return "127.0.0.1"
        default: return listen.host
        }
    }
    public var listen: SocketAddressSpec
    /// Where `GET /metrics` (Prometheus text) is served, apart from public traffic; `nil` serves no metrics.
    public var metricsListen: SocketAddressSpec?
    /// Where this node terminates TLS (HTTP/2 and HTTP/1.1 by ALPN) with the `[tls]` certificates; `nil`: no HTTPS.
    public var httpsListen: SocketAddressSpec?
    /// The port clients reach the HTTPS listener on, when a port mapping puts it elsewhere than `https_listen`'s
    /// (public 443 to a listener on 8443): what HTTP→HTTPS redirects name. `nil`: the listener's own port.
    public var httpsPublicPort: Int?
    /// The UDP address this node gossips on; `nil` keeps the node out of the gossip membership.
    public var gossipListen: SocketAddressSpec?
    /// Where this node answers DNS for the `[dns]` zone (UDP and TCP on the same port); `nil` runs no responder.
    public var dnsListen: SocketAddressSpec?
    /// The address clients reach this node at, as DNS answers carry it; `nil` uses the listen host (unless it
    /// is a wildcard). Use `answerAddress` for the resolved value.
    public var publicAddress: String?
    /// Where the admin API (status, purge, dashboard) listens, apart from public traffic; `nil` serves none, and
    /// then purges cannot reach this node.
    public var adminListen: SocketAddressSpec?
    /// SWIM timings.
    public var gossip = GossipSettings()
    public var location: Location
    public var cache: CacheSettings
    public var upstream: UpstreamSettings
    public var limits: ServerLimits
    public var logging: LoggingSettings
    /// Brotli/gzip variants made at delivery and hot recompression.
    public var compression = CompressionConfig()

    public init(name: String, role: Role = .edge, listen: SocketAddressSpec, location: Location,
                cache: CacheSettings = CacheSettings(), upstream: UpstreamSettings = UpstreamSettings(),
                limits: ServerLimits = ServerLimits(), logging: LoggingSettings = LoggingSettings()) {
        self.name = name
        self.role = role
        self.listen = listen
        self.location = location
        self.cache = cache
        self.upstream = upstream
        self.limits = limits
        self.logging = logging
    }
}

/// Settings written once under `[defaults]` that every `[[nodes]]` entry inherits key by key.
public struct NodeDefaults: Sendable, Equatable {
    public var cache = CacheSettings()
    public var upstream = UpstreamSettings()
    public var limits = ServerLimits()
    public var logging = LoggingSettings()
    public var gossip = GossipSettings()
    public var compression = CompressionConfig()

    public init() {}
}
