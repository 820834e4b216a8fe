import Foundation
import Synchronization
import Testing

/// `memory_size` bounds the memory a real `edge run` process uses for its memory tier: filled with many times
/// more small objects than fit, the process's resident set stays within 1.15 × (memory_size + its baseline),
/// because every object is charged what it really pins (body storage, headers, keys, index entries).
@Suite("memory_size bounds a node's memory", .serialized)
struct MemoryBoundTests {
    static let memorySize = 8 * 1024 * 1024
    static let bodyBytes = 150

    /// The process's resident set in bytes (`VmRSS` in /proc/PID/status); nil where /proc is not available.
    static func residentBytes(of pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kilobytes * 1024
    }

    /// GETs `paths` from the node with `workers` requests in flight; returns how many answered 200, stopping
    /// early (bounded in time) once `deadline` has passed.
    static func fetch(_ paths: [String], from cluster: TierCluster, workers: Int, deadline: Date,
                      sample: @escaping @Sendable () -> Void = {}) async throws -> Int {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var answered = 0
                    for (index, path) in paths.enumerated() where index % workers == worker {
                        guard Date() < deadline else { break }
                        if try await cluster.get(path, from: "edge-1").status == 200 { answered += 1 }
                        if worker == 0, index % 2_000 == 0 { sample() }
                    }
                    return answered
                }
            }
            return try await group.reduce(0, +)
        }
    }

    struct Figures {
        var answered: Int
        var seconds: Double
        var baseline: Int
        var endRSS: Int
        var peak: Int
        /// The tier's own count of objects and charged bytes, from the admin `/status` document.
        var tierObjects: Int
        var tierBytes: Int
    }

    /// Starts one edge (disk tier off) with `memorySize`, warms it up, records its baseline RSS, then GETs
    /// `objects` distinct 150-byte objects with 8 in flight, bounded to three minutes.
    static func fill(memorySize: String, objects: Int) async throws -> Figures {
        let body = String(repeating: "x", count: Self.bodyBytes - 1) + "\n"
        let cluster = try await TierCluster.start(
            shields: 0, edges: 1, files: ["obj.txt": body],
            rules: "default\n    cache-control \"public, max-age=3600\"\n",
            nodeExtras: ["edge-1": "[nodes.cache]\nmemory_size = \"\(memorySize)\"\nmemory_max_object_size = \"1MiB\"\n"])
        defer { Task { await cluster.shutdown() } }
        let pid = try #require(cluster.processes["edge-1"]?.process.processIdentifier)

        // Warm-up: connections, buffers and allocator pools of the request path, on a few keys only.
        let warmUp = (0..<1_500).map { "/obj.txt?warm=\($0 % 50)" }
        _ = try await Self.fetch(warmUp, from: cluster, workers: 8, deadline: Date().addingTimeInterval(60))
        try await Task.sleep(for: .milliseconds(300))
        let baseline = try #require(Self.residentBytes(of: pid))

        let peak = Peak()
        let fill = (0..<objects).map { "/obj.txt?key=\(100_000 + $0)" }
        let started = Date()
        let answered = try await Self.fetch(fill, from: cluster, workers: 8, deadline: started.addingTimeInterval(180)) {
            if let rss = Self.residentBytes(of: pid) { peak.record(rss) }
        }
        let seconds = Date().timeIntervalSince(started)
        try await Task.sleep(for: .milliseconds(300))
        let endRSS = try #require(Self.residentBytes(of: pid))
        peak.record(endRSS)
        let status = try await cluster.admin(.GET, "/status", on: "edge-1")
        let document = try JSONSerialization.jsonObject(with: Data(status.body.utf8)) as? [String: Any]
        let tiers = Self.tierRows(in: document ?? [:])
        let memory = tiers.first { ($0["tier"] as? String) == "memory" }
        return Figures(answered: answered, seconds: seconds, baseline: baseline, endRSS: endRSS, peak: peak.value,
                       tierObjects: memory?["objects"] as? Int ?? -1, tierBytes: memory?["bytes"] as? Int ?? -1)
    }

    /// The per-tier rows of a `/status` document, wherever they sit in it.
    static func tierRows(in value: Any) -> [[String: Any]] {
        if let row = value as? [String: Any] {
            if row["tier"] != nil, row["objects"] != nil { return [row] }
            return row.values.flatMap { tierRows(in: $0) }
        }
        if let rows = value as? [Any] { return rows.flatMap { tierRows(in: $0) } }
        return []
    }

    static func mib(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }

    @Test func manySmallObjectsStayWithinTheMemoryBudget() async throws {
        guard FileManager.default.fileExists(atPath: "/proc/self/status") else {
            print("skipped: no /proc/PID/status on this system to read the node's resident set")
            return
        }
        if ProcessInfo.processInfo.environment["EDGE_MEMORY_CALIBRATE"] != nil {
            // Measures the real per-object cost (no eviction: the budget is far above what is stored) and checks
            // the tier charges at least 90 % of it. How `CachedObject.fixedOverheadBytes` was derived.
            let figures = try await Self.fill(memorySize: "256MiB", objects: 20_000)
            let perObject = Double(figures.endRSS - figures.baseline) / Double(max(1, figures.tierObjects))
            let charged = Double(figures.tierBytes) / Double(max(1, figures.tierObjects))
            print("""
                memory calibration: \(figures.tierObjects) objects of \(Self.bodyBytes) B; RSS growth \
                \(Self.mib(figures.endRSS - figures.baseline)) = \(Int(perObject)) B per object; the tier charges \
                \(Int(charged)) B per object (\(String(format: "%.0f", 100 * charged / perObject)) %)
                """)
            #expect(figures.tierObjects >= 15_000)
            #expect(charged >= 0.9 * perObject)
            return
        }
        let figures = try await Self.fill(memorySize: "8MiB", objects: 60_000)
        let limit = Int(1.15 * Double(Self.memorySize + figures.baseline))
        print("""
            memory bound: memory_size 8 MiB, \(figures.answered) objects of \(Self.bodyBytes) B in \
            \(String(format: "%.0f s", figures.seconds)); RSS baseline \(Self.mib(figures.baseline)), \
            final \(Self.mib(figures.endRSS)), peak \(Self.mib(figures.peak)), limit 1.15 × (memory_size + baseline) \
            = \(Self.mib(limit)); the tier holds \(figures.tierObjects) objects, charged \(Self.mib(figures.tierBytes))
            """)
        #expect(figures.answered >= 20_000, "the fill must go well past the tier's capacity")
        #expect(figures.peak <= limit, "RSS peak \(Self.mib(figures.peak)) exceeds \(Self.mib(limit))")
    }

    /// The highest resident-set sample seen, from concurrent workers.
    final class Peak: Sendable {
        private let highest = Mutex(0)
        func record(_ value: Int) { highest.withLock { $0 = max($0, value) } }
        var value: Int { highest.withLock { $0 } }
    }
}
