import EdgeCluster
import Testing

/// Serving another member's indirect probe: ping the target, forward its ack, or nack (Lifeguard).
@Suite struct RelayTests {
    @Test func forwardsTheTargetsAckToTheRequester() throws {
        var helper = Fixture.node("b", knowing: ["a", "c"])
        let request = SWIMMessage(sender: NodeID("a"), kind: .pingRequest(
            sequence: 77, target: NodeID("c"), targetAddress: Fixture.address("c")))
        let out = helper.receive(request, from: Fixture.address("a"), now: 10)
        let ping = try #require(out.pings.first)
        #expect(ping.to == Fixture.address("c"))
        let ack = SWIMMessage(sender: NodeID("c"), kind: .ack(sequence: ping.sequence))
        let forwarded = helper.receive(ack, from: Fixture.address("c"), now: 10.05).sends
        #expect(forwarded.count == 1)
        #expect(forwarded.first?.to == Fixture.address("a"))
        #expect(forwarded.first?.message.kind == .ack(sequence: 77))
        // Nothing more once the ack went back: no nack later.
        #expect(!helper.run(from: 10.1, to: 11).sends.contains { $0.message.kind == .nack(sequence: 77) })
    }

    @Test func nacksWhenTheTargetStaysSilent() {
        var helper = Fixture.node("b", knowing: ["a", "c"])
        let request = SWIMMessage(sender: NodeID("a"), kind: .pingRequest(
            sequence: 5, target: NodeID("c"), targetAddress: Fixture.address("c")))
        _ = helper.receive(request, from: Fixture.address("a"), now: 10)
        let nacks = helper.run(from: 10.01, to: 10.5).sends.filter { $0.message.kind == .nack(sequence: 5) }
        #expect(nacks.count == 1)
        #expect(nacks.first?.to == Fixture.address("a"))
    }

    @Test func noNackWithoutLifeguard() {
        var settings = Fixture.quiet
        settings.lifeguard = .disabled
        var helper = Fixture.node("b", knowing: ["a", "c"], settings: settings)
        let request = SWIMMessage(sender: NodeID("a"), kind: .pingRequest(
            sequence: 5, target: NodeID("c"), targetAddress: Fixture.address("c")))
        _ = helper.receive(request, from: Fixture.address("a"), now: 10)
        #expect(!helper.run(from: 10.01, to: 11).sends.contains { $0.message.kind == .nack(sequence: 5) })
    }

    @Test func answersPingsWithAckToTheSource() {
        var node = Fixture.node("b", knowing: ["a"])
        let source = NodeAddress(host: "192.0.2.9", port: 5555)
        let out = node.receive(SWIMMessage(sender: NodeID("a"), kind: .ping(sequence: 9)), from: source, now: 1)
        #expect(out.sends.count == 1)
        #expect(out.sends.first?.to == source)
        #expect(out.sends.first?.message.kind == .ack(sequence: 9))
    }
}
