/// The router's choice for one client, with every candidate's standing so `edge route` can explain it.
public struct RouteDecision: Hashable, Sendable {
    public var client: GeoLocation
    /// Every candidate: the chosen ones first in answer order, then the rest best-first.
    public var ranked: [RankedCandidate]
    /// When nothing could be chosen: the last set that was, which the answer uses instead. Empty otherwise.
    public var remembered: [RouteCandidate]

    public init(client: GeoLocation, ranked: [RankedCandidate], remembered: [RouteCandidate] = []) {
        self.client = client
        self.ranked = ranked
        self.remembered = remembered
    }

    public var chosen: [RankedCandidate] { ranked.filter(\.isChosen) }

    /// The answer comes from memory because no candidate was usable.
    public var fromLastKnown: Bool { !remembered.isEmpty }

    /// The candidates whose addresses go in the answer, in order.
    public var answerCandidates: [RouteCandidate] {
        fromLastKnown ? remembered : chosen.map(\.candidate)
    }

    /// The DNS-facing answer: IPv4 and IPv6 addresses of the same chosen edges (an edge without IPv6 simply
    /// adds nothing to AAAA, rather than AAAA naming a farther edge). Edges sharing an address (several nodes
    /// behind one, or a single-host test cluster) give one record: an RRset never repeats a record (RFC 2181 §5).
    public func answer(scopePrefixLength: Int) -> RouteAnswer {
        let candidates = answerCandidates
        return RouteAnswer(ipv4: Self.unique(candidates.compactMap(\.ipv4)),
                           ipv6: Self.unique(candidates.compactMap(\.ipv6)),
                           scopePrefixLength: scopePrefixLength, fromLastKnown: fromLastKnown)
    }

    private static func unique<T: Hashable>(_ items: [T]) -> [T] {
        var seen = Set<T>()
        return items.filter { seen.insert($0).inserted }
    }
}

/// One candidate's standing in a decision.
public struct RankedCandidate: Hashable, Sendable {
    public var candidate: RouteCandidate
    public var distanceKm: Double
    public var state: CandidateState
    public var isChosen: Bool
    public var rankingReason: RankingReason

    public init(candidate: RouteCandidate, distanceKm: Double, state: CandidateState, isChosen: Bool,
                rankingReason: RankingReason) {
        self.candidate = candidate
        self.distanceKm = distanceKm
        self.state = state
        self.isChosen = isChosen
        self.rankingReason = rankingReason
    }

    /// Short human text: "nearest", "next nearest", "farther", "overloaded: spilled (...)", "draining", "dead"...
    public var reason: String { rankingReason.description }
}

/// Whether a candidate can take new clients, in order of preference.
public enum CandidateState: String, Hashable, Sendable, CaseIterable, Comparable {
    case healthy
    /// Alive, but load at or above the threshold: used only when no healthy candidate is left.
    case overloaded
    case draining
    case dead
    /// Neither an IPv4 nor an IPv6 address to answer with.
    case noAddress = "no-address"

    public var isUsable: Bool { self == .healthy || self == .overloaded }

    private var order: Int {
        switch self {
        case .healthy: 0
        case .overloaded: 1
        case .draining: 2
        case .dead: 3
        case .noAddress: 4
        }
    }

    public static func < (lhs: CandidateState, rhs: CandidateState) -> Bool { lhs.order < rhs.order }
}
