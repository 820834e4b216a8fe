/// One edge the router may send clients to, as plain values: the executable builds these from the gossip view
/// (this module does not import the cluster or the config).
public struct RouteCandidate: Hashable, Sendable {
    public var name: String
    /// The addresses put in A and AAAA answers. A candidate with neither is never chosen.
    public var ipv4: IPv4Address?
    public var ipv6: IPv6Address?
    public var location: GeoLocation
    /// Gossip says the node is alive (not suspect, not dead).
    public var isAlive: Bool
    /// The node is shutting down gracefully and takes no new clients.
    public var isDraining: Bool
    /// How busy the node is, 0 (idle) … 1 (at capacity); see `loadScore(...)` for the suggested formula.
    /// At or above the router's overload threshold the node is passed over while a non-overloaded one is left.
    public var loadScore: Double

    public init(name: String, ipv4: IPv4Address? = nil, ipv6: IPv6Address? = nil, location: GeoLocation,
                isAlive: Bool = true, isDraining: Bool = false, loadScore: Double = 0) {
        self.name = name
        self.ipv4 = ipv4
        self.ipv6 = ipv6
        self.location = location
        self.isAlive = isAlive
        self.isDraining = isDraining
        self.loadScore = loadScore.isFinite ? min(max(loadScore, 0), 1) : 1
    }

    /// Convenience for the executable: latitude, longitude and region as separate values, addresses as text
    /// (a bare address or "host:port"; unparsable text gives no address, so check config earlier).
    public init(name: String, ipv4 ipv4Text: String?, ipv6 ipv6Text: String?, latitude: Double, longitude: Double,
                region: String, isAlive: Bool, isDraining: Bool, loadScore: Double) {
        var v4: IPv4Address?
        var v6: IPv6Address?
        for text in [ipv4Text, ipv6Text].compactMap({ $0 }) {
            switch IPAddress(hostPort: text)?.unmapped {
            case .v4(let address): v4 = v4 ?? address
            case .v6(let address): v6 = v6 ?? address
            case nil: break
            }
        }
        self.init(name: name, ipv4: v4, ipv6: v6,
                  location: GeoLocation(latitude: latitude, longitude: longitude, region: region),
                  isAlive: isAlive, isDraining: isDraining, loadScore: loadScore)
    }

    /// The suggested load score from what gossip carries: the busier of connections and request rate, each
    /// relative to the node's configured capacity, clamped to 0…1. A capacity of 0 ignores that measure.
    public static func loadScore(activeConnections: Int, connectionCapacity: Int, requestsPerSecond: Double,
                                 requestCapacity: Double) -> Double {
        var score = 0.0
        if connectionCapacity > 0 { score = max(score, Double(activeConnections) / Double(connectionCapacity)) }
        if requestCapacity > 0, requestsPerSecond.isFinite { score = max(score, requestsPerSecond / requestCapacity) }
        return min(max(score, 0), 1)
    }

    var hasAddress: Bool { ipv4 != nil || ipv6 != nil }
}
