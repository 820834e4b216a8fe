import Logging
import NIOPosix
@testable import EdgeDNS

/// A running `DNSServer` on 127.0.0.1 with an ephemeral port, routing with a two-region geo table:
/// 203.0.113.0/24 is Paris (nearest edge: london, 192.0.2.1), 198.51.100.0/24 is New York (new-york, 192.0.2.4).
struct DNSServerFixture {
    let server: DNSServer
    let ports: DNSServerPorts

    static let candidates = [
        EdgeRouterTests.edge("london", lat: 51.5074, lon: -0.1278, last: 1),
        EdgeRouterTests.edge("new-york", lat: 40.7128, lon: -74.0060, last: 4),
    ]

    static func start(zone: DNSZoneSettings = ZoneFixtures.zone(answersPerQuery: 1),
                      settings: DNSServerSettings = DNSServerSettings()) async throws -> DNSServerFixture {
        let resolver = EdgeRouteResolver(geoTable: EdgeRouteResolverTests.geo, router: EdgeRouter(),
                                         candidates: { candidates })
        var logger = Logger(label: "edge.dns.test")
        logger.logLevel = .critical
        let server = DNSServer(host: "127.0.0.1", port: 0, zone: zone, settings: settings,
                               group: MultiThreadedEventLoopGroup.singleton, logger: logger, route: resolver.answer)
        let ports = try await server.start()
        return DNSServerFixture(server: server, ports: ports)
    }

    var port: Int { ports.udp }
}
