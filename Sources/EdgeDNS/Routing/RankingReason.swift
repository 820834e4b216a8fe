/// Why a candidate sits where it does in a decision. Kept as data and rendered only when someone reads it, so
/// the DNS hot path builds no strings.
public enum RankingReason: Hashable, Sendable, CustomStringConvertible {
    case nearest
    /// Nearest of the usable ones; something nearer is overloaded, draining, dead or has no address.
    case nearestHealthy
    /// Won a near-tie with a nearer candidate by having the lower load.
    case nearestByLoad(tieDistanceKm: Double)
    case nextNearest
    case nextNearestByLoad(tieDistanceKm: Double)
    /// Healthy but beyond the answers per query.
    case farther
    case overloadedSpilled(load: Double, threshold: Double)
    /// Overloaded, yet chosen because nothing healthy was left.
    case overloadedNoBetterCandidate(load: Double, threshold: Double)
    case draining
    case dead
    case noAddress

    public var description: String {
        switch self {
        case .nearest: "nearest"
        case .nearestHealthy: "nearest healthy"
        case .nearestByLoad(let km): "nearest within \(Self.km(km)), lower load"
        case .nextNearest: "next nearest"
        case .nextNearestByLoad(let km): "next nearest within \(Self.km(km)), lower load"
        case .farther: "farther"
        case .overloadedSpilled(let load, let threshold):
            "overloaded: spilled (load \(Self.fraction(load)) >= \(Self.fraction(threshold)))"
        case .overloadedNoBetterCandidate(let load, let threshold):
            "overloaded (load \(Self.fraction(load)) >= \(Self.fraction(threshold))), no better candidate"
        case .draining: "draining"
        case .dead: "dead"
        case .noAddress: "no address"
        }
    }

    private static func km(_ value: Double) -> String {
        "\(Int(value.rounded())) km"
    }

    static func fraction(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let tail = hundredths % 100
        return "\(hundredths / 100).\(tail < 10 ? "0" : "")\(tail)"
    }
}
