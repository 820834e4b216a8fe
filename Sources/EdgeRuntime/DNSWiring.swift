import EdgeCluster
import EdgeConfig
import EdgeDNS
import EdgeHTTP
import Foundation
import Logging
import NIOCore

/// Builds the DNS zone, the geo table and the edge router from `edge.conf`, and the route candidates from the
/// gossip view: the one place routing inputs are assembled, for the DNS responder, the HTTP route endpoint and
/// `edge route` alike.
public enum DNSWiring {
    struct WiringError: Error, CustomStringConvertible {
        var description: String
    }

    static func zone(_ configuration: EdgeConfiguration) throws -> DNSZoneSettings {
        let dns = configuration.dns
        let file = configuration.sourcePath
        guard let zoneName = dns.zone else {
            throw WiringError(description: "\(file): dns.zone: expected a zone such as \"cdn.test\"")
        }
        do {
            let apex = try DNSName(zoneName)
            let servers = try dns.nameServers.map { server in
                DNSNameServer(name: try DNSName(server.name), addresses: IPAddress(server.address).map { [$0] } ?? [])
            }
            let mailbox = try DNSName(dns.hostmaster ?? "hostmaster.\(zoneName)")
            let primary = servers.first?.name ?? apex
            // The serial only has to grow when the zone changes; the config file's modification time does.
            let modified = (try? FileManager.default.attributesOfItem(atPath: file)[.modificationDate] as? Date)
                ?? Date()
            let serial = UInt32(clamping: Int64(modified.timeIntervalSince1970))
            let soa = DNSSOAData(primaryServer: primary, responsibleMailbox: mailbox, serial: serial, refresh: 3600,
                                 retry: 600, expire: 86_400, minimum: seconds(dns.negativeTTL))
            let settings = DNSZoneSettings(
                apex: apex, soa: soa, recordTTL: seconds(dns.recordTTL), nameServers: servers,
                serviceNames: try configuration.cluster.serviceNames.map { try DNSName($0) },
                answerTTL: seconds(dns.ttl), answersPerQuery: dns.answers)
            if let problem = settings.problems().first {
                throw WiringError(description: "\(file): [dns]: \(problem)")
            }
            return settings
        } catch let error as WiringError {
            throw error
        } catch {
            throw WiringError(description: "\(file): [dns]: \(error)")
        }
    }

    static func geoTable(_ dns: DNSSettings) -> GeoTable {
        let entries = dns.geo.compactMap { entry in
            IPPrefix(entry.cidr).map { GeoTableEntry(prefix: $0, location: location(entry.location)) }
        }
        return GeoTable(entries: entries, defaultLocation: location(dns.defaultLocation))
    }

    static func router(_ dns: DNSSettings) -> EdgeRouter {
        // Load scores are relative to the configured capacity, so 1.0 means "at capacity".
        EdgeRouter(settings: .init(answersPerQuery: dns.answers, overloadThreshold: 1.0,
                                   tieDistanceKm: dns.tieDistanceKm))
    }

    /// What routing needs to know of one member, from a live health view or from a node's `/members` JSON.
    public struct MemberState: Sendable {
        public var alive: Bool
        public var draining: Bool
        public var activeConnections: Int
        public var requestsPerSecond: Double

        public init(alive: Bool, draining: Bool, activeConnections: Int, requestsPerSecond: Double) {
            self.alive = alive
            self.draining = draining
            self.activeConnections = activeConnections
            self.requestsPerSecond = requestsPerSecond
        }
    }

    static func memberStates(_ view: ClusterHealthView) -> [String: MemberState] {
        var states: [String: MemberState] = [:]
        for member in view.members() where states[member.id.name] == nil {
            states[member.id.name] = MemberState(
                alive: member.state == .alive, draining: member.metadata.draining,
                activeConnections: Int(member.metadata.load.activeConnections),
                requestsPerSecond: member.metadata.load.requestsPerSecond)
        }
        return states
    }

    /// Every edge of the file. With membership states, liveness, draining and load come from there (an edge
    /// the membership does not know yet is not alive); without them every edge counts as alive and idle.
    static func candidates(_ configuration: EdgeConfiguration, members: [String: MemberState]?) -> [RouteCandidate] {
        let dns = configuration.dns
        return configuration.nodes.filter { $0.role == .edge }.map { node in
            let member = members?[node.name]
            let load = member.map {
                RouteCandidate.loadScore(activeConnections: $0.activeConnections,
                                         connectionCapacity: dns.overloadConnections,
                                         requestsPerSecond: $0.requestsPerSecond,
                                         requestCapacity: dns.overloadRequestsPerSecond)
            } ?? 0
            return RouteCandidate(
                name: node.name, ipv4: node.answerAddress, ipv6: nil, latitude: node.location.latitude,
                longitude: node.location.longitude, region: node.location.region,
                isAlive: members == nil ? true : member?.alive == true,
                isDraining: member?.draining ?? false, loadScore: load)
        }
    }

    /// Decisions from a live health view (`edge run`), or from fixed membership states (`edge route`).
    public static func resolver(_ configuration: EdgeConfiguration, view: ClusterHealthView?,
                         members: [String: MemberState]? = nil) -> EdgeRouteResolver {
        EdgeRouteResolver(geoTable: geoTable(configuration.dns), router: router(configuration.dns),
                          candidates: { candidates(configuration, members: view.map(memberStates) ?? members) })
    }

    private static func location(_ location: NodeConfiguration.Location) -> GeoLocation {
        GeoLocation(latitude: location.latitude, longitude: location.longitude, region: location.region)
    }

    private static func seconds(_ duration: Duration) -> UInt32 {
        UInt32(clamping: duration.components.seconds)
    }
}
