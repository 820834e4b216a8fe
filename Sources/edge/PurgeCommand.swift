import ArgumentParser
import EdgeAdmin
import Foundation

/// `edge purge <url> | --prefix P | --tag T | --all [--soft]`: purge across the whole cluster through one
/// node's admin API. (Named `EdgePurgeCommand` so it does not hide `EdgeCache.PurgeCommand` in this module.)
struct EdgePurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Purge a URL, a prefix, a tag or everything on every node of the cluster.",
        discussion: """
            The node asked applies the purge, then relays it to every live member, shields before edges, and \
            prints each node's result. A hard purge removes the objects; --soft marks them stale so the next \
            request revalidates. Members that are down get it when they come back.

            Exit codes: 0 every node applied it durably; 1 some node has it pending, skipped or failed (a node \
            that could not save its purge ledger); 2 bad arguments or \
            configuration (including a URL the node refuses); 3 the admin API was unreachable, refused the \
            token or answered unexpectedly. Argument errors caught by the parser itself exit 64.
            """
    )

    @Argument(help: "The URL to purge, with all its variants, e.g. http://www.cdn.test/a.")
    var url: String?

    @Option(name: .long, help: "Purge every URL starting with this, e.g. http://www.cdn.test/img/.")
    var prefix: String?

    @Option(name: .long, help: "Purge every object tagged so by the origin (Surrogate-Key or Cache-Tag).")
    var tag: String?

    @Flag(name: .long, help: "Purge everything.")
    var all = false

    @Flag(name: .long, help: "Mark stale instead of removing: the next request revalidates with the origin.")
    var soft = false

    @Flag(name: .long, help: "Print the JSON answer instead of a table.")
    var json = false

    @OptionGroup var connection: AdminConnectionOptions

    func run() async throws {
        var body: [String: Any] = [:]
        var scopes = 0
        if let url { body["url"] = url; scopes += 1 }
        if let prefix { body["prefix"] = prefix; scopes += 1 }
        if let tag { body["tag"] = tag; scopes += 1 }
        if all { body["all"] = true; scopes += 1 }
        guard scopes == 1 else {
            printError(scopes == 0
                ? "nothing to purge: give a URL, --prefix P, --tag T or --all"
                : "give exactly one of a URL, --prefix, --tag or --all")
            throw AdminExit.usage
        }
        if soft { body["soft"] = true }
        let target = try connection.resolve()
        let payload: Data
        do {
            payload = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        } catch {
            printError("cannot encode the request: \(error)")
            throw AdminExit.usage
        }
        let answer = try await connection.send(target, path: "/purge", method: .POST, body: Array(payload))
        let report: PurgeReport
        do {
            report = try JSONDecoder().decode(PurgeReport.self, from: Data(answer))
        } catch {
            printError("\(target.label) answered with an unreadable purge report")
            throw AdminExit.unreachable
        }
        if json {
            print(String(decoding: answer, as: UTF8.self), terminator: answer.last == 0x0a ? "" : "\n")
        } else {
            print(Self.describe(report))
        }
        if !report.complete { throw AdminExit.partial }
    }

    static func describe(_ report: PurgeReport) -> String {
        let done = report.nodes.filter { $0.status == .ok }.count
        var text = "\(report.mode) purge of \(report.scope)" + (report.value.map { " \($0)" } ?? "")
            + ": \(done)/\(report.nodes.count) nodes in \(TextTable.milliseconds(report.totalMs)) ms (id \(report.id))\n"
        let rows = report.nodes.map { node in
            [node.node, node.role, node.status.rawValue + (node.status == .ok && !node.applied ? " (already)" : ""),
             String(node.removed), String(node.marked), TextTable.milliseconds(node.ms), node.error ?? ""]
        }
        text += TextTable.render(["NODE", "ROLE", "STATUS", "REMOVED", "MARKED", "MS", "NOTE"], rows,
                                 rightAligned: [3, 4, 5])
        if !report.complete {
            text += "\nnot every node has it yet: pending nodes get it when they are alive again, failed nodes "
                + "(which could not save it durably) when they can; both are retried every few seconds"
        }
        return text
    }
}
