/// The SWIM failure detector and membership protocol with the Lifeguard refinements, as a pure state machine.
///
/// No I/O, no timers, no clock: every input is a `mutating func` that takes the current time (seconds) and
/// returns directives (messages to send, membership events) for a shell to carry out. The UDP shell and the
/// simulator drive the same code, and tests drive it with a hand-set clock.
public struct SWIMState: Sendable {
    public let settings: SWIMSettings
    /// Our own record. Its incarnation only ever grows: refutations and metadata changes bump it.
    public internal(set) var local: Member
    var members: [NodeID: Member] = [:]
    var index = MemberIndex()
    var suspicions: [NodeID: Suspicion] = [:]
    var broadcasts = BroadcastQueue()
    var health: LocalHealth
    var rng: SeededRandom
    var probe: ProbeRound?
    var relays: [UInt32: Relay] = [:]
    var sequence: UInt32 = 0
    var nextProbeAt: Double
    var nextGossipAt: Double
    var nextReconnectAt: Double
    var nextReapAt: Double
    var nextPullAt: Double
    var seeds: [NodeAddress] = []
    var nextJoinAt: Double = .infinity
    var leaving = false
    var lastReassertedAt = -Double.infinity

    /// Most relayed probes served at once; more `pingRequest`s are ignored so a noisy peer cannot grow our state.
    static let maxRelays = 1024

    /// - Parameters:
    ///   - address: where our gossip socket can be reached; advertised in our alive record.
    ///   - seed: seeds the random probe order and helper choice; fixed in tests and simulations.
    public init(settings: SWIMSettings, address: NodeAddress, metadata: NodeMetadata, incarnation: UInt64 = 0,
                seed: UInt64, now: Double) {
        self.settings = settings
        self.local = Member(id: NodeID(metadata.name), address: address, incarnation: incarnation, state: .alive,
                            metadata: metadata, lastHeard: now, stateChangedAt: now)
        self.health = LocalHealth(enabled: settings.lifeguard.localHealthAwareness,
                                  maximum: settings.lifeguard.maxLocalHealth)
        self.rng = SeededRandom(seed: seed)
        // Spread the first probe over one interval so nodes started together do not probe in lockstep.
        self.nextProbeAt = now + settings.probeInterval * rng.nextUnit()
        self.nextGossipAt = now
        self.nextReconnectAt = now + settings.reconnectInterval
        self.nextReapAt = now + settings.probeInterval
        self.nextPullAt = now + settings.antiEntropyInterval * rng.nextUnit()
    }

    // MARK: Reading

    /// Every other member we know of, including dead and left ones not yet forgotten.
    public var remoteMembers: [Member] { Array(members.values) }

    public func member(_ id: NodeID) -> Member? { id == local.id ? local : members[id] }

    /// Alive and suspect members other than ourselves.
    public var activeMemberCount: Int { index.count }

    /// Lifeguard's local health multiplier, 0 (healthy) … `maxLocalHealth`.
    public var localHealth: Int { health.score }

    /// Current probe interval after local-health scaling.
    public var effectiveProbeInterval: Double { settings.probeInterval * health.multiplier }

    /// Current direct-probe timeout after local-health scaling.
    public var effectiveProbeTimeout: Double { settings.probeTimeout * health.multiplier }

    /// The earliest time at which `tick` has something to do; a shell may tick more often, never needs to less.
    public var nextDeadline: Double {
        guard !leaving else { return .infinity }
        var deadline = min(nextProbeAt, nextReapAt)
        if let round = probe { deadline = min(deadline, round.indirectStarted ? round.endDeadline : round.directDeadline) }
        for relay in relays.values { deadline = min(deadline, relay.deadline) }
        for suspicion in suspicions.values {
            deadline = min(deadline, suspicion.deadline)
            if settings.lifeguard.buddySystem { deadline = min(deadline, suspicion.nextVerificationAt) }
        }
        if gossipEnabled, !broadcasts.isEmpty { deadline = min(deadline, nextGossipAt) }
        if settings.reconnectInterval > 0 { deadline = min(deadline, nextReconnectAt) }
        if settings.antiEntropyInterval > 0 { deadline = min(deadline, nextPullAt) }
        if index.count == 0, !seeds.isEmpty { deadline = min(deadline, nextJoinAt) }
        return deadline
    }

    var gossipEnabled: Bool { settings.gossipInterval > 0 && settings.gossipFanout > 0 }

    var memberCount: Int { index.count + 1 }

    var retransmitLimit: Int { settings.retransmitLimit(memberCount: memberCount) }

    // MARK: Inputs

    /// Drives every timer: probe period, direct and indirect probe timeouts, relayed-probe nacks, suspicion
    /// timeouts, periodic gossip, reconnection to dead members, join retries, anti-entropy and forgetting old
    /// members.
    public mutating func tick(now: Double) -> [SWIMDirective] {
        guard !leaving else { return [] }
        var out: [SWIMDirective] = []
        expireRelays(now: now, into: &out)
        advanceProbe(now: now, into: &out)
        expireSuspicions(now: now, into: &out)
        verifySuspicions(now: now, into: &out)
        gossipIfDue(now: now, into: &out)
        reconnectIfDue(now: now, into: &out)
        retryJoinIfDue(now: now, into: &out)
        pullIfDue(now: now, into: &out)
        reapIfDue(now: now, into: &out)
        return out
    }

    /// Handles one message from `address` (the datagram's source, where replies go).
    public mutating func receive(_ message: SWIMMessage, from address: NodeAddress, now: Double) -> [SWIMDirective] {
        guard !leaving, message.sender != local.id else { return [] }
        var out: [SWIMDirective] = []
        if var sender = members[message.sender], sender.state.isActive {
            sender.lastHeard = now
            members[message.sender] = sender
        }
        // A join reply is a copy of a table that everybody already has; re-gossiping it would only cost bandwidth.
        let rebroadcast = message.kind != .joinReply
        var senderIsStale = false
        for update in message.updates {
            senderIsStale = senderIsStale || isStaleRumourAboutUs(update)
            apply(update, now: now, rebroadcast: rebroadcast, into: &out)
        }
        if senderIsStale { reassertIfDue(now: now) }
        switch message.kind {
        case .ping(let sequence):
            // A prober that still thinks us suspect or dead at an old incarnation missed our refutation:
            // the answer leads with our current record.
            send(.ack(sequence: sequence), to: address, target: message.sender, correctingRecipient: senderIsStale,
                 into: &out)
        case .pingRequest(let sequence, let target, let targetAddress):
            serveProbeRequest(sequence: sequence, target: target, targetAddress: targetAddress, requester: address,
                              now: now, into: &out)
        case .ack(let sequence):
            handleAck(sequence: sequence, now: now, into: &out)
        case .nack(let sequence):
            if probe?.sequence == sequence { probe?.nacks += 1 }
        case .join:
            replyToJoin(from: message.sender, address: address, into: &out)
        case .joinReply, .gossip:
            break
        }
        return out
    }

    /// Asks the seeds for the membership, and keeps asking every `joinRetryInterval` while we know nobody.
    public mutating func join(seeds: [NodeAddress], now: Double) -> [SWIMDirective] {
        guard !leaving else { return [] }
        self.seeds = seeds.filter { $0 != local.address }
        var out: [SWIMDirective] = []
        sendJoin(now: now, into: &out)
        return out
    }

    /// Graceful leave: announces `left` with a higher incarnation directly to up to `leaveFanout` members, so
    /// peers mark us left at once instead of going through suspicion. The state machine is inert afterwards.
    public mutating func leave(now: Double) -> [SWIMDirective] {
        guard !leaving else { return [] }
        leaving = true
        local.incarnation += 1
        local.state = .left
        local.stateChangedAt = now
        let notice = MembershipUpdate(member: local.id, incarnation: local.incarnation, change: .left)
        let message = SWIMMessage(sender: local.id, kind: .gossip, updates: [notice])
        return index.random(settings.leaveFanout, using: &rng).compactMap { id in
            members[id].map { .send(message, to: $0.address) }
        }
    }

    /// Announces new metadata (load, draining, ...) under a new incarnation. Unchanged metadata sends nothing,
    /// so callers may push load figures periodically; they should not do so more often than every few seconds.
    public mutating func updateLocalMetadata(_ metadata: NodeMetadata, now: Double) -> [SWIMDirective] {
        var metadata = metadata
        metadata.name = local.id.name
        guard !leaving, metadata != local.metadata else { return [] }
        local.metadata = metadata
        local.incarnation += 1
        broadcasts.enqueue(.alive(local))
        return [.event(.metadataChanged(local))]
    }
}
