/// Lifeguard's local health multiplier (LHM): a saturating counter 0…max that rises when this node misses acks
/// or has to refute its own suspicion, and falls with each successful probe. A node whose own network or CPU is
/// struggling thereby probes more slowly and waits longer, instead of accusing healthy peers.
struct LocalHealth: Sendable {
    let enabled: Bool
    let maximum: Int
    private(set) var score: Int = 0

    init(enabled: Bool, maximum: Int) {
        self.enabled = enabled
        self.maximum = maximum
    }

    mutating func apply(_ delta: Int) {
        guard enabled else { return }
        score = min(max(score + delta, 0), maximum)
    }

    /// Factor applied to the probe interval and probe timeout.
    var multiplier: Double { Double(score + 1) }
}
