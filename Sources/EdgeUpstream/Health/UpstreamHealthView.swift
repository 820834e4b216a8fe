/// What one attempt to use an upstream taught us about its health.
public enum UpstreamOutcome: Sendable, Equatable {
    /// A response arrived that says the server works (any status below 500).
    case success
    /// Connection refused or reset, a timeout, a malformed response, or a 5xx.
    case failure
}

/// The shared view of which upstreams are usable.
///
/// Passive signals (this node's own requests) feed it today; active probes and cluster gossip feed the same
/// interface later, so selection code never needs to know where a verdict came from.
public protocol UpstreamHealthView: Sendable {
    func isAvailable(_ upstream: Upstream, now: Double) -> Bool
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
