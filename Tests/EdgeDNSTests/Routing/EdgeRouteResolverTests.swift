import Foundation
import Testing
@testable import EdgeDNS

@Suite struct EdgeRouteResolverTests {
    /// Candidates that a test can change between calls, as the gossip view would.
    final class View: @unchecked Sendable {
        private let lock = NSLock()
        private var current: [RouteCandidate]
        init(_ candidates: [RouteCandidate]) { current = candidates }
        func set(_ candidates: [RouteCandidate]) { lock.lock(); current = candidates; lock.unlock() }
        func get() -> [RouteCandidate] { lock.lock(); defer { lock.unlock() }; return current }
    }

    static let geo = GeoTable(entries: [
        GeoTableTests.entry("203.0.113.0/24", GeoLocation(latitude: 48.8566, longitude: 2.3522, region: "eu")),
        GeoTableTests.entry("198.51.100.0/24", GeoLocation(latitude: 40.7, longitude: -74, region: "us")),
    ], defaultLocation: GeoLocation(latitude: 0, longitude: 0, region: "default"))

    static let london = EdgeRouterTests.edge("london", lat: 51.5074, lon: -0.1278, last: 1)
    static let newYork = EdgeRouterTests.edge("new-york", lat: 40.7128, lon: -74.0060, last: 4)

    func query(_ source: ClientLocationSource) -> RouteQuery {
        RouteQuery(name: ZoneFixtures.name("www.cdn.test"), family: .ipv4, source: source, maxAnswers: 1, transport: .udp)
    }

    @Test func ecsAndResolverAddressesLocateTheClient() throws {
        let view = View([Self.london, Self.newYork])
        let resolver = EdgeRouteResolver(geoTable: Self.geo, router: EdgeRouter(), candidates: view.get)
        let eu = resolver.answer(query(.clientSubnet(try #require(IPPrefix("203.0.113.0/24")))))
        #expect(eu == RouteAnswer(ipv4: [IPv4Address(192, 0, 2, 1)], scopePrefixLength: 24))
        let us = resolver.answer(query(.resolver(.v4(IPv4Address(198, 51, 100, 9)))))
        #expect(us.ipv4 == [IPv4Address(192, 0, 2, 4)])
        let explained = resolver.resolve(client: .v4(IPv4Address(198, 51, 100, 9)))
        #expect(explained.match.location.region == "us")
        #expect(explained.decision.chosen.first?.reason == "nearest")
    }

    @Test func deathMovesTheAnswerAndTotalOutageUsesMemory() throws {
        let view = View([Self.london, Self.newYork])
        let resolver = EdgeRouteResolver(geoTable: Self.geo, router: EdgeRouter(), candidates: view.get)
        let eu = query(.clientSubnet(try #require(IPPrefix("203.0.113.0/24"))))
        #expect(resolver.answer(eu).ipv4 == [IPv4Address(192, 0, 2, 1)])
        var deadLondon = Self.london
        deadLondon.isAlive = false
        view.set([deadLondon, Self.newYork])
        #expect(resolver.answer(eu).ipv4 == [IPv4Address(192, 0, 2, 4)])
        var deadNewYork = Self.newYork
        deadNewYork.isAlive = false
        view.set([deadLondon, deadNewYork])
        let outage = resolver.answer(eu)
        #expect(outage.fromLastKnown)
        #expect(outage.ipv4 == [IPv4Address(192, 0, 2, 4)])
    }

    @Test func explanationNamesEveryCandidate() throws {
        var deadNewYork = Self.newYork
        deadNewYork.isAlive = false
        let view = View([Self.london, deadNewYork])
        let resolver = EdgeRouteResolver(geoTable: Self.geo, router: EdgeRouter(), candidates: view.get)
        let lines = resolver.resolve(client: .v4(IPv4Address(203, 0, 113, 7))).explanationLines
        #expect(lines.count == 3)
        #expect(lines[0] == "client resolver 203.0.113.7 located at eu (48.8566, 2.3522) by 203.0.113.0/24")
        #expect(lines[1].hasPrefix("* london"))
        #expect(lines[1].contains("192.0.2.1") && lines[1].contains("healthy") && lines[1].hasSuffix("nearest"))
        #expect(lines[2].hasPrefix("  new-york") && lines[2].hasSuffix("dead"))
    }
}
