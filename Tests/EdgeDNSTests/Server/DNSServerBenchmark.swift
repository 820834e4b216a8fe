import Foundation
import Logging
import NIOPosix
import Testing
import EdgeDNS

/// The benchmark harness behind `bench/dns/run.sh`: a standalone `DNSServer` measured by dnsperf running as a
/// separate process. Skipped unless `DNS_BENCH` is set, so the ordinary suite never generates load.
///
/// Environment: `DNS_BENCH_SCRIPT` (path of bench/dns/dnsperf.sh; found from this file otherwise),
/// `DNS_BENCH_RESULTS` (directory for dnsperf's output), plus the variables dnsperf.sh reads.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["DNS_BENCH"] != nil, "set DNS_BENCH=1 to run"))
struct DNSServerBenchmark {
    @Test(.timeLimit(.minutes(5))) func dnsperfAgainstStandaloneServer() async throws {
        let environment = ProcessInfo.processInfo.environment
        let script = environment["DNS_BENCH_SCRIPT"] ?? Self.repositoryFile("bench/dns/dnsperf.sh")
        let results = environment["DNS_BENCH_RESULTS"] ?? NSTemporaryDirectory() + "dns-bench-\(UUID().uuidString)"

        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var logger = Logger(label: "edge.dns.bench")
        logger.logLevel = .warning
        let resolver = EdgeRouteResolver(geoTable: Self.geoTable(), router: EdgeRouter(settings: .init(answersPerQuery: 2)),
                                         candidates: { Self.candidates })
        let server = DNSServer(host: "127.0.0.1", port: 0, zone: try Self.zone(), group: group, logger: logger,
                               route: resolver.answer)
        let ports = try await server.start()

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, "127.0.0.1", "\(ports.udp)", results]
        let status: Int32 = await withCheckedContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                print("could not start \(script): \(error)")
                continuation.resume(returning: -1)
            }
        }
        let stats = server.stats()
        await server.stop()
        try await group.shutdownGracefully()

        print("server: \(stats.queries) queries, responses \(stats.responses.map { "\($0.key)=\($0.value)" }.sorted()), "
              + "malformed \(stats.malformed), dropped \(stats.dropped.values.reduce(0, +))")
        #expect(status == 0)
        #expect(stats.responses[.noError, default: 0] > 0)
        #expect(stats.malformed == 0)
    }

    /// The pure path alone (decode, geo lookup, routing over 20 edges, encode) without sockets, to separate
    /// the responder's cost from the network stack's.
    @Test func responderCostPerQuery() throws {
        let resolver = EdgeRouteResolver(geoTable: Self.geoTable(), router: EdgeRouter(settings: .init(answersPerQuery: 2)),
                                         candidates: { Self.candidates })
        let responder = DNSResponder(zone: try Self.zone())
        // The query dnsperf sends: www.cdn.test A with ECS 203.0.113.0/24.
        let subnet = ClientSubnet(prefix: IPPrefix(address: .v4(IPv4Address(203, 0, 113, 0)), length: 24))
        let query = try DNSMessage(header: DNSHeader(id: 1, recursionDesired: true),
                                   questions: [DNSQuestion(name: try DNSName("www.cdn.test"), type: .a)],
                                   edns: EDNS(options: [.clientSubnet(subnet)])).encoded()
        let client = DNSClientAddress(address: .v4(IPv4Address(127, 0, 0, 1)), port: 5000)
        let iterations = 200_000
        var bytes = 0
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for _ in 0..<iterations {
                bytes &+= responder.respond(to: query, from: client, transport: .udp, route: resolver.answer)?.count ?? 0
            }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("responder: \(Int(seconds / Double(iterations) * 1e9)) ns per query "
              + "(\(Int(Double(iterations) / seconds)) queries/s on one core), \(bytes / iterations) bytes each")
        #expect(bytes / iterations > 0)
    }

    static func repositoryFile(_ relative: String) -> String {
        // Tests/EdgeDNSTests/Server/<this file>; the test folder may be a symlink into the repository.
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent().resolvingSymlinksInPath()
        return here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(relative).path
    }

    static func zone() throws -> DNSZoneSettings {
        DNSZoneSettings(
            apex: try DNSName("cdn.test"),
            soa: DNSSOAData(primaryServer: try DNSName("ns1.cdn.test"), responsibleMailbox: try DNSName("hostmaster.cdn.test"),
                            serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: 60),
            nameServers: [DNSNameServer(name: try DNSName("ns1.cdn.test"), addresses: [.v4(IPv4Address(127, 0, 0, 1))])],
            serviceNames: [try DNSName("www.cdn.test")], answerTTL: 30, answersPerQuery: 2)
    }

    /// 1,000 /24 blocks spread over the globe, plus the 203.0.113.0/24 the benchmark's ECS option names.
    static func geoTable() -> GeoTable {
        var generator = SystemRandomNumberGenerator()
        var entries = (0..<1000).map { index in
            GeoTableEntry(prefix: IPPrefix(address: .v4(IPv4Address(UInt32(10 << 24 | index << 8))), length: 24),
                          location: GeoLocation(latitude: Double.random(in: -60...60, using: &generator),
                                                longitude: Double.random(in: -180...180, using: &generator),
                                                region: "r\(index % 50)"))
        }
        entries.append(GeoTableEntry(prefix: IPPrefix(address: .v4(IPv4Address(203, 0, 113, 0)), length: 24),
                                     location: GeoLocation(latitude: 48.8566, longitude: 2.3522, region: "eu")))
        return GeoTable(entries: entries, defaultLocation: GeoLocation(latitude: 0, longitude: 0, region: "default"))
    }

    /// 20 edges on a grid of latitudes and longitudes, with varied load.
    static let candidates: [RouteCandidate] = (0..<20).map(candidate)

    static func candidate(_ index: Int) -> RouteCandidate {
        let latitude = Double(index % 5) * 25.0 - 50.0
        let longitude = Double(index) * 18.0 - 180.0
        let location = GeoLocation(latitude: latitude, longitude: longitude, region: "r\(index)")
        return RouteCandidate(name: "edge-\(index)", ipv4: IPv4Address(192, 0, 2, UInt8(index + 1)),
                              location: location, loadScore: Double(index % 10) / 10.0)
    }
}
