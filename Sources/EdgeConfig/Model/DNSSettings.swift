/// `[dns]`: the zone the cluster's DNS responders are authoritative for, and how they choose edges.
///
/// Any node with a `dns_listen` address runs a responder; they all answer from this one description and
/// from their own gossip view, so any of them can be listed as a name server.
public struct DNSSettings: Sendable, Equatable {
    /// One name server of the zone, with the address its glue record carries.
    public struct NameServer: Sendable, Equatable {
        public var name: String
        public var address: String

        public init(name: String, address: String) {
            self.name = name
            self.address = address
        }
    }

    /// Clients from `cidr` are treated as being at `location`.
    public struct GeoEntry: Sendable, Equatable {
        public var cidr: String
        public var location: NodeConfiguration.Location

        public init(cidr: String, location: NodeConfiguration.Location) {
            self.cidr = cidr
            self.location = location
        }
    }

    /// The apex, e.g. `cdn.test`; every `[cluster] service_names` entry must be inside it.
    public var zone: String?
    /// TTL of routed A/AAAA answers: short, so a dead or draining edge drops out of resolvers quickly.
    public var ttl: Duration = .seconds(30)
    /// Negative-caching TTL (the SOA minimum) and TTL of the SOA and NS records.
    public var negativeTTL: Duration = .seconds(60)
    public var recordTTL: Duration = .seconds(3600)
    /// Addresses per answer: the nearest edge, or the nearest two (a resolver can fail over to the second).
    public var answers: Int = 1
    /// Edges whose distances differ by less than this count as equally near; load breaks the tie.
    public var tieDistanceKm: Double = 100
    /// An edge is overloaded (and passed over for the next nearest) at this many active connections...
    public var overloadConnections: Int = 10_000
    /// ...or this many requests per second, as its gossip says.
    public var overloadRequestsPerSecond: Double = 50_000
    /// The SOA's responsible mailbox as a DNS name (`hostmaster.cdn.test`); defaults to `hostmaster.<zone>`.
    public var hostmaster: String?
    public var nameServers: [NameServer] = []
    /// Where clients with an address outside every `geo` entry are assumed to be.
    public var defaultLocation = NodeConfiguration.Location(latitude: 50.11, longitude: 8.68, region: "default")
    public var geo: [GeoEntry] = []

    public init() {}
}
