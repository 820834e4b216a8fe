import EdgeCluster
import Testing

/// Lifeguard's local health multiplier: up on failed probes without nacks, down on successful probes, and
/// scaling the probe interval.
@Suite struct LocalHealthTests {
    @Test func failedProbesRaiseItAndSlowProbing() throws {
        var node = Fixture.node("a", knowing: ["b", "c", "d", "e"])
        let first = try ProbeCycleTests.nextPing(&node, from: 0)
        _ = node.run(from: first.at + 0.01, to: first.at + 1.01)
        // Three helpers were asked and none nacked: +3.
        #expect(node.localHealth == 3)
        #expect(node.effectiveProbeInterval == 4)
        #expect(node.effectiveProbeTimeout == 2)
    }

    @Test func saturatesAtTheMaximum() throws {
        let others = (0..<20).map { "m\($0)" }
        var node = SWIMState(settings: Fixture.quiet, address: NodeAddress(host: "10.1.0.1", port: 7946),
                             metadata: Fixture.metadata("a"), seed: 3, now: 0)
        let records = others.enumerated().map { index, name in
            MembershipUpdate(member: NodeID(name), incarnation: 0, change: .alive(
                address: NodeAddress(host: "10.2.0.\(index)", port: 7946), metadata: Fixture.metadata(name)))
        }
        _ = node.receive(SWIMMessage(sender: NodeID("m0"), kind: .joinReply, updates: records),
                         from: NodeAddress(host: "10.2.0.0", port: 7946), now: 0)
        _ = node.run(from: 0, to: 25, step: 0.05)
        #expect(node.localHealth == 8)
        #expect(node.effectiveProbeInterval == 9)
    }

    @Test func successfulProbesLowerIt() throws {
        var node = Fixture.node("a", knowing: ["b", "c", "d", "e"])
        let first = try ProbeCycleTests.nextPing(&node, from: 0)
        let failed = node.run(from: first.at + 0.01, to: first.at + 1.005)
        #expect(node.localHealth == 3)
        // The next probe went out in the same tick as the failure; answer it and the ones after.
        var ping = try #require(failed.pings.last)
        var sentAt = first.at + 1.0
        for expected in [2, 1, 0, 0] {
            let target = try #require(node.name(at: ping.to))
            _ = node.receive(SWIMMessage(sender: NodeID(target), kind: .ack(sequence: ping.sequence)),
                             from: ping.to, now: sentAt + 0.01)
            #expect(node.localHealth == expected)
            let next = try ProbeCycleTests.nextPing(&node, from: sentAt + 0.02)
            ping = (next.sequence, next.to)
            sentAt = next.at
        }
    }

    @Test func nacksShowTheFaultIsTheTargets() throws {
        var node = Fixture.node("a", knowing: ["b", "c", "d", "e"])
        let ping = try ProbeCycleTests.nextPing(&node, from: 0)
        let requests = node.run(from: ping.at + 0.01, to: ping.at + 0.6).pingRequests
        #expect(requests.count == 3)
        for request in requests {
            let helper = try #require(node.name(at: request.to))
            _ = node.receive(SWIMMessage(sender: NodeID(helper), kind: .nack(sequence: request.sequence)),
                             from: request.to, now: ping.at + 0.9)
        }
        _ = node.run(from: ping.at + 0.91, to: ping.at + 1.01)
        #expect(node.state(of: ping.target) == .suspect)
        #expect(node.localHealth == 0)
    }

    @Test func staysZeroWithoutLifeguard() throws {
        var settings = Fixture.quiet
        settings.lifeguard = .disabled
        var node = Fixture.node("a", knowing: ["b", "c", "d", "e"], settings: settings)
        let first = try ProbeCycleTests.nextPing(&node, from: 0)
        _ = node.run(from: first.at + 0.01, to: first.at + 5)
        #expect(node.localHealth == 0)
        #expect(node.effectiveProbeInterval == 1)
    }
}
