/// Failure detection: the probe cycle, indirect probes and the probes we relay for others.
extension SWIMState {
    mutating func nextSequence() -> UInt32 {
        sequence &+= 1
        return sequence
    }

    mutating func advanceProbe(now: Double, into out: inout [SWIMDirective]) {
        if let round = probe {
            if !(members[round.target]?.state.isActive ?? false) {
                probe = nil  // the target was declared dead or left meanwhile; nothing to conclude
            } else if now >= round.endDeadline {
                failProbe(round, now: now, into: &out)
            } else if !round.indirectStarted, now >= round.directDeadline {
                startIndirectProbe(now: now, into: &out)
            }
        }
        if probe == nil, now >= nextProbeAt {
            startProbe(now: now, into: &out)
        }
    }

    private mutating func startProbe(now: Double, into out: inout [SWIMDirective]) {
        let period = effectiveProbeInterval
        nextProbeAt = now + period
        guard let target = index.nextProbeTarget(using: &rng), let member = members[target] else { return }
        let sequence = nextSequence()
        probe = ProbeRound(target: target, sequence: sequence, directDeadline: now + effectiveProbeTimeout,
                           endDeadline: now + period)
        send(.ping(sequence: sequence), to: member.address, target: target, into: &out)
    }

    private mutating func startIndirectProbe(now: Double, into out: inout [SWIMDirective]) {
        guard var round = probe, let target = members[round.target] else { return }
        round.indirectStarted = true
        let helpers = index.random(settings.indirectProbeCount, excluding: round.target, using: &rng)
            .compactMap { members[$0] }
            .filter { $0.state == .alive }
        if settings.lifeguard.nacks { round.expectedNacks = helpers.count }
        probe = round
        let request = SWIMMessage.Kind.pingRequest(sequence: round.sequence, target: target.id,
                                                   targetAddress: target.address)
        for helper in helpers {
            send(request, to: helper.address, target: helper.id, into: &out)
        }
    }

    /// No ack within the protocol period. Lifeguard charges our own health for it only as far as helpers failed
    /// to nack: if they all answered, the fault is the target's, not ours.
    private mutating func failProbe(_ round: ProbeRound, now: Double, into out: inout [SWIMDirective]) {
        probe = nil
        if round.expectedNacks > 0 {
            health.apply(max(0, round.expectedNacks - round.nacks))
        } else {
            health.apply(1)
        }
        guard let target = members[round.target] else { return }
        let suspicion = MembershipUpdate(member: target.id, incarnation: target.incarnation,
                                         change: .suspect(by: local.id))
        apply(suspicion, now: now, rebroadcast: true, into: &out)
    }

    mutating func handleAck(sequence: UInt32, now: Double, into out: inout [SWIMDirective]) {
        if let round = probe, round.sequence == sequence {
            probe = nil
            health.apply(-1)
            if var target = members[round.target] {
                target.lastHeard = now
                members[round.target] = target
            }
        } else if let relay = relays.removeValue(forKey: sequence) {
            send(.ack(sequence: relay.requesterSequence), to: relay.requester, target: nil, into: &out)
        }
    }

    mutating func serveProbeRequest(sequence: UInt32, target: NodeID, targetAddress: NodeAddress,
                                    requester: NodeAddress, now: Double, into out: inout [SWIMDirective]) {
        guard target != local.id, relays.count < Self.maxRelays else { return }
        let relaySequence = nextSequence()
        // Nack early enough (80 % of a probe timeout) to reach the requester before its period ends.
        relays[relaySequence] = Relay(requester: requester, requesterSequence: sequence,
                                      deadline: now + settings.probeTimeout * 0.8)
        send(.ping(sequence: relaySequence), to: targetAddress, target: target, into: &out)
    }

    mutating func expireRelays(now: Double, into out: inout [SWIMDirective]) {
        guard !relays.isEmpty else { return }
        // Sorted so that a simulation replays identically (dictionary order differs between runs).
        for sequence in relays.filter({ now >= $0.value.deadline }).keys.sorted() {
            guard let relay = relays.removeValue(forKey: sequence) else { continue }
            if settings.lifeguard.nacks {
                send(.nack(sequence: relay.requesterSequence), to: relay.requester, target: nil, into: &out)
            }
        }
    }

    /// Reconnection: probe one random dead member with its death notice attached. If it is in fact alive (a
    /// healed partition, a false positive), it refutes, its ack carries the refutation, and it rejoins.
    mutating func reconnectIfDue(now: Double, into out: inout [SWIMDirective]) {
        guard settings.reconnectInterval > 0, now >= nextReconnectAt else { return }
        nextReconnectAt = now + settings.reconnectInterval
        let dead = members.values.filter { $0.state == .dead }.sorted { $0.id < $1.id }
        guard !dead.isEmpty else { return }
        let chosen = dead[Int.random(in: 0..<dead.count, using: &rng)]
        send(.ping(sequence: nextSequence()), to: chosen.address, target: chosen.id, into: &out)
    }
}
