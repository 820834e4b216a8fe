import Foundation

/// Protocol timings and limits. Defaults suit a LAN and follow memberlist's `DefaultLANConfig` where it has an
/// equivalent, so published numbers for memberlist are a fair comparison.
public struct SWIMSettings: Hashable, Sendable {
    /// Time between probes of successive members (scaled by local health).
    public var probeInterval: Double = 1.0
    /// How long to wait for a direct ack before asking `indirectProbeCount` members to probe (scaled by local health).
    public var probeTimeout: Double = 0.5
    /// Members asked to probe on our behalf when the direct probe times out (SWIM's k).
    public var indirectProbeCount: Int = 3
    /// Suspicion lasts `multiplier · max(1, log10 n) · probeInterval` at least (memberlist's `SuspicionMult`).
    public var suspicionMultiplier: Int = 4
    /// With dynamic suspicion, an unconfirmed suspicion lasts this many times the minimum.
    public var suspicionMaxTimeoutMultiplier: Int = 6
    /// Each update is piggybacked `multiplier · ⌈log10(n + 1)⌉` times (memberlist's `RetransmitMult`).
    public var retransmitMultiplier: Int = 4
    /// Pending updates are also pushed to `gossipFanout` random members this often; 0 disables (pure piggyback).
    public var gossipInterval: Double = 0.2
    public var gossipFanout: Int = 3
    /// A graceful leave is sent directly to this many members; gossip carries it to the rest.
    public var leaveFanout: Int = 8
    /// Seeds are asked again this often until someone answers.
    public var joinRetryInterval: Double = 2.0
    /// A random dead member is probed this often so healed partitions merge again; 0 disables.
    public var reconnectInterval: Double = 10.0
    /// Anti-entropy: this often (scaled up for large clusters) we ask one random member for its whole table,
    /// like memberlist's push/pull. Gossip alone misses an update at a node with small probability; this bounds
    /// how long such a gap can last. 0 disables.
    public var antiEntropyInterval: Double = 30.0
    /// Dead and left members stay in the table (and the health view) this long before being forgotten.
    public var deadMemberRetention: Double = 300.0
    /// Largest datagram ever sent; 1400 keeps clear of fragmentation on Ethernet paths.
    public var maxPacketSize: Int = 1400
    public var lifeguard: LifeguardSettings = .enabled

    public init() {}

    /// LAN defaults, spelled out for call sites that want to say so.
    public static var lan: SWIMSettings { SWIMSettings() }

    /// Memberlist's scaling: suspicion must outlast the time gossip needs to reach the suspect, which grows with
    /// log n. The maximum only differs from the minimum when dynamic suspicion is on.
    public func suspicionTimeouts(memberCount n: Int) -> (min: Double, max: Double) {
        let scale = max(1.0, log10(Double(max(1, n))))
        let minimum = Double(suspicionMultiplier) * scale * probeInterval
        let maximum = lifeguard.dynamicSuspicion ? Double(suspicionMaxTimeoutMultiplier) * minimum : minimum
        return (minimum, maximum)
    }

    /// Independent confirmations that bring a suspicion down to its minimum timeout (memberlist: mult − 2).
    public func expectedSuspicionConfirmations(memberCount n: Int) -> Int {
        let k = suspicionMultiplier - 2
        return (n - 2 < k || k < 1) ? 0 : k
    }

    /// How many times each update is piggybacked before it is dropped from the queue.
    public func retransmitLimit(memberCount n: Int) -> Int {
        retransmitMultiplier * Int(log10(Double(max(1, n) + 1)).rounded(.up))
    }

    /// memberlist's push/pull scaling: beyond 32 members the interval grows with log2 n, so the cluster-wide
    /// cost of full-table transfers stays flat.
    public func antiEntropyInterval(memberCount n: Int) -> Double {
        guard n > 32 else { return antiEntropyInterval }
        return antiEntropyInterval * ((log2(Double(n)) - log2(32)).rounded(.up) + 1)
    }

    /// Throws the first setting that cannot work, naming it.
    public func validate() throws(SWIMSettingsError) {
        func require(_ ok: Bool, _ field: String, _ reason: String) throws(SWIMSettingsError) {
            if !ok { throw SWIMSettingsError(field: field, reason: reason) }
        }
        try require(probeInterval.isFinite && probeInterval > 0 && probeInterval <= 60, "probeInterval",
                    "must be in (0, 60] seconds")
        try require(probeTimeout.isFinite && probeTimeout > 0 && probeTimeout < probeInterval, "probeTimeout",
                    "must be positive and shorter than probeInterval")
        try require((0...16).contains(indirectProbeCount), "indirectProbeCount", "must be 0…16")
        try require((1...100).contains(suspicionMultiplier), "suspicionMultiplier", "must be 1…100")
        try require((1...100).contains(suspicionMaxTimeoutMultiplier), "suspicionMaxTimeoutMultiplier",
                    "must be 1…100")
        try require((1...100).contains(retransmitMultiplier), "retransmitMultiplier", "must be 1…100")
        try require(gossipInterval.isFinite && gossipInterval >= 0, "gossipInterval", "must be ≥ 0")
        try require((0...64).contains(gossipFanout), "gossipFanout", "must be 0…64")
        try require((0...1024).contains(leaveFanout), "leaveFanout", "must be 0…1024")
        try require(joinRetryInterval.isFinite && joinRetryInterval > 0, "joinRetryInterval", "must be > 0")
        try require(reconnectInterval.isFinite && reconnectInterval >= 0, "reconnectInterval", "must be ≥ 0")
        try require(antiEntropyInterval.isFinite && antiEntropyInterval >= 0, "antiEntropyInterval", "must be ≥ 0")
        try require(deadMemberRetention.isFinite && deadMemberRetention >= 0, "deadMemberRetention", "must be ≥ 0")
        try require((512...1400).contains(maxPacketSize), "maxPacketSize", "must be 512…1400 bytes")
        try require((0...32).contains(lifeguard.maxLocalHealth), "lifeguard.maxLocalHealth", "must be 0…32")
    }
}

/// The Lifeguard refinements (Dadgar et al., 2018), each switchable so their effect can be measured.
public struct LifeguardSettings: Hashable, Sendable {
    /// Local health multiplier: missed acks and refutations slow our own probing (interval and timeout × (LHM+1)).
    public var localHealthAwareness: Bool
    /// Saturation value of the local health multiplier (the paper's S = 8).
    public var maxLocalHealth: Int
    /// Suspicion starts at the maximum timeout and shrinks toward the minimum as independent suspectors confirm.
    public var dynamicSuspicion: Bool
    /// Members relaying an indirect probe answer "nack" when the target stays silent, so we can tell our own
    /// packet loss from the target's death.
    public var nacks: Bool
    /// Probes of a suspect member carry the suspicion, so the member learns of it and refutes at once.
    public var buddySystem: Bool

    public init(localHealthAwareness: Bool, maxLocalHealth: Int = 8, dynamicSuspicion: Bool, nacks: Bool,
                buddySystem: Bool) {
        self.localHealthAwareness = localHealthAwareness
        self.maxLocalHealth = maxLocalHealth
        self.dynamicSuspicion = dynamicSuspicion
        self.nacks = nacks
        self.buddySystem = buddySystem
    }

    public static let enabled = LifeguardSettings(localHealthAwareness: true, dynamicSuspicion: true, nacks: true,
                                                  buddySystem: true)
    /// Plain SWIM with memberlist's fixed suspicion timeout, for comparison.
    public static let disabled = LifeguardSettings(localHealthAwareness: false, dynamicSuspicion: false,
                                                   nacks: false, buddySystem: false)
}

/// A setting that cannot work, named so config errors can point at it.
public struct SWIMSettingsError: Error, Hashable, Sendable, CustomStringConvertible {
    public let field: String
    public let reason: String

    public var description: String { "gossip setting \(field) \(reason)" }
}
