import EdgeCore

/// The body of `GET /stats/samples`: one node's recent seconds, its view of member and upstream health, its top
/// URLs and its recent purges. Every list is bounded (see `NodeStatsRecorder`), so the response is too.
public struct NodeStatsDocument: Codable, Sendable, Equatable {
    public struct MemberState: Codable, Sendable, Equatable {
        public var name: String
        public var state: String

        public init(name: String, state: String) {
            self.name = name
            self.state = state
        }
    }

    public struct UpstreamState: Codable, Sendable, Equatable {
        public var name: String
        public var available: Bool
        public var consecutiveFailures: Int
        /// Other sources than passive health that report it down (`probe`, `gossip`).
        public var downBy: [String]

        public init(name: String, available: Bool, consecutiveFailures: Int = 0, downBy: [String] = []) {
            self.name = name
            self.available = available
            self.consecutiveFailures = consecutiveFailures
            self.downBy = downBy
        }

        enum CodingKeys: String, CodingKey {
            case name, available, consecutiveFailures = "consecutive_failures", downBy = "down_by"
        }
    }

    public var node: String
    /// Unix time of the document, in seconds.
    public var time: Int
    /// Oldest first; only those newer than the request's `since`.
    public var samples: [TrafficSample]
    public var healthChanges: [HealthChange]
    public var members: [MemberState]
    public var upstreams: [UpstreamState]
    public var topURLs: [HeavyHitters.Entry]
    public var topMisses: [HeavyHitters.Entry]
    /// Purges this node coordinated, newest first.
    public var purges: [PurgeReport]

    public init(node: String, time: Int, samples: [TrafficSample] = [], healthChanges: [HealthChange] = [],
                members: [MemberState] = [], upstreams: [UpstreamState] = [], topURLs: [HeavyHitters.Entry] = [],
                topMisses: [HeavyHitters.Entry] = [], purges: [PurgeReport] = []) {
        self.node = node
        self.time = time
        self.samples = samples
        self.healthChanges = healthChanges
        self.members = members
        self.upstreams = upstreams
        self.topURLs = topURLs
        self.topMisses = topMisses
        self.purges = purges
    }

    enum CodingKeys: String, CodingKey {
        case node, time, samples, healthChanges = "health_changes", members, upstreams, topURLs = "top_urls",
             topMisses = "top_misses", purges
    }
}

/// The body of `GET /stats/cluster`: every member's `/stats/samples`, gathered in parallel by the node asked,
/// plus the cluster's merged top URLs and misses.
public struct ClusterStatsDocument: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var name: String
        public var role: String
        /// The member's state as the asking node sees it.
        public var state: String
        public var stats: NodeStatsDocument?
        public var error: String?

        public init(name: String, role: String, state: String, stats: NodeStatsDocument?, error: String? = nil) {
            self.name = name
            self.role = role
            self.state = state
            self.stats = stats
            self.error = error
        }
    }

    public var node: String
    public var nodes: [Entry]
    public var topURLs: [HeavyHitters.Entry]
    public var topMisses: [HeavyHitters.Entry]

    public init(node: String, nodes: [Entry]) {
        self.node = node
        self.nodes = nodes
        let answered = nodes.compactMap(\.stats)
        topURLs = HeavyHitters.merged(answered.map { HeavyHitters(entries: $0.topURLs) }).top(20)
        topMisses = HeavyHitters.merged(answered.map { HeavyHitters(entries: $0.topMisses) }).top(20)
    }

    enum CodingKeys: String, CodingKey {
        case node, nodes, topURLs = "top_urls", topMisses = "top_misses"
    }
}
