import Testing
@testable import EdgeDNS

/// Bounded, seeded fuzzing: random bytes and mutated valid packets through the decoder and the responder.
/// Whatever happens must be an error or a response that itself decodes; a trap fails the whole run.
@Suite struct FuzzTests {
    static let responder = DNSResponder(zone: ZoneFixtures.zone())
    static func route(_ query: RouteQuery) -> RouteAnswer {
        RouteAnswer(ipv4: [IPv4Address(192, 0, 2, 1)], ipv6: [IPv6Address(high: 0x2001_0db8_0000_0000, low: 1)],
                    scopePrefixLength: 24)
    }

    @Test func randomBytes() throws {
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...300, using: &generator)
            var packet = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // Make most packets queries with small counts, or nearly all would stop at the first check.
            if packet.count >= 12, Bool.random(using: &generator) {
                packet[2] &= 0x7F
                packet[4] = 0
                packet[6] = 0
                packet[8] = 0
                packet[10] = 0
                for index in [5, 7, 9, 11] { packet[index] %= 3 }
            }
            try Self.check(packet)
        }
    }

    @Test func mutatedValidPackets() throws {
        var generator = SeededGenerator(seed: 7)
        let seeds = [DigPacketTests.digSubnetQuery, DigPacketTests.digPlainQuery, DigPacketTests.digSOAQuery,
                     MalformedCorpusTests.compressedResponse()]
        for iteration in 0..<20_000 {
            var packet = seeds[iteration % seeds.count]
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                switch Int.random(in: 0...3, using: &generator) {
                case 0 where !packet.isEmpty:
                    packet[Int.random(in: 0..<packet.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                case 1 where !packet.isEmpty:
                    let index = Int.random(in: 0..<packet.count, using: &generator)
                    packet[index] ^= 1 << UInt8.random(in: 0...7, using: &generator)
                case 2:
                    packet.insert(UInt8.random(in: 0...255, using: &generator),
                                  at: Int.random(in: 0...packet.count, using: &generator))
                default:
                    if !packet.isEmpty { packet.remove(at: Int.random(in: 0..<packet.count, using: &generator)) }
                }
            }
            if packet.count > 2 { packet[2] &= 0x7F }
            try Self.check(packet)
        }
    }

    /// The response, when there is one, must decode and carry the query's id; TCP gets the same treatment.
    static func check(_ packet: [UInt8]) throws {
        _ = try? DNSMessage(decoding: packet)
        for transport in [DNSTransport.udp, .tcp] {
            let result = responder.handle(packet, from: ZoneFixtures.resolver, transport: transport, route: route)
            guard let response = result.response else {
                #expect(result.dropReason != nil)
                continue
            }
            let decoded = try DNSMessage(decoding: response)
            #expect(decoded.header.id == (try DNSHeader(decoding: packet)).id)
            #expect(decoded.header.isResponse)
            if transport == .udp { #expect(response.count <= 1232) }
        }
    }
}
