import ArgumentParser
import AsyncHTTPClient
import EdgeConfig
import NIOCore

/// `edge members --config edge.conf --node NAME`: the membership table as one running node sees it.
struct MembersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "members",
        abstract: "Print the gossip membership as a running node sees it (state, role, location, load).",
        discussion: """
            Asks the node's operator listener (metrics_listen) for GET /members. Exit 0 with the table; exit 1 \
            when the node is not running, has no metrics_listen, or does not gossip.
            """
    )

    @Option(name: .long, help: "The cluster configuration file.")
    var config: String = "edge.conf"

    @Option(name: .long, help: "The node to ask.")
    var node: String

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    func run() async throws {
        let target: NodeConfiguration
        do {
            target = try ConfigLoader.load(path: config).node(named: node)
        } catch {
            printError("\(error)")
            throw ExitCode.failure
        }
        guard let address = target.metricsListen else {
            printError("\(config): node \(node) has no metrics_listen, so there is nothing to ask")
            throw ExitCode.failure
        }
        let url = "http://\(address.host):\(address.port)/members" + (json ? "?format=json" : "")
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = client.shutdown() }
        do {
            let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
            let body = String(buffer: try await response.body.collect(upTo: 4 << 20))
            guard response.status == .ok else {
                printError("\(node) answered \(response.status.code) for /members: is gossip_listen set for it?")
                throw ExitCode.failure
            }
            print(body, terminator: body.hasSuffix("\n") ? "" : "\n")
        } catch let exit as ExitCode {
            throw exit
        } catch {
            printError("cannot reach \(node) at \(address): \(error)")
            throw ExitCode.failure
        }
    }
}
