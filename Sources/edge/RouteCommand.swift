import ArgumentParser
import AsyncHTTPClient
import EdgeCluster
import EdgeConfig
import EdgeRuntime
import EdgeDNS
import Foundation
import NIOCore

/// `edge route --config edge.conf --client 203.0.113.7`: which edge the cluster would send a client to, and why.
struct RouteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "route",
        abstract: "Show which edge the cluster would choose for a client address, and why (distance, state, load).",
        discussion: """
            Locates the client with the [dns] geo table, takes each edge's state and load from a running node's \
            gossip view (GET /members on its metrics_listen), and ranks the edges as the DNS responders and \
            /.well-known/edge/route do. When no node can be asked, every edge is assumed alive and idle, and the \
            output says so. Exit 0 when an edge is chosen, 1 when none is, 2 on bad arguments or configuration.
            """
    )

    @Option(name: .long, help: "The cluster configuration file.")
    var config: String = "edge.conf"

    @Option(name: .long, help: "The client's IP address (or its resolver's, or an ECS subnet address).")
    var client: String

    @Option(name: .long, help: "The node whose gossip view to use (default: the first reachable node with metrics_listen).")
    var node: String?

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    func run() async throws {
        let configuration: EdgeConfiguration
        do {
            configuration = try ConfigLoader.load(path: config)
        } catch {
            printError("\(error)")
            throw ExitCode(2)
        }
        guard let address = IPAddress(client) else {
            printError("--client: expected an IPv4 or IPv6 address such as 203.0.113.7, got \"\(client)\"")
            throw ExitCode(2)
        }
        var askable = configuration.nodes.filter { $0.metricsListen != nil }
        if let node {
            guard let chosen = configuration.nodes.first(where: { $0.name == node }) else {
                printError("\(config): no node named \"\(node)\"")
                throw ExitCode(2)
            }
            askable = [chosen]
        }
        var members: [String: DNSWiring.MemberState]?
        var viewFrom = "no running node answered: every edge assumed alive and idle"
        for candidate in askable {
            if let states = await Self.fetchMembers(candidate) {
                members = states
                viewFrom = "gossip view of \(candidate.name)"
                break
            }
        }
        let resolver = DNSWiring.resolver(configuration, view: nil, members: members)
        let resolution = resolver.resolve(client: address)
        if json {
            let httpAddresses = Dictionary(configuration.nodes.map { ($0.name, "\($0.listen.host):\($0.listen.port)") }) { a, _ in a }
            print(RouteEndpoint.json(resolution, client: address, httpAddresses: httpAddresses), terminator: "")
        } else {
            print("(\(viewFrom))")
            for line in resolution.explanationLines { print(line) }
        }
        if resolution.decision.chosen.isEmpty { throw ExitCode.failure }
    }

    /// The node's `/members?format=json`, or nil when it cannot be asked.
    static func fetchMembers(_ node: NodeConfiguration) async -> [String: DNSWiring.MemberState]? {
        guard let listen = node.metricsListen else { return nil }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = client.shutdown() }
        do {
            let url = "http://\(listen.host):\(listen.port)/members?format=json"
            let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(2))
            guard response.status == .ok else { return nil }
            let body = try await response.body.collect(upTo: 8 << 20)
            guard let records = MembersDocument.decode(Data(body.readableBytesView)) else { return nil }
            var states: [String: DNSWiring.MemberState] = [:]
            for record in records {
                states[record.name] = DNSWiring.MemberState(
                    alive: record.state == "alive", draining: record.draining,
                    activeConnections: record.activeConnections, requestsPerSecond: record.requestsPerSecond)
            }
            return states
        } catch {
            return nil
        }
    }
}
