import EdgeCluster
import Testing

/// The SWIM probe cycle driven by a hand-set clock.
@Suite struct ProbeCycleTests {
    /// Ticks until a probe ping goes out; returns it with the time it was sent.
    static func nextPing(_ node: inout SWIMState, from start: Double) throws
        -> (sequence: UInt32, to: NodeAddress, target: String, at: Double) {
        var now = start
        while now < start + 20 {
            if let ping = node.tick(now: now).pings.first {
                let target = try #require(node.name(at: ping.to))
                return (ping.sequence, ping.to, target, now)
            }
            now += 0.01
        }
        throw ProbeTestError.noPing
    }

    enum ProbeTestError: Error { case noPing }

    @Test func probesEveryMemberOnceEachRoundInRandomOrder() throws {
        let others = ["b", "c", "d", "e"]
        var node = Fixture.node("a", knowing: others)
        var probed: [String] = []
        var now = 0.0
        for _ in 0..<12 {
            let ping = try Self.nextPing(&node, from: now)
            probed.append(ping.target)
            let ack = SWIMMessage(sender: NodeID(ping.target), kind: .ack(sequence: ping.sequence))
            _ = node.receive(ack, from: ping.to, now: ping.at + 0.002)
            now = ping.at + 0.01
        }
        for round in 0..<3 {
            #expect(Set(probed[(round * 4)..<(round * 4 + 4)]) == Set(others), "round \(round): \(probed)")
        }
        #expect(Set([Array(probed[0..<4]), Array(probed[4..<8]), Array(probed[8..<12])]).count > 1,
                "rounds should be shuffled afresh")
        #expect(others.allSatisfy { node.state(of: $0) == .alive })
        #expect(node.localHealth == 0)
    }

    @Test func probesArePacedByTheProbeInterval() throws {
        var node = Fixture.node("a", knowing: ["b", "c"])
        let first = try Self.nextPing(&node, from: 0)
        _ = node.receive(SWIMMessage(sender: NodeID(first.target), kind: .ack(sequence: first.sequence)),
                         from: first.to, now: first.at + 0.001)
        let second = try Self.nextPing(&node, from: first.at + 0.01)
        #expect(abs(second.at - first.at - 1.0) < 0.02)
    }

    @Test func directAckNeedsNoIndirectProbe() throws {
        var node = Fixture.node("a", knowing: ["b", "c", "d", "e"])
        let ping = try Self.nextPing(&node, from: 0)
        _ = node.receive(SWIMMessage(sender: NodeID(ping.target), kind: .ack(sequence: ping.sequence)),
                         from: ping.to, now: ping.at + 0.1)
        let later = node.run(from: ping.at + 0.11, to: ping.at + 0.99)
        #expect(later.pingRequests.isEmpty)
        #expect(node.state(of: ping.target) == .alive)
    }

    @Test func directTimeoutAsksKHelpers() throws {
        var node = Fixture.node("a", knowing: ["b", "c", "d", "e", "f"])
        let ping = try Self.nextPing(&node, from: 0)
        #expect(node.run(from: ping.at + 0.01, to: ping.at + 0.49).pingRequests.isEmpty)
        let requests = node.run(from: ping.at + 0.5, to: ping.at + 0.55).pingRequests
        #expect(requests.count == 3)
        #expect(Set(requests.map(\.to)).count == 3)
        #expect(requests.allSatisfy { $0.target == NodeID(ping.target) && $0.sequence == ping.sequence })
        #expect(!requests.contains { $0.to == ping.to })
    }

    @Test func indirectAckKeepsTargetAlive() throws {
        var node = Fixture.node("a", knowing: ["b", "c", "d", "e"])
        let ping = try Self.nextPing(&node, from: 0)
        let requests = node.run(from: ping.at + 0.01, to: ping.at + 0.6).pingRequests
        let helper = try #require(requests.first)
        let helperName = try #require(node.name(at: helper.to))
        // The helper forwards the target's ack under the original sequence number.
        _ = node.receive(SWIMMessage(sender: NodeID(helperName), kind: .ack(sequence: ping.sequence)),
                         from: helper.to, now: ping.at + 0.7)
        let after = node.run(from: ping.at + 0.71, to: ping.at + 1.2)
        #expect(node.state(of: ping.target) == .alive)
        #expect(!after.events.contains { $0.member.id == NodeID(ping.target) })
    }

    @Test func silentTargetBecomesSuspectAndTheSuspicionIsGossiped() throws {
        var node = Fixture.node("a", knowing: ["b", "c", "d", "e"])
        let ping = try Self.nextPing(&node, from: 0)
        #expect(node.run(from: ping.at + 0.01, to: ping.at + 0.99).events.isEmpty)
        let directives = node.run(from: ping.at + 1.0, to: ping.at + 1.05)
        #expect(node.state(of: ping.target) == .suspect)
        #expect(directives.events.contains { event in
            guard case .stateChanged(let member, .alive) = event else { return false }
            return member.id == NodeID(ping.target) && member.state == .suspect
        })
        // The next probe, started in the same tick, carries the rumour.
        #expect(directives.allUpdates.contains {
            $0.member == NodeID(ping.target) && $0.change == .suspect(by: NodeID("a"))
        })
    }

    @Test func sameSeedSameProbeOrder() throws {
        func order(seed: UInt64) throws -> [String] {
            var node = Fixture.node("a", knowing: ["b", "c", "d", "e", "f", "g"], seed: seed)
            var targets: [String] = []
            var now = 0.0
            for _ in 0..<6 {
                let ping = try Self.nextPing(&node, from: now)
                targets.append(ping.target)
                _ = node.receive(SWIMMessage(sender: NodeID(ping.target), kind: .ack(sequence: ping.sequence)),
                                 from: ping.to, now: ping.at)
                now = ping.at + 0.01
            }
            return targets
        }
        #expect(try order(seed: 42) == order(seed: 42))
    }
}
