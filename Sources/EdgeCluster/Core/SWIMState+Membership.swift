/// Joining through seeds, answering joins, suspicion expiry and forgetting long-gone members.
extension SWIMState {
    mutating func sendJoin(now: Double, into out: inout [SWIMDirective]) {
        nextJoinAt = now + settings.joinRetryInterval
        let message = SWIMMessage(sender: local.id, kind: .join, updates: [.alive(local)])
        for seed in seeds {
            out.append(.send(message, to: seed))
        }
    }

    mutating func retryJoinIfDue(now: Double, into out: inout [SWIMDirective]) {
        guard index.count == 0, !seeds.isEmpty, now >= nextJoinAt else { return }
        sendJoin(now: now, into: &out)
    }

    /// Anti-entropy pull: a join sent to one random alive member, which answers with its whole table. Our own
    /// alive record rides along, so a member that never heard of us learns of us too.
    mutating func pullIfDue(now: Double, into out: inout [SWIMDirective]) {
        guard settings.antiEntropyInterval > 0, now >= nextPullAt else { return }
        nextPullAt = now + settings.antiEntropyInterval(memberCount: memberCount)
        guard let id = index.random(1, using: &rng).first, let member = members[id], member.state == .alive else {
            return
        }
        out.append(.send(SWIMMessage(sender: local.id, kind: .join, updates: [.alive(local)]), to: member.address))
    }

    /// Answers a join with our table, split over as many packets as it needs. Our record of the joiner comes
    /// first when it is not alive: a restarted node learns it was declared dead and refutes straight away.
    mutating func replyToJoin(from joiner: NodeID, address: NodeAddress, into out: inout [SWIMDirective]) {
        var records: [MembershipUpdate] = []
        if let known = members[joiner], known.state != .alive {
            records.append(record(of: known))
        }
        records.append(.alive(local))
        for id in index.active.sorted() where id != joiner {
            if let member = members[id] { records.append(record(of: member)) }
        }
        let budget = settings.maxPacketSize - WireSize.overhead(sender: local.id, kind: .joinReply)
        var chunk: [MembershipUpdate] = []
        var used = 0
        for record in records {
            let size = WireSize.update(record)
            if !chunk.isEmpty, used + size > budget || chunk.count == WireSize.maxUpdatesPerPacket {
                out.append(.send(SWIMMessage(sender: local.id, kind: .joinReply, updates: chunk), to: address))
                chunk = []
                used = 0
            }
            chunk.append(record)
            used += size
        }
        if !chunk.isEmpty {
            out.append(.send(SWIMMessage(sender: local.id, kind: .joinReply, updates: chunk), to: address))
        }
    }

    private func record(of member: Member) -> MembershipUpdate {
        switch member.state {
        case .alive: .alive(member)
        case .suspect: MembershipUpdate(member: member.id, incarnation: member.incarnation, change: .suspect(by: local.id))
        case .dead: MembershipUpdate(member: member.id, incarnation: member.incarnation, change: .dead)
        case .left: MembershipUpdate(member: member.id, incarnation: member.incarnation, change: .left)
        }
    }

    /// Suspicions that ran out become deaths, announced like any other rumour.
    mutating func expireSuspicions(now: Double, into out: inout [SWIMDirective]) {
        guard !suspicions.isEmpty else { return }
        let expired = suspicions.filter { now >= $0.value.deadline }.keys.sorted()
        for id in expired {
            guard let member = members[id] else {
                suspicions[id] = nil
                continue
            }
            let death = MembershipUpdate(member: id, incarnation: member.incarnation, change: .dead)
            apply(death, now: now, rebroadcast: true, into: &out)
        }
    }

    /// A suspicion that outlives the minimum timeout usually means one of two things: the member is dead, or it
    /// refuted and the refutation missed us (gossip reaches almost everyone, not everyone). Before Lifeguard's
    /// longer timeouts run out, we ask the member itself, once per minimum timeout, with the suspicion attached:
    /// a live member answers with its current record. With the buddy system off this never fires.
    mutating func verifySuspicions(now: Double, into out: inout [SWIMDirective]) {
        guard settings.lifeguard.buddySystem, !suspicions.isEmpty else { return }
        let due = suspicions.filter { now >= $0.value.nextVerificationAt && now < $0.value.deadline }.keys.sorted()
        for id in due {
            guard let member = members[id], let interval = suspicions[id]?.minTimeout else { continue }
            suspicions[id]?.nextVerificationAt = now + interval
            send(.ping(sequence: nextSequence()), to: member.address, target: id, into: &out)
        }
    }

    /// Someone still holds an old suspect/dead/left rumour about us, so our refutation did not reach everyone:
    /// put our record back into circulation (at most once per probe interval).
    mutating func reassertIfDue(now: Double) {
        guard now - lastReassertedAt >= settings.probeInterval else { return }
        lastReassertedAt = now
        broadcasts.enqueue(.alive(local))
    }

    func isStaleRumourAboutUs(_ update: MembershipUpdate) -> Bool {
        guard update.member == local.id, update.incarnation < local.incarnation else { return false }
        if case .alive = update.change { return false }
        return true
    }

    mutating func reapIfDue(now: Double, into out: inout [SWIMDirective]) {
        guard now >= nextReapAt else { return }
        nextReapAt = now + settings.probeInterval
        let forgotten = members.values
            .filter { !$0.state.isActive && now - $0.stateChangedAt >= settings.deadMemberRetention }
            .map(\.id)
            .sorted()
        for id in forgotten {
            guard let member = members.removeValue(forKey: id) else { continue }
            broadcasts.remove(id)
            out.append(.event(.removed(member)))
        }
    }
}
