import ArgumentParser
import EdgeAdmin
import Foundation

/// `edge status`: the cluster as one node's admin API sees it, one line per member.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print the cluster: every member's state, role, location, load, hit ratio and cache.",
        discussion: """
            Asks one node's admin API for GET /cluster, which gathers every member's /status in parallel.

            Exit codes: 0 every member is alive and answered; 1 some member is not alive or did not answer; \
            2 bad arguments or configuration; 3 the admin API was unreachable, refused the token or answered \
            unexpectedly. Argument errors caught by the parser itself exit 64.
            """
    )

    @Flag(name: .long, help: "Print the JSON answer instead of a table.")
    var json = false

    @OptionGroup var connection: AdminConnectionOptions

    func run() async throws {
        let target = try connection.resolve()
        let answer = try await connection.send(target, path: "/cluster")
        let document: ClusterDocument
        do {
            document = try JSONDecoder().decode(ClusterDocument.self, from: Data(answer))
        } catch {
            printError("\(target.label) answered with an unreadable cluster document")
            throw AdminExit.unreachable
        }
        if json {
            print(String(decoding: answer, as: UTF8.self), terminator: answer.last == 0x0a ? "" : "\n")
        } else {
            print(Self.describe(document))
        }
        let healthy = document.nodes.allSatisfy { $0.member.state == .alive && $0.status != nil }
        if !healthy { throw AdminExit.partial }
    }

    static func describe(_ document: ClusterDocument) -> String {
        let alive = document.nodes.filter { $0.member.state == .alive }.count
        var text = "cluster via \(document.node): \(document.nodes.count) members, \(alive) alive\n"
        let dash = "-"
        let rows = document.nodes.map { entry -> [String] in
            let member = entry.member
            let status = entry.status
            let objects = status.map { String($0.snapshot.cache.map(\.objects).max() ?? 0) }
            let pending = document.nodes.compactMap { $0.status?.pendingPurges[member.name] }.reduce(0, +)
            return [
                member.name, member.role, member.state.rawValue, member.location?.region ?? dash,
                member.load.map { String(format: "%.2f", $0) } ?? dash,
                status?.snapshot.hitRatio.map { String(format: "%.1f%%", $0 * 100) } ?? dash,
                status.map { TextTable.bytes($0.snapshot.bytesServed) } ?? dash,
                objects ?? dash,
                status.map { Self.duration($0.snapshot.uptimeSeconds) } ?? dash,
                String(pending),
                entry.error ?? "",
            ]
        }
        text += TextTable.render(["NODE", "ROLE", "STATE", "REGION", "LOAD", "HIT", "SERVED", "OBJECTS", "UPTIME",
                                  "PENDING", "NOTE"], rows, rightAligned: [4, 5, 6, 7, 8, 9])
        return text
    }

    static func duration(_ seconds: Double) -> String {
        switch seconds {
        case ..<120: String(format: "%.0fs", seconds)
        case ..<7200: String(format: "%.0fm", seconds / 60)
        case ..<172_800: String(format: "%.1fh", seconds / 3600)
        default: String(format: "%.1fd", seconds / 86_400)
        }
    }
}
