import Testing
@testable import EdgeDNS

@Suite struct DNSResponderTests {
    static let edgeA = IPv4Address(192, 0, 2, 10)
    static let edgeB = IPv4Address(192, 0, 2, 20)

    let responder = DNSResponder(zone: ZoneFixtures.zone())

    func ask(_ packet: [UInt8], transport: DNSTransport = .udp,
             route: RecordingRoute = RecordingRoute(RouteAnswer(ipv4: [edgeA, edgeB], scopePrefixLength: 16)))
        throws -> DNSMessage
    {
        let bytes = try #require(responder.respond(to: packet, from: ZoneFixtures.resolver, transport: transport,
                                                   route: route.callAsFunction))
        return try DNSMessage(decoding: bytes)
    }

    func name(_ text: String) -> DNSName { ZoneFixtures.name(text) }

    // MARK: Positive answers

    @Test func routedAAnswer() throws {
        let route = RecordingRoute(RouteAnswer(ipv4: [Self.edgeA, Self.edgeB]))
        let response = try ask(ZoneFixtures.query("www.cdn.test", .a), route: route)
        #expect(response.responseCode == .noError)
        #expect(response.header.isResponse && response.header.isAuthoritative)
        #expect(response.header.recursionDesired && !response.header.recursionAvailable)
        #expect(response.answers == [
            DNSResourceRecord(name: name("www.cdn.test"), ttl: 30, data: .a(Self.edgeA)),
            DNSResourceRecord(name: name("www.cdn.test"), ttl: 30, data: .a(Self.edgeB)),
        ])
        #expect(response.authorities.isEmpty && response.edns == nil)
        let query = try #require(route.queries.first)
        #expect(query.family == .ipv4)
        #expect(query.source == .resolver(ZoneFixtures.resolver.address))
        #expect(query.maxAnswers == 2)
        #expect(query.transport == .udp)
    }

    @Test func questionCaseIsEchoed() throws {
        let response = try ask(ZoneFixtures.query("WwW.cDn.TEST", .a))
        let echoed = try #require(response.questions.first)
        #expect(echoed.name.labels.map { String(decoding: $0, as: UTF8.self) } == ["WwW", "cDn", "TEST"])
        #expect(response.answers.count == 2)
    }

    @Test func answersPerQueryIsEnforced() throws {
        let many = RecordingRoute(RouteAnswer(ipv4: (1...5).map { IPv4Address(192, 0, 2, $0) }))
        let response = try ask(ZoneFixtures.query("www.cdn.test", .a), route: many)
        #expect(response.answers.count == 2)
    }

    @Test func aaaaWithIPv6Edges() throws {
        let v6 = try #require(IPv6Address("2001:db8::10"))
        let route = RecordingRoute(RouteAnswer(ipv4: [Self.edgeA], ipv6: [v6]))
        let response = try ask(ZoneFixtures.query("www.cdn.test", .aaaa), route: route)
        #expect(response.answers == [DNSResourceRecord(name: name("www.cdn.test"), ttl: 30, data: .aaaa(v6))])
        #expect(route.queries.first?.family == .ipv6)
    }

    @Test func aaaaWithoutIPv6EdgesIsNODATA() throws {
        let response = try ask(ZoneFixtures.query("www.cdn.test", .aaaa))
        #expect(response.responseCode == .noError)
        #expect(response.header.isAuthoritative)
        #expect(response.answers.isEmpty)
        #expect(response.authorities == [DNSResourceRecord(name: name("cdn.test"), ttl: 60, data: .soa(ZoneFixtures.soa))])
    }

    @Test func noEdgeAtAllIsSERVFAIL() throws {
        let response = try ask(ZoneFixtures.query("www.cdn.test", .a), route: RecordingRoute(.empty))
        #expect(response.responseCode == .serverFailure)
        #expect(response.answers.isEmpty)
    }

    @Test func apexSOA() throws {
        let response = try ask(ZoneFixtures.query("cdn.test", .soa))
        #expect(response.responseCode == .noError && response.header.isAuthoritative)
        #expect(response.answers == [DNSResourceRecord(name: name("cdn.test"), ttl: 3600, data: .soa(ZoneFixtures.soa))])
    }

    @Test func apexNSWithGlue() throws {
        let response = try ask(ZoneFixtures.query("cdn.test", .ns))
        #expect(response.answers == [
            DNSResourceRecord(name: name("cdn.test"), ttl: 3600, data: .ns(name("ns1.cdn.test"))),
            DNSResourceRecord(name: name("cdn.test"), ttl: 3600, data: .ns(name("ns2.example.net"))),
        ])
        // Glue only for the in-zone server; none for ns2.example.net.
        #expect(response.additionals == [
            DNSResourceRecord(name: name("ns1.cdn.test"), ttl: 3600, data: .a(IPv4Address(192, 0, 2, 53))),
            DNSResourceRecord(name: name("ns1.cdn.test"), ttl: 3600,
                              data: .aaaa(IPv6Address("2001:db8::53") ?? IPv6Address(high: 0, low: 0))),
        ])
    }

    @Test func nameServerHostAddresses() throws {
        let response = try ask(ZoneFixtures.query("ns1.cdn.test", .a))
        #expect(response.answers == [
            DNSResourceRecord(name: name("ns1.cdn.test"), ttl: 3600, data: .a(IPv4Address(192, 0, 2, 53))),
        ])
        let mx = try ask(ZoneFixtures.query("ns1.cdn.test", .mx))
        #expect(mx.answers.isEmpty && mx.authorities.first?.type == .soa)
    }

    @Test func anyIsMinimal() throws {
        let apex = try ask(ZoneFixtures.query("cdn.test", .any))
        #expect(apex.answers.map(\.type) == [.soa])
        let service = try ask(ZoneFixtures.query("www.cdn.test", .any))
        #expect(service.answers.map(\.type) == [.a, .a])
    }

    // MARK: Negative answers

    @Test func unknownNameIsNXDOMAINWithSOA() throws {
        let response = try ask(ZoneFixtures.query("nope.cdn.test", .a))
        #expect(response.responseCode == .nameError)
        #expect(response.header.isAuthoritative)
        #expect(response.answers.isEmpty)
        #expect(response.authorities == [DNSResourceRecord(name: name("cdn.test"), ttl: 60, data: .soa(ZoneFixtures.soa))])
        let deeper = try ask(ZoneFixtures.query("a.www.cdn.test", .a))
        #expect(deeper.responseCode == .nameError)
    }

    @Test(arguments: [("www.cdn.test", DNSRecordType.mx), ("www.cdn.test", .txt), ("cdn.test", .a),
                      ("eu.cdn.test", .a), ("www.eu.cdn.test", .soa)])
    func existingNameWithoutTypeIsNODATA(qname: String, type: DNSRecordType) throws {
        let response = try ask(ZoneFixtures.query(qname, type))
        #expect(response.responseCode == .noError)
        #expect(response.header.isAuthoritative)
        #expect(response.answers.isEmpty)
        #expect(response.authorities.map(\.type) == [.soa])
        #expect(response.authorities.first?.ttl == 60)
    }

    @Test func outsideTheZoneIsREFUSED() throws {
        for qname in ["example.com", "test", "cdn.test.example", "xcdn.test"] {
            let response = try ask(ZoneFixtures.query(qname, .a))
            #expect(response.responseCode == .refused, "\(qname)")
            #expect(!response.header.isAuthoritative)
            #expect(response.answers.isEmpty && response.authorities.isEmpty)
        }
    }

    @Test func otherClassesAndTransfersAreREFUSED() throws {
        #expect(try ask(ZoneFixtures.query("version.bind", .txt, recordClass: .chaos)).responseCode == .refused)
        #expect(try ask(ZoneFixtures.query("www.cdn.test", .a, recordClass: .chaos)).responseCode == .refused)
        #expect(try ask(ZoneFixtures.query("cdn.test", .axfr), transport: .tcp).responseCode == .refused)
        #expect(try ask(ZoneFixtures.query("cdn.test", .ixfr)).responseCode == .refused)
        #expect(try ask(ZoneFixtures.query("cdn.test", DNSRecordType(rawValue: 254))).responseCode == .notImplemented)
    }

    @Test(arguments: [DNSOpcode.update, .status, .notify, .inverseQuery, DNSOpcode(rawValue: 9)])
    func otherOpcodesAreNOTIMP(opcode: DNSOpcode) throws {
        let response = try ask(ZoneFixtures.query("www.cdn.test", .a, opcode: opcode))
        #expect(response.responseCode == .notImplemented)
        #expect(response.header.opcode == opcode)
        #expect(response.answers.isEmpty)
        #expect(response.questions.count == 1)
    }

    /// An RFC 2136 UPDATE deleting an NS RRset (class ANY, empty RDATA) does not parse as a query would; it is
    /// still NOTIMP, and its zone section is echoed.
    @Test func unparsableUpdateIsStillNOTIMP() throws {
        let update = hexBytes("""
            5151 2800 0001 0000 0001 0000
            03 63646e 04 74657374 00 0006 0001
            03 777777 c00c 0002 00ff 00000000 0000
            """)
        #expect(throws: DNSCodecError.self) { try DNSMessage(decoding: update) }
        let response = try ask(update)
        #expect(response.responseCode == .notImplemented)
        #expect(response.header.opcode == .update && response.header.id == 0x5151)
        #expect(response.questions.isEmpty)
    }

    @Test func questionCountOtherThanOneIsFORMERR() throws {
        for count in [0, 2] {
            let message = DNSMessage(
                header: DNSHeader(id: 99),
                questions: Array(repeating: DNSQuestion(name: name("www.cdn.test"), type: .a), count: count))
            let response = try ask(try message.encoded())
            #expect(response.responseCode == .formatError, "\(count) questions")
            #expect(response.header.id == 99)
            #expect(response.questions.isEmpty)
        }
    }

    @Test func responsesAndRuntsAreDropped() throws {
        var answer = ZoneFixtures.query("www.cdn.test", .a)
        answer[2] |= 0x80
        let result = responder.handle(answer, from: ZoneFixtures.resolver, transport: .udp) { _ in .empty }
        #expect(result.response == nil && result.dropReason == .notAQuery)
        for length in [0, 1, 11] {
            let runt = responder.handle(Array(repeating: 0, count: length), from: ZoneFixtures.resolver,
                                        transport: .udp) { _ in .empty }
            #expect(runt.response == nil && runt.dropReason == .noHeader)
        }
    }

    @Test func ednsVersion1IsBADVERS() throws {
        let response = try ask(ZoneFixtures.query("www.cdn.test", .a, edns: EDNS(version: 1)))
        #expect(response.responseCode == .badVersion)
        #expect(response.header.rcodeBits == 0)
        #expect(response.edns?.version == 0)
        #expect(response.answers.isEmpty)
    }

    // MARK: EDNS and Client Subnet

    @Test func optIsEchoedWithOurPayloadSizeAndDOCopied() throws {
        let cookie = EDNSOption.opaque(code: EDNSOption.cookieCode, data: [1, 2, 3, 4, 5, 6, 7, 8])
        let response = try ask(ZoneFixtures.query("www.cdn.test", .a, edns: EDNS(udpPayloadSize: 4096, dnssecOK: true,
                                                                                   options: [cookie])))
        let edns = try #require(response.edns)
        #expect(edns.udpPayloadSize == 1232)
        #expect(edns.dnssecOK)
        #expect(edns.options.isEmpty)
    }

    @Test func ecsScopeComesFromTheRouteCappedAtSource() throws {
        let subnet = ClientSubnet(prefix: try #require(IPPrefix("203.0.113.0/24")))
        let edns = EDNS(options: [.clientSubnet(subnet)])
        for (routeScope, expected) in [(16, 16), (24, 24), (28, 24), (0, 0)] {
            let route = RecordingRoute(RouteAnswer(ipv4: [Self.edgeA], scopePrefixLength: routeScope))
            let response = try ask(ZoneFixtures.query("www.cdn.test", .a, edns: edns), route: route)
            let echoed = try #require(response.edns?.clientSubnet)
            #expect(echoed.scopePrefixLength == UInt8(expected), "route scope \(routeScope)")
            #expect(echoed.sourcePrefixLength == 24 && echoed.addressBytes == [203, 0, 113])
            #expect(route.queries.first?.source == .clientSubnet(try #require(IPPrefix("203.0.113.0/24"))))
            #expect(route.queries.first?.lookupAddress == .v4(IPv4Address(203, 0, 113, 0)))
        }
    }

    @Test func ecsScopeIsZeroForAnswersThatDoNotDependOnTheClient() throws {
        let subnet = ClientSubnet(prefix: try #require(IPPrefix("203.0.113.0/24")))
        for (qname, type) in [("cdn.test", DNSRecordType.soa), ("nope.cdn.test", .a), ("cdn.test", .ns)] {
            let response = try ask(ZoneFixtures.query(qname, type, edns: EDNS(options: [.clientSubnet(subnet)])))
            #expect(response.edns?.clientSubnet?.scopePrefixLength == 0, "\(qname) \(type)")
        }
    }

    @Test func ecsWithZeroSourceUsesTheResolverAddress() throws {
        let optOut = ClientSubnet(prefix: try #require(IPPrefix("0.0.0.0/0")))
        let route = RecordingRoute(RouteAnswer(ipv4: [Self.edgeA], scopePrefixLength: 16))
        let response = try ask(ZoneFixtures.query("www.cdn.test", .a, edns: EDNS(options: [.clientSubnet(optOut)])),
                               route: route)
        #expect(route.queries.first?.source == .resolver(ZoneFixtures.resolver.address))
        #expect(response.edns?.clientSubnet?.scopePrefixLength == 0)
        #expect(response.edns?.clientSubnet?.sourcePrefixLength == 0)
    }

    @Test func ipv6ClientSubnet() throws {
        let subnet = ClientSubnet(prefix: try #require(IPPrefix("2001:db8:1234::/48")))
        let route = RecordingRoute(RouteAnswer(ipv4: [Self.edgeA], scopePrefixLength: 32))
        let response = try ask(ZoneFixtures.query("www.cdn.test", .a, edns: EDNS(options: [.clientSubnet(subnet)])),
                               route: route)
        #expect(response.edns?.clientSubnet?.scopePrefixLength == 32)
        #expect(response.edns?.clientSubnet?.family == .ipv6)
    }

    @Test func malformedECSIsFORMERR() throws {
        var packet = DigPacketTests.digSubnetQuery
        // Source prefix /23 with the 24th bit of 203.0.113 set.
        let sourceIndex = try #require(packet.firstIndex(of: 0x18))
        packet[sourceIndex] = 23
        let response = try ask(packet)
        #expect(response.responseCode == .formatError)
        #expect(response.header.id == 0xACF3)
    }

    // MARK: Size limits

    static let bigZone = DNSResponder(zone: ZoneFixtures.zone(extraNameServers: 40))

    @Test func udpWithoutEDNSTruncatesAt512() throws {
        let bytes = try #require(Self.bigZone.respond(to: ZoneFixtures.query("cdn.test", .ns),
                                                      from: ZoneFixtures.resolver, transport: .udp) { _ in .empty })
        #expect(bytes.count <= 512)
        let response = try DNSMessage(decoding: bytes)
        #expect(response.header.isTruncated)
        #expect(response.header.isAuthoritative)
        #expect(response.questions.count == 1)
        #expect(response.answers.isEmpty && response.authorities.isEmpty && response.additionals.isEmpty)
        #expect(response.edns == nil)
    }

    @Test func tcpCarriesTheWholeAnswer() throws {
        let bytes = try #require(Self.bigZone.respond(to: ZoneFixtures.query("cdn.test", .ns),
                                                      from: ZoneFixtures.resolver, transport: .tcp) { _ in .empty })
        #expect(bytes.count > 1232)
        let response = try DNSMessage(decoding: bytes)
        #expect(!response.header.isTruncated)
        #expect(response.answers.count == 42)
        #expect(response.additionals.count == 42)
    }

    @Test func ednsSizeIsClientsCappedAndFloored() throws {
        for (advertised, limit) in [(UInt16(4096), 1232), (1232, 1232), (100, 512), (700, 700)] {
            let query = ZoneFixtures.query("cdn.test", .ns, edns: EDNS(udpPayloadSize: advertised))
            let result = Self.bigZone.handle(query, from: ZoneFixtures.resolver, transport: .udp) { _ in .empty }
            let bytes = try #require(result.response)
            #expect(bytes.count <= limit, "advertised \(advertised)")
            #expect(result.isTruncated)
            let response = try DNSMessage(decoding: bytes)
            #expect(response.header.isTruncated && response.edns?.udpPayloadSize == 1232)
        }
        // The same query fits when the zone is small.
        let small = try ask(ZoneFixtures.query("cdn.test", .ns, edns: EDNS(udpPayloadSize: 512)))
        #expect(!small.header.isTruncated && small.answers.count == 2)
    }

    // MARK: Settings

    @Test func zoneProblems() throws {
        #expect(ZoneFixtures.zone().problems().isEmpty)
        var zone = ZoneFixtures.zone(answersPerQuery: 0)
        zone.serviceNames.append(name("www.example.com"))
        zone.nameServers.append(DNSNameServer(name: name("ns9.cdn.test"), addresses: []))
        zone.maxUDPPayload = 100
        let problems = zone.problems()
        #expect(problems.count == 4, "\(problems)")
    }
}
