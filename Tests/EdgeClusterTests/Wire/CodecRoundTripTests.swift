import EdgeCluster
import Testing

/// Every message and update shape survives encode → decode unchanged, at exactly the size `WireSize` predicts.
@Suite struct CodecRoundTripTests {
    static func codec(clusterID: String = "edge-test", secret: String = "correct horse battery staple") throws
        -> SWIMCodec {
        SWIMCodec(clusterID: clusterID, key: try ClusterKey(secret: secret))
    }

    /// Where the test packets are sent, and so the only address that accepts them.
    static let recipient = NodeAddress(host: "10.0.0.9", port: 7946)
    static let local = LocalRecipient([recipient])

    static let richMetadata = NodeMetadata(
        name: "édge-fra-1", role: .originFacing, publicHTTPAddress: "[2001:db8::5]:8443", latitude: -33.868_82,
        longitude: 151.209_29, region: "ap-southeast-2",
        load: NodeLoad(activeConnections: 4_000_000_000, requestsPerSecond: 123_456.7, cacheFill: 1), draining: true)

    static let updates: [MembershipUpdate] = [
        MembershipUpdate(member: NodeID("édge-fra-1"), incarnation: .max, change: .alive(
            address: NodeAddress(host: "2001:db8::5", port: 65_535), metadata: richMetadata)),
        MembershipUpdate(member: NodeID("b"), incarnation: 0, change: .alive(
            address: NodeAddress(host: "10.0.0.2", port: 1), metadata: NodeMetadata(name: "b"))),
        MembershipUpdate(member: NodeID("c"), incarnation: 300, change: .suspect(by: NodeID("d"))),
        MembershipUpdate(member: NodeID("e"), incarnation: 1 << 40, change: .dead),
        MembershipUpdate(member: NodeID("f"), incarnation: 7, change: .left),
    ]

    static let messages: [SWIMMessage] = [
        SWIMMessage(sender: NodeID("a"), kind: .ping(sequence: 0)),
        SWIMMessage(sender: NodeID("a"), kind: .ping(sequence: .max), updates: updates),
        SWIMMessage(sender: NodeID("a"), kind: .pingRequest(
            sequence: 12, target: NodeID("c"), targetAddress: NodeAddress(host: "10.0.0.3", port: 7946)),
                    updates: [updates[2]]),
        SWIMMessage(sender: NodeID("b"), kind: .ack(sequence: 99), updates: [updates[0]]),
        SWIMMessage(sender: NodeID("b"), kind: .nack(sequence: 100)),
        SWIMMessage(sender: NodeID("n"), kind: .join, updates: [updates[1]]),
        SWIMMessage(sender: NodeID("s"), kind: .joinReply, updates: updates),
        SWIMMessage(sender: NodeID("s"), kind: .gossip, updates: [updates[3], updates[4]]),
    ]

    @Test(arguments: messages)
    func roundTrips(_ message: SWIMMessage) throws {
        let bytes = try Self.codec().encode(message, to: Self.recipient, timestampMillis: 1_700_000_000_123)
        #expect(bytes.count == WireSize.packet(message))
        #expect(bytes.first == 2, "version byte")
        let decoded = try Self.codec().decode(bytes, for: Self.local)
        #expect(decoded.message == message)
        #expect(decoded.timestampMillis == 1_700_000_000_123)
        #expect(decoded.tag.count == 32)
    }

    @Test func metadataKeepsItsFixedPointValues() throws {
        let message = SWIMMessage(sender: NodeID("a"), kind: .gossip, updates: [Self.updates[0]])
        let decoded = try Self.codec().decode(try Self.codec().encode(message, to: Self.recipient, timestampMillis: 0),
                                              for: Self.local)
        guard case .alive(_, let metadata) = decoded.message.updates.first?.change else {
            Issue.record("expected an alive update")
            return
        }
        #expect(metadata.latitude == -33.868_82)
        #expect(metadata.longitude == 151.209_29)
        #expect(metadata.load.requestsPerSecond == 123_456.7)
        #expect(metadata.load.cacheFill == 1)
        #expect(metadata.draining)
        #expect(metadata.role == .originFacing)
    }

    @Test func refusesToEncodeWhatCannotBeSent() {
        let longName = String(repeating: "n", count: 256)
        #expect(throws: WireError.fieldTooLong("sender")) {
            try Self.codec().encode(SWIMMessage(sender: NodeID(longName), kind: .ping(sequence: 1)), to: Self.recipient,
                                     timestampMillis: 0)
        }
        let many = (0..<150).map { MembershipUpdate(member: NodeID("member-\($0)"), incarnation: 1, change: .dead) }
        let big = SWIMMessage(sender: NodeID("a"), kind: .gossip, updates: many)
        #expect(throws: WireError.tooLargeToSend(WireSize.packet(big))) {
            try Self.codec().encode(big, to: Self.recipient, timestampMillis: 0)
        }
    }

    @Test func clusterKeysMustBeLongEnough() {
        #expect(throws: ClusterKeyError(length: 5)) { try ClusterKey(secret: "short") }
        #expect((try? ClusterKey(secret: "sixteen-bytes-ok")) != nil)
    }
}
