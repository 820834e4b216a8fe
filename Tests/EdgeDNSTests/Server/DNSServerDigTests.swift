import Testing
@testable import EdgeDNS

/// The real client against the real listener: `dig` over UDP and TCP, with Client Subnet and truncation.
@Suite(.serialized, .timeLimit(.minutes(2))) struct DNSServerDigTests {
    @Test func digIsInstalled() {
        #expect(Dig.isInstalled, "install dnsutils (scripts/install-system-deps.sh)")
    }

    @Test func bindsUDPAndTCPOnTheSameEphemeralPort() async throws {
        let fixture = try await DNSServerFixture.start()
        #expect(fixture.ports.udp == fixture.ports.tcp)
        #expect(fixture.ports.udp > 0)
        await fixture.server.stop()
    }

    @Test func subnetsFromDifferentRegionsGetTheirNearestEdge() async throws {
        let fixture = try await DNSServerFixture.start()
        let europe = try await Dig.run(port: fixture.port, ["www.cdn.test", "A", "+subnet=203.0.113.0/24"])
        #expect(europe.status == "NOERROR", "\(europe.output)")
        #expect(europe.flags.isSuperset(of: ["qr", "aa", "rd"]))
        #expect(!europe.flags.contains("ra"))
        #expect(europe.answers == ["192.0.2.1"])
        #expect(europe.clientSubnet == "203.0.113.0/24/24")

        let america = try await Dig.run(port: fixture.port, ["www.cdn.test", "A", "+subnet=198.51.100.0/24"])
        #expect(america.answers == ["192.0.2.4"], "\(america.output)")
        #expect(america.clientSubnet == "198.51.100.0/24/24")

        // No ECS: the resolver's own address (127.0.0.1) is not in the table, so the default location decides.
        let plain = try await Dig.run(port: fixture.port, ["www.cdn.test", "A", "+noedns"])
        #expect(plain.answers == ["192.0.2.1"], "\(plain.output)")
        await fixture.server.stop()
    }

    @Test func tcpQueries() async throws {
        let fixture = try await DNSServerFixture.start()
        let result = try await Dig.run(port: fixture.port, ["www.cdn.test", "A", "+tcp", "+subnet=198.51.100.0/24"])
        #expect(result.status == "NOERROR", "\(result.output)")
        #expect(result.answers == ["192.0.2.4"])
        #expect(result.output.contains("(TCP)"))
        let soa = try await Dig.run(port: fixture.port, ["cdn.test", "SOA", "+tcp"])
        #expect(soa.status == "NOERROR")
        #expect(soa.answerCount == 1)
        let stats = fixture.server.stats()
        #expect(stats.tcpQueries == 2)
        #expect(stats.tcpConnectionsAccepted == 2)
        await fixture.server.stop()
    }

    @Test func negativeAnswersAndRefusal() async throws {
        let fixture = try await DNSServerFixture.start()
        let missing = try await Dig.run(port: fixture.port, ["nope.cdn.test", "A"])
        #expect(missing.status == "NXDOMAIN", "\(missing.output)")
        #expect(missing.flags.contains("aa"))
        let nodata = try await Dig.run(port: fixture.port, ["www.cdn.test", "AAAA"])
        #expect(nodata.status == "NOERROR")
        #expect(nodata.answerCount == 0)
        let outside = try await Dig.run(port: fixture.port, ["example.com", "A"])
        #expect(outside.status == "REFUSED")
        let ns = try await Dig.run(port: fixture.port, ["cdn.test", "NS"])
        #expect(ns.answers == ["ns1.cdn.test.", "ns2.example.net."])
        #expect(ns.additionals.contains { $0.hasSuffix("192.0.2.53") })
        let stats = fixture.server.stats()
        #expect(stats.responses[.nameError] == 1)
        #expect(stats.responses[.refused] == 1)
        #expect(stats.responses[.noError] == 2)
        // Questions by type: A twice (one NXDOMAIN, one REFUSED), AAAA and NS once each.
        #expect(stats.questionsByType == ["A": 2, "AAAA": 1, "NS": 1])
        await fixture.server.stop()
    }

    /// 42 NS records with glue do not fit 512 bytes: `+ignore` shows the TC answer, plain dig retries over TCP.
    @Test func truncationAndTCPFallback() async throws {
        let fixture = try await DNSServerFixture.start(zone: ZoneFixtures.zone(extraNameServers: 40))
        let truncated = try await Dig.run(port: fixture.port, ["cdn.test", "NS", "+noedns", "+ignore"])
        #expect(truncated.flags.contains("tc"), "\(truncated.output)")
        #expect(truncated.answerCount == 0)
        let bigEDNS = try await Dig.run(port: fixture.port, ["cdn.test", "NS", "+bufsize=4096", "+ignore"])
        #expect(bigEDNS.flags.contains("tc"), "\(bigEDNS.output)")

        let retried = try await Dig.run(port: fixture.port, ["cdn.test", "NS", "+noedns"])
        #expect(retried.output.contains("Truncated, retrying in TCP mode"), "\(retried.output)")
        #expect(retried.status == "NOERROR")
        #expect(retried.answerCount == 42)
        #expect(!retried.flags.contains("tc"))
        let stats = fixture.server.stats()
        #expect(stats.truncated == 3)
        #expect(stats.tcpQueries == 1)
        await fixture.server.stop()
    }
}
