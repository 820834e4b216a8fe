import EdgeCluster
import Testing

/// Decoding untrusted datagrams: every kind of bad input is a typed error, and nothing crashes.
@Suite struct CodecRejectionTests {
    let codec: SWIMCodec

    let local = CodecRoundTripTests.local

    init() throws { codec = try CodecRoundTripTests.codec() }

    func valid() throws -> [UInt8] {
        try codec.encode(CodecRoundTripTests.messages[1], to: CodecRoundTripTests.recipient, timestampMillis: 42)
    }

    /// An authentic packet with the given body, to reach the parser behind the MAC.
    func sealed(_ body: [UInt8]) -> [UInt8] {
        codec.sealing(codec.header(timestampMillis: 42, recipient: CodecRoundTripTests.recipient) + body)
    }

    @Test func wrongKeyIsABadMAC() throws {
        let other = try CodecRoundTripTests.codec(secret: "another sixteen+ byte key")
        #expect(throws: WireError.badMAC) { try other.decode(try valid(), for: local) }
    }

    @Test func otherClusterIsRejectedBeforeTheMAC() throws {
        let other = try CodecRoundTripTests.codec(clusterID: "edge-staging")
        #expect(throws: WireError.wrongCluster) { try other.decode(try valid(), for: local) }
    }

    @Test func unknownVersion() throws {
        var packet = try valid()
        packet[0] = 1
        #expect(throws: WireError.unsupportedVersion(1)) { try codec.decode(packet, for: local) }
        #expect(throws: WireError.unsupportedVersion(9)) {
            try codec.decode(codec.sealing(codec.header(timestampMillis: 1, recipient: CodecRoundTripTests.recipient,
                                                        version: 9) + [1, 1, 0x61, 0, 0, 0, 1, 0]), for: local)
        }
    }

    @Test func oversizedIsRejectedUnread() {
        #expect(throws: WireError.oversized(65_537)) {
            try codec.decode([UInt8](repeating: 0, count: 65_537), for: local)
        }
    }

    @Test func everyTruncationFails() throws {
        let packet = try valid()
        for length in 0..<packet.count {
            #expect(throws: WireError.self) { try codec.decode(Array(packet.prefix(length)), for: local) }
        }
    }

    @Test func everyBitFlipFails() throws {
        let packet = try valid()
        for index in packet.indices {
            for bit in 0..<8 {
                var corrupted = packet
                corrupted[index] ^= 1 << bit
                #expect(throws: WireError.self) { try codec.decode(corrupted, for: local) }
            }
        }
    }

    /// Authentic packets whose body is wrong in one specific way each.
    @Test func malformedCorpus() throws {
        let sender: [UInt8] = [1, 0x61]  // "a"
        let corpus: [(String, [UInt8])] = [
            ("unknown type", [99] + sender + [0]),
            ("type zero", [0] + sender + [0]),
            ("empty sender", [7, 0, 0]),
            ("sender not UTF-8", [7, 2, 0xC3, 0x28, 0]),
            ("sender runs past the end", [7, 40, 0x61]),
            ("ping without sequence", [1] + sender),
            ("count larger than content", [7] + sender + [3, 1, 0x62, 0, 2]),
            ("unknown change", [7] + sender + [1, 1, 0x62, 0, 9]),
            ("varint overflow", [7] + sender + [1, 1, 0x62] + [UInt8](repeating: 0xFF, count: 10) + [0x01, 2]),
            ("varint too long", [7] + sender + [1, 1, 0x62] + [UInt8](repeating: 0x80, count: 11)),
            ("unknown role", [7] + sender + [1, 1, 0x62, 0, 0, 1, 0x68, 0, 1, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            ("unknown flags", [7] + sender + [1, 1, 0x62, 0, 0, 1, 0x68, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            ("latitude out of range", [7] + sender + [1, 1, 0x62, 0, 0, 1, 0x68, 0, 1, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            ("cache fill above 100 %", [7] + sender + [1, 1, 0x62, 0, 0, 1, 0x68, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x27, 0x11]),
            ("trailing bytes", [5] + sender + [0, 0xAA]),
            ("pingRequest with empty target", [2] + sender + [0, 0, 0, 1, 0, 1, 0x68, 0, 1, 0]),
        ]
        for (name, body) in corpus {
            #expect(throws: WireError.self, "\(name)") { try codec.decode(sealed(body), for: local) }
        }
        // The corpus is well-formed apart from its one flaw: the same shapes, fixed, decode.
        #expect((try? codec.decode(sealed([7] + sender + [0]), for: local)) != nil)
        #expect((try? codec.decode(sealed([7] + sender + [1, 1, 0x62, 0, 0, 1, 0x68, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                                          0, 0, 0, 0, 0, 0, 0]), for: local)) != nil)
    }

    @Test func randomBytesNeverDecode() {
        var rng = SeededRandom(seed: 2024)
        for round in 0..<20_000 {
            let length = Int(rng.next() % 1500)
            var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if round % 2 == 0, bytes.count >= SWIMCodec.envelopeSize {
                // Half of them get a valid version, cluster and recipient, so they reach the MAC check.
                bytes.replaceSubrange(0..<SWIMCodec.envelopeSize,
                                      with: codec.header(timestampMillis: rng.next(), recipient: CodecRoundTripTests.recipient))
            }
            #expect(throws: WireError.self) { try codec.decode(bytes, for: local) }
        }
    }

    /// Mutated but re-authenticated packets exercise the parser itself: each one either decodes or throws.
    @Test func mutatedAuthenticPacketsNeverCrash() throws {
        var rng = SeededRandom(seed: 7)
        var decoded = 0
        var rejected = 0
        for message in CodecRoundTripTests.messages {
            let packet = try codec.encode(message, to: CodecRoundTripTests.recipient, timestampMillis: 1)
            let body = Array(packet[SWIMCodec.envelopeSize..<(packet.count - 32)])
            for _ in 0..<1_500 {
                var mutated = body
                for _ in 0...Int(rng.next() % 4) where !mutated.isEmpty {
                    let index = Int(rng.next() % UInt64(mutated.count))
                    switch rng.next() % 3 {
                    case 0: mutated[index] = UInt8(truncatingIfNeeded: rng.next())
                    case 1: mutated.removeSubrange(index...)
                    default: mutated.insert(UInt8(truncatingIfNeeded: rng.next()), at: index)
                    }
                }
                do {
                    _ = try codec.decode(sealed(mutated), for: local)
                    decoded += 1
                } catch {
                    rejected += 1
                }
            }
        }
        #expect(decoded + rejected == CodecRoundTripTests.messages.count * 1_500)
        #expect(rejected > 0 && decoded > 0)
    }
}
