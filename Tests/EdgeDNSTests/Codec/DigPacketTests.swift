import Testing
@testable import EdgeDNS

/// Byte-exact packets: queries captured from `dig` 9.18 (a UDP socket printing what it received) and the
/// answers the responder must produce for them, laid out field by field.
@Suite struct DigPacketTests {
    /// `dig @127.0.0.1 -p N www.cdn.test A +subnet=203.0.113.0/24` (with dig's default cookie).
    static let digSubnetQuery = hexBytes("""
        acf3 0120 0001 0000 0000 0001
        03 777777 03 63646e 04 74657374 00 0001 0001
        00 0029 04d0 00000000 0017
           0008 0007 0001 18 00 cb0071
           000a 0008 2695fc581138648c
        """)

    /// `dig @127.0.0.1 -p N www.cdn.test A +noedns`.
    static let digPlainQuery = hexBytes("""
        2a31 0120 0001 0000 0000 0000
        03 777777 03 63646e 04 74657374 00 0001 0001
        """)

    /// `dig @127.0.0.1 -p N cdn.test SOA +nocookie`.
    static let digSOAQuery = hexBytes("""
        9424 0120 0001 0000 0000 0001
        03 63646e 04 74657374 00 0006 0001
        00 0029 04d0 00000000 0000
        """)

    @Test func decodesDigSubnetQuery() throws {
        let message = try DNSMessage(decoding: Self.digSubnetQuery)
        #expect(message.header.id == 0xACF3)
        #expect(!message.header.isResponse)
        #expect(message.header.opcode == .query)
        #expect(message.header.recursionDesired)
        #expect(message.header.authenticData)
        #expect(message.questions == [DNSQuestion(name: try DNSName("www.cdn.test"), type: .a)])
        let edns = try #require(message.edns)
        #expect(edns.udpPayloadSize == 1232)
        #expect(edns.version == 0)
        #expect(!edns.dnssecOK)
        let subnet = try #require(edns.clientSubnet)
        #expect(subnet.family == .ipv4)
        #expect(subnet.sourcePrefixLength == 24)
        #expect(subnet.scopePrefixLength == 0)
        #expect(subnet.addressBytes == [203, 0, 113])
        #expect(subnet.prefix == IPPrefix("203.0.113.0/24"))
        #expect(edns.options.last == .opaque(code: 10, data: hexBytes("2695fc581138648c")))
        #expect(message.answers.isEmpty && message.authorities.isEmpty && message.additionals.isEmpty)
    }

    @Test(arguments: [digSubnetQuery, digPlainQuery, digSOAQuery])
    func digQueriesReencodeByteForByte(packet: [UInt8]) throws {
        let message = try DNSMessage(decoding: packet)
        #expect(try message.encoded() == packet)
    }

    @Test func decodesPlainAndSOAQueries() throws {
        let plain = try DNSMessage(decoding: Self.digPlainQuery)
        #expect(plain.edns == nil)
        #expect(plain.header.id == 0x2A31)
        let soa = try DNSMessage(decoding: Self.digSOAQuery)
        #expect(soa.questions.first?.type == .soa)
        #expect(soa.questions.first?.name == (try DNSName("CDN.test")))
        #expect(soa.edns?.options.isEmpty == true)
    }

    /// The routed answer: AA, RD copied, AD cleared, the answer's owner compressed to the question (c00c), the
    /// OPT with our 1232-byte payload, ECS echoed with scope /24, and the cookie not echoed.
    @Test func answersDigSubnetQueryByteForByte() throws {
        let responder = DNSResponder(zone: ZoneFixtures.zone())
        let route = RecordingRoute(RouteAnswer(ipv4: [IPv4Address(192, 0, 2, 1)], scopePrefixLength: 24))
        let response = responder.respond(to: Self.digSubnetQuery, from: ZoneFixtures.resolver, transport: .udp,
                                         route: route.callAsFunction)
        let expected = hexBytes("""
            acf3 8500 0001 0001 0000 0001
            03 777777 03 63646e 04 74657374 00 0001 0001
            c00c 0001 0001 0000001e 0004 c0000201
            00 0029 04d0 00000000 000b
               0008 0007 0001 18 18 cb0071
            """)
        #expect(response.map(hexString) == hexString(expected))
        #expect(route.queries.first?.source == .clientSubnet(try #require(IPPrefix("203.0.113.0/24"))))
    }

    /// NXDOMAIN: the SOA in authority, its owner and both of its names compressed against "cdn.test" in the
    /// question (offset 0x11), negative TTL min(3600, 60).
    @Test func answersNXDOMAINByteForByte() throws {
        let query = hexBytes("""
            2a31 0120 0001 0000 0000 0000
            04 6e6f7065 03 63646e 04 74657374 00 0001 0001
            """)
        let responder = DNSResponder(zone: ZoneFixtures.zone())
        let response = responder.respond(to: query, from: ZoneFixtures.resolver, transport: .udp) { _ in .empty }
        let expected = hexBytes("""
            2a31 8503 0001 0000 0001 0000
            04 6e6f7065 03 63646e 04 74657374 00 0001 0001
            c011 0006 0001 0000003c 0027
               03 6e7331 c011
               0a 686f73746d6173746572 c011
               78a3f175 00000e10 00000258 00015180 0000003c
            """)
        #expect(response.map(hexString) == hexString(expected))
    }
}
