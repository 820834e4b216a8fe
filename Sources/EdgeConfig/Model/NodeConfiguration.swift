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
    public var listen: SocketAddressSpec
    /// Where `GET /metrics` (Prometheus text) is served, apart from public traffic; `nil` serves no metrics.
    public var metricsListen: SocketAddressSpec?
    /// The UDP address this node gossips on; `nil` keeps the node out of the gossip membership.
    public var gossipListen: SocketAddressSpec?
    /// SWIM timings.
    public var gossip = GossipSettings()
    public var location: Location
    public var cache: CacheSettings
    public var upstream: UpstreamSettings
    public var limits: ServerLimits
    public var logging: LoggingSettings

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

    public init() {}
}
