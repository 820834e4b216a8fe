/// What one attempt to use an upstream taught us about its health.
public enum UpstreamOutcome: Sendable, Equatable {
    /// A response arrived that says the server works (any status below 500).
    case success
    /// Connection refused or reset, a malformed response, or a 5xx: `failure_threshold` in a row open the
    /// circuit.
    case failure
    /// A connect or first-byte timeout: opens the circuit at once, since every request to a hung server costs
    /// the whole timeout.
    case timeout
}

/// The shared view of which upstreams are usable.
///
/// Passive signals (this node's own requests), active probes and cluster gossip all feed it, so selection
/// code never needs to know where a verdict came from.
public protocol UpstreamHealthView: Sendable {
    /// Whether the upstream could be used now; does not take a half-open probe slot.
    func isAvailable(_ upstream: Upstream, now: Double) -> Bool
    /// Asks to send one request to the upstream now (see `CircuitBreaker.admit`). Every `.allowed` or
    /// `.probe` answer must be followed by `record` when the attempt's outcome says anything about the
    /// upstream.
    func admit(_ upstream: Upstream, now: Double) -> CircuitBreaker.Admission
    func record(_ outcome: UpstreamOutcome, for upstream: Upstream, now: Double)
    /// A snapshot for status pages and metrics.
    func snapshot(now: Double) -> [UpstreamHealthSnapshot]
}

public struct UpstreamHealthSnapshot: Sendable, Equatable {
    public var upstream: Upstream
    public var available: Bool
    public var consecutiveFailures: Int
    /// When a down upstream will be tried again, seconds since the epoch.
    public var downUntil: Double?
    /// Sources other than passive health that report it down (`probe`, `gossip`).
    public var downBy: [String] = []

    public init(upstream: Upstream, available: Bool, consecutiveFailures: Int, downUntil: Double?,
                downBy: [String] = []) {
        self.upstream = upstream
        self.available = available
        self.consecutiveFailures = consecutiveFailures
        self.downUntil = downUntil
        self.downBy = downBy
    }
}
