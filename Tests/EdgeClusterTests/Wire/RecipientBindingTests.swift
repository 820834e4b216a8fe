import EdgeCluster
import Testing

/// Every packet is bound to the address it was sent to, inside the authenticated header: a packet for one
/// node is refused by another, even with the right key and a fresh timestamp.
@Suite struct RecipientBindingTests {
    let codec: SWIMCodec
    static let a = NodeAddress(host: "10.0.0.1", port: 7946)
    static let b = NodeAddress(host: "10.0.0.2", port: 7946)
    static let message = SWIMMessage(sender: NodeID("c"), kind: .join, updates: [
        MembershipUpdate(member: NodeID("c"), incarnation: 3, change: .dead),
    ])

    init() throws { codec = try CodecRoundTripTests.codec() }

    @Test func aPacketDecodesOnlyAtItsRecipient() throws {
        let packet = try codec.encode(Self.message, to: Self.a, timestampMillis: 5)
        #expect(try codec.decode(packet, for: LocalRecipient([Self.a])).message == Self.message)
        #expect(throws: WireError.wrongRecipient) { try codec.decode(packet, for: LocalRecipient([Self.b])) }
        // Same host, another port: another node.
        let otherPort = NodeAddress(host: "10.0.0.1", port: 7947)
        #expect(throws: WireError.wrongRecipient) { try codec.decode(packet, for: LocalRecipient([otherPort])) }
        #expect(throws: WireError.wrongRecipient) { try codec.decode(packet, for: LocalRecipient([])) }
        #expect(WireError.wrongRecipient.dropReason == .wrongRecipient)
        #expect(PacketDropReason.wrongRecipient.rawValue == "wrong_recipient")
    }

    @Test func aNodeAnswersToEveryAddressItIsKnownBy() throws {
        let local = LocalRecipient([Self.a, NodeAddress(host: "LOCALHOST", port: 7946)])
        let viaName = try codec.encode(Self.message, to: NodeAddress(host: "localhost", port: 7946), timestampMillis: 5)
        #expect((try? codec.decode(viaName, for: local)) != nil, "host names compare case-insensitively")
        #expect((try? codec.decode(try codec.encode(Self.message, to: Self.a, timestampMillis: 5), for: local)) != nil)
    }

    @Test func aWildcardBindChecksThePortOnly() throws {
        let local = LocalRecipient([NodeAddress(host: "0.0.0.0", port: 7946)])
        #expect((try? codec.decode(try codec.encode(Self.message, to: Self.b, timestampMillis: 5), for: local)) != nil)
        let elsewhere = try codec.encode(Self.message, to: NodeAddress(host: "10.0.0.2", port: 9999), timestampMillis: 5)
        #expect(throws: WireError.wrongRecipient) { try codec.decode(elsewhere, for: local) }
    }

    @Test func theRecipientCannotBeRewrittenWithoutTheKey() throws {
        var packet = try codec.encode(Self.message, to: Self.a, timestampMillis: 5)
        let recipientStart = SWIMCodec.envelopeSize - LocalRecipient.size
        let other = LocalRecipient.tag(for: Self.b)
        packet.replaceSubrange(recipientStart..<SWIMCodec.envelopeSize, with: other)
        #expect(throws: WireError.badMAC) { try codec.decode(packet, for: LocalRecipient([Self.b])) }
    }

    @Test func versionOnePacketsAreRefused() throws {
        // The old layout: version 1, cluster hash, timestamp, then the body (no recipient).
        let header = Array(codec.header(timestampMillis: 5, recipient: Self.a, version: 1).prefix(13))
        let packet = codec.sealing(header + [7, 10] + Array("cccccccccc".utf8) + [0])
        #expect(throws: WireError.unsupportedVersion(1)) { try codec.decode(packet, for: LocalRecipient([Self.a])) }
    }
}
