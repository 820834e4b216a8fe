/// Dissemination: applying rumours under SWIM's precedence rules, refuting rumours about ourselves, and
/// piggybacking pending updates on every message we send.
extension SWIMState {
    mutating func apply(_ update: MembershipUpdate, now: Double, rebroadcast: Bool, into out: inout [SWIMDirective]) {
        if update.member == local.id {
            applyAboutSelf(update)
            return
        }
        switch update.change {
        case .alive(let address, let metadata):
            applyAlive(update, address: address, metadata: metadata, now: now, rebroadcast: rebroadcast, into: &out)
        case .suspect(let suspector):
            applySuspect(update, by: suspector, now: now, rebroadcast: rebroadcast, into: &out)
        case .dead:
            applyGone(update, state: .dead, now: now, rebroadcast: rebroadcast, into: &out)
        case .left:
            applyGone(update, state: .left, now: now, rebroadcast: rebroadcast, into: &out)
        }
    }

    private mutating func applyAlive(_ update: MembershipUpdate, address: NodeAddress, metadata: NodeMetadata,
                                     now: Double, rebroadcast: Bool, into out: inout [SWIMDirective]) {
        var metadata = metadata
        metadata.name = update.member.name
        let record = MembershipUpdate(member: update.member, incarnation: update.incarnation,
                                      change: .alive(address: address, metadata: metadata))
        guard var member = members[update.member] else {
            let member = Member(id: update.member, address: address, incarnation: update.incarnation, state: .alive,
                                metadata: metadata, lastHeard: now, stateChangedAt: now)
            members[member.id] = member
            index.insert(member.id, using: &rng)
            out.append(.event(.joined(member)))
            if rebroadcast { broadcasts.enqueue(record) }
            return
        }
        // Only the member raises its incarnation, so an equal or older one is stale news (or a replay).
        guard update.incarnation > member.incarnation else { return }
        let previous = member.state
        let detailsChanged = member.address != address || member.metadata != metadata
        member.incarnation = update.incarnation
        member.address = address
        member.metadata = metadata
        member.lastHeard = now
        if previous != .alive {
            member.state = .alive
            member.stateChangedAt = now
            suspicions[member.id] = nil
        }
        members[member.id] = member
        if !previous.isActive { index.insert(member.id, using: &rng) }
        if previous != .alive {
            out.append(.event(.stateChanged(member, previous: previous)))
        } else if detailsChanged {
            out.append(.event(.metadataChanged(member)))
        }
        if rebroadcast { broadcasts.enqueue(record) }
    }

    private mutating func applySuspect(_ update: MembershipUpdate, by suspector: NodeID, now: Double,
                                       rebroadcast: Bool, into out: inout [SWIMDirective]) {
        guard var member = members[update.member], member.state.isActive,
              update.incarnation >= member.incarnation else { return }
        if member.state == .suspect, update.incarnation == member.incarnation {
            // A second, independent suspector: shrinks the timeout (Lifeguard) and is worth passing on.
            if suspicions[member.id]?.confirm(by: suspector) == true, rebroadcast {
                broadcasts.enqueue(update)
            }
            return
        }
        // Alive, or suspect at an older incarnation: the member evidently refuted the old suspicion (we missed
        // it), so this is a new one with a fresh timer. Keeping the old timer would let it expire at once.
        let previous = member.state
        member.state = .suspect
        member.incarnation = update.incarnation
        member.stateChangedAt = now
        members[member.id] = member
        let timeouts = settings.suspicionTimeouts(memberCount: memberCount)
        suspicions[member.id] = Suspicion(
            startedAt: now, by: suspector, minTimeout: timeouts.min, maxTimeout: timeouts.max,
            expectedConfirmations: settings.expectedSuspicionConfirmations(memberCount: memberCount))
        if previous != .suspect { out.append(.event(.stateChanged(member, previous: previous))) }
        if rebroadcast { broadcasts.enqueue(update) }
    }

    private mutating func applyGone(_ update: MembershipUpdate, state: MemberState, now: Double, rebroadcast: Bool,
                                    into out: inout [SWIMDirective]) {
        guard var member = members[update.member], update.incarnation >= member.incarnation else { return }
        // A member we already consider dead may still tell us it left (a better-informed rumour); nothing else
        // moves a member out of dead or left except a newer alive.
        guard member.state.isActive || (member.state == .dead && state == .left) else { return }
        let previous = member.state
        member.state = state
        member.incarnation = update.incarnation
        member.stateChangedAt = now
        members[member.id] = member
        markInactive(member.id)
        out.append(.event(.stateChanged(member, previous: previous)))
        if rebroadcast { broadcasts.enqueue(update) }
    }

    mutating func markInactive(_ id: NodeID) {
        index.remove(id)
        suspicions[id] = nil
        if probe?.target == id { probe = nil }
    }

    /// Rumours about ourselves. Suspicion, death or a conflicting alive record is refuted by outbidding its
    /// incarnation; having to refute suspicion means others cannot hear us, which Lifeguard counts against our
    /// own health.
    private mutating func applyAboutSelf(_ update: MembershipUpdate) {
        switch update.change {
        case .alive(let address, var metadata):
            metadata.name = local.id.name
            let conflicting = address != local.address || metadata != local.metadata
            if update.incarnation > local.incarnation || (update.incarnation == local.incarnation && conflicting) {
                refute(over: update.incarnation, penalise: false)
            }
        case .suspect, .dead, .left:
            if update.incarnation >= local.incarnation {
                refute(over: update.incarnation, penalise: true)
            }
        }
    }

    private mutating func refute(over incarnation: UInt64, penalise: Bool) {
        local.incarnation = max(local.incarnation, incarnation) + 1
        if penalise { health.apply(1) }
        broadcasts.enqueue(.alive(local))
    }

    /// Builds a message, filling the space left under `maxPacketSize` with the least-sent pending updates.
    /// A message to a suspect (buddy system) or dead member (reconnection) leads with that member's own record
    /// so it can refute at once.
    mutating func send(_ kind: SWIMMessage.Kind, to address: NodeAddress, target: NodeID?,
                       correctingRecipient: Bool = false, into out: inout [SWIMDirective]) {
        var leading = target.map(recordForRecipient) ?? []
        if correctingRecipient { leading.insert(.alive(local), at: 0) }
        let budget = settings.maxPacketSize - WireSize.overhead(sender: local.id, kind: kind)
            - leading.reduce(0) { $0 + WireSize.update($1) }
        let piggyback = broadcasts.take(budget: budget, limit: retransmitLimit,
                                        maxCount: WireSize.maxUpdatesPerPacket - leading.count,
                                        excluding: Set(leading.map(\.member)))
        out.append(.send(SWIMMessage(sender: local.id, kind: kind, updates: leading + piggyback), to: address))
    }

    private func recordForRecipient(_ id: NodeID) -> [MembershipUpdate] {
        guard let member = members[id] else { return [] }
        switch member.state {
        case .suspect where settings.lifeguard.buddySystem:
            return [MembershipUpdate(member: id, incarnation: member.incarnation, change: .suspect(by: local.id))]
        case .dead:
            return [MembershipUpdate(member: id, incarnation: member.incarnation, change: .dead)]
        default:
            return []
        }
    }

    mutating func gossipIfDue(now: Double, into out: inout [SWIMDirective]) {
        guard gossipEnabled, now >= nextGossipAt else { return }
        nextGossipAt = now + settings.gossipInterval
        guard !broadcasts.isEmpty else { return }
        for id in index.random(settings.gossipFanout, using: &rng) {
            guard !broadcasts.isEmpty, let member = members[id] else { break }
            send(.gossip, to: member.address, target: id, into: &out)
        }
    }
}
