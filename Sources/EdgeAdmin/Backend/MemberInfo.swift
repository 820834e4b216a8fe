/// One cluster member as the node knows it.
public struct MemberInfo: Codable, Sendable, Equatable {
    /// Gossip states, plus `unknown` for a node in edge.conf that gossip has not reported.
    public enum State: String, Codable, Sendable, Equatable {
        case alive, suspect, dead, left, unknown

        /// Worth a network call: a suspect node often still answers.
        /// Worth a delivery attempt: alive or suspect, or unknown (no membership to ask; a failure queues it).
        public var isReachable: Bool { self == .alive || self == .suspect || self == .unknown }
    }

    public struct Location: Codable, Sendable, Equatable {
        public var latitude: Double
        public var longitude: Double
        public var region: String

        public init(latitude: Double, longitude: Double, region: String) {
            self.latitude = latitude
            self.longitude = longitude
            self.region = region
        }
    }

    public var name: String
    /// `edge` or `shield`: purges reach shields before edges.
    public var role: String
    public var state: State
    public var location: Location?
    /// The load the member last published (0...1 or requests in flight, as gossip carries it).
    public var load: Double?
    /// Base URL of the member's admin listener, e.g. `http://127.0.0.1:9181`; `nil` when it has none.
    public var adminURL: String?
    /// The member's public listener, `host:port`.
    public var httpAddress: String?

    public init(name: String, role: String, state: State, location: Location? = nil, load: Double? = nil,
                adminURL: String? = nil, httpAddress: String? = nil) {
        self.name = name
        self.role = role
        self.state = state
        self.location = location
        self.load = load
        self.adminURL = adminURL
        self.httpAddress = httpAddress
    }

    public var isShield: Bool { role == "shield" }

    enum CodingKeys: String, CodingKey {
        case name, role, state, location, load
        case adminURL = "admin_url"
        case httpAddress = "http_address"
    }
}
