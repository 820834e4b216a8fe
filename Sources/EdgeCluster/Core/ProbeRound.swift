/// The probe in progress: one target per protocol period, direct phase then indirect phase (SWIM §3.1).
struct ProbeRound: Sendable {
    let target: NodeID
    let sequence: UInt32
    /// Until then only the direct ping is outstanding; afterwards `pingRequest`s are out.
    let directDeadline: Double
    /// End of the protocol period: without any ack by then, the target becomes suspect.
    let endDeadline: Double
    var indirectStarted = false
    /// Helpers asked to probe and which promised a nack (Lifeguard); nacks counted as they arrive.
    var expectedNacks = 0
    var nacks = 0
}

/// A `pingRequest` we are serving for another member.
struct Relay: Sendable {
    let requester: NodeAddress
    let requesterSequence: UInt32
    /// When to give up on the target and, with Lifeguard, tell the requester so with a nack.
    let deadline: Double
}
