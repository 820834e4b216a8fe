import Foundation
import Testing

/// Responses that could never be served from a cache (no freshness lifetime, no validator, e.g. a plain 404)
/// are not written at any tier: a flood of random-path 404s through a shield and an edge, both with a disk
/// tier and the stale-serving defaults on, leaves no file behind.
@Suite("responses that can never be served are not stored", .serialized)
struct UnservableResponseTests {
    static let rules = """
        match /static/*
            cache-control "public, max-age=600"
        """

    static let diskTier = """
        [nodes.cache]
        disk_size = "64MiB"
        stale_while_revalidate = "30s"
        """

    /// Object files of one node's disk tier: named by a 64-digit hex hash (temporary files and the purge
    /// ledger are not objects).
    static func objectFiles(of node: String, in cluster: TierCluster) -> Int {
        let root = cluster.directory.appendingPathComponent("var/cache/\(node)")
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        else { return 0 }
        var count = 0
        for case let url as URL in walker {
            let isFile = (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) ?? false
            let name = url.lastPathComponent
            if isFile, name.utf8.count == 64, name.allSatisfy(\.isHexDigit) {
                count += 1
            }
        }
        return count
    }

    /// Waits (bounded) until every node holds at least `count` object files.
    static func waitForFiles(_ count: [String: Int], in cluster: TierCluster) async throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, count.contains(where: { objectFiles(of: $0.key, in: cluster) < $0.value }) {
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test func randomPath404sLeaveNoFileAtEitherTier() async throws {
        let cluster = try await TierCluster.start(
            shields: 1, edges: 1, files: ["static/a.txt": "a\n", "static/b.txt": "b\n"], rules: Self.rules,
            nodeExtras: ["shield-1": Self.diskTier, "edge-1": Self.diskTier])
        defer { Task { await cluster.shutdown() } }
        let nodes = ["shield-1", "edge-1"]

        // A cacheable object does reach both disks: the tiers are writing.
        #expect(try await cluster.get("/static/a.txt", from: "edge-1").status == 200)
        try await Self.waitForFiles(Dictionary(uniqueKeysWithValues: nodes.map { ($0, 1) }), in: cluster)
        let before = Dictionary(uniqueKeysWithValues: nodes.map { ($0, Self.objectFiles(of: $0, in: cluster)) })
        #expect(before.values.allSatisfy { $0 >= 1 }, "\(before)")

        let flood = 400
        var notFound = 0
        for _ in 0..<flood {
            let response = try await cluster.get("/missing/\(UUID().uuidString)", from: "edge-1")
            if response.status == 404 { notFound += 1 }
        }
        #expect(notFound == flood)

        // One more cacheable object, written after the flood: once its files are there, any 404 file the flood
        // had started writing would be there too.
        #expect(try await cluster.get("/static/b.txt", from: "edge-1").status == 200)
        try await Self.waitForFiles(before.mapValues { $0 + 1 }, in: cluster)
        try await Task.sleep(for: .milliseconds(300))
        let after = Dictionary(uniqueKeysWithValues: nodes.map { ($0, Self.objectFiles(of: $0, in: cluster)) })
        print("disk object files before \(before), after \(flood) random 404s and one cacheable object \(after)")
        for node in nodes {
            #expect(after[node] == (before[node] ?? 0) + 1, "\(node): \(after[node] ?? 0) files, \(before[node] ?? 0) before")
        }
    }
}
