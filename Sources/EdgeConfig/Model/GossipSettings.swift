/// SWIM timings for a node's gossip, with defaults suited to a LAN (memberlist's "LAN" profile).
public struct GossipSettings: Sendable, Equatable {
    /// How often a node probes one other member.
    public var probeInterval: Duration = .seconds(1)
    /// How long to wait for a direct ack before asking others to probe indirectly.
    public var probeTimeout: Duration = .milliseconds(500)
    /// Scales the suspicion timeout (multiplier × log(n) × probe interval) before a suspect is declared dead.
    public var suspicionMultiplier: Int = 4
    /// How many members are asked to probe indirectly.
    public var indirectProbes: Int = 3

    public init() {}
}
