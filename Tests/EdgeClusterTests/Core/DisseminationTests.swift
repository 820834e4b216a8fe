import EdgeCluster
import Testing

/// Piggybacking: bounded retransmissions and packets that always fit the size limit.
@Suite struct DisseminationTests {
    @Test func retransmitLimitGrowsWithLogN() {
        let settings = SWIMSettings()
        #expect(settings.retransmitLimit(memberCount: 5) == 4)
        #expect(settings.retransmitLimit(memberCount: 10) == 8)
        #expect(settings.retransmitLimit(memberCount: 1000) == 16)
    }

    @Test func eachUpdateIsPiggybackedExactlyTheLimit() {
        var node = Fixture.node("a", knowing: ["b", "c", "d", "e"])
        _ = node.hear([Fixture.alive("f")], now: 0)
        let sent = node.runAnswering(from: 0, to: 20)
        let copies = sent.sends.filter { $0.message.updates.contains(Fixture.alive("f")) }.count
        // Six members (a…f): 4 · ⌈log10 7⌉ = 4.
        #expect(copies == 4)
    }

    @Test func packetsNeverExceedTheLimit() throws {
        let long = String(repeating: "r", count: 200)
        let others = (0..<300).map { "member-\($0)" }
        var node = Fixture.node("a", knowing: ["b"])
        let records = others.enumerated().map { index, name in
            MembershipUpdate(member: NodeID(name), incarnation: 1, change: .alive(
                address: NodeAddress(host: "10.9.\(index / 256).\(index % 256)", port: 7946),
                metadata: NodeMetadata(name: name, publicHTTPAddress: long, region: long)))
        }
        _ = node.hear(records, now: 0)
        let sent = node.runAnswering(from: 0, to: 10).sends
        #expect(!sent.isEmpty)
        #expect(sent.allSatisfy { WireSize.packet($0.message) <= 1400 })
        #expect(sent.contains { $0.message.updates.count >= 2 }, "as many as fit are taken")
        let codec = SWIMCodec(clusterID: "test", key: try ClusterKey(secret: "0123456789abcdef"))
        for send in sent {
            #expect(try codec.encode(send.message, to: send.to, timestampMillis: 1).count == WireSize.packet(send.message))
        }
    }

    @Test func joinRepliesAreSplitIntoPacketsThatFit() throws {
        let others = (0..<300).map { "member-\($0)" }
        var seed = Fixture.node("s", knowing: ["b"])
        _ = seed.hear(others.map { name in
            MembershipUpdate(member: NodeID(name), incarnation: 0, change: .alive(
                address: NodeAddress(host: "10.8.0.1", port: 7946), metadata: Fixture.metadata(name)))
        }, now: 0)
        let join = SWIMMessage(sender: NodeID("n"), kind: .join, updates: [Fixture.alive("n")])
        let replies = seed.receive(join, from: Fixture.address("n"), now: 1).sends.filter { $0.message.kind == .joinReply }
        #expect(replies.count > 1)
        #expect(replies.allSatisfy { WireSize.packet($0.message) <= 1400 })
        let named = Set(replies.flatMap(\.message.updates).map(\.member.name))
        #expect(named.isSuperset(of: others + ["s", "b"]))
        #expect(!named.contains("n"), "the joiner is not told about itself while alive")
    }

    @Test func freshNewsOvertakesABacklog() throws {
        var node = Fixture.node("a", knowing: ["b", "c"])
        _ = node.hear((0..<300).map { Fixture.alive("member-\($0)") }, now: 0)
        _ = node.runAnswering(from: 0, to: 2)
        // Suspected while hundreds of updates are still queued: the refutation rides on the very next packet.
        let ping = SWIMMessage(sender: NodeID("b"), kind: .ping(sequence: 1), updates: [Fixture.suspect("a", by: "b")])
        let ack = try #require(node.receive(ping, from: Fixture.address("b"), now: 2.5).sends.first)
        #expect(ack.message.updates.first?.member == NodeID("a"))
        #expect(ack.message.updates.first?.incarnation == 1)
    }
}
