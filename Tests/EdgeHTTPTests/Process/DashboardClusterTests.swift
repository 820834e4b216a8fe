import Foundation
import NIOHTTP1
import Testing

/// The live dashboard of a real cluster (one shield, two edges, the dev origin) in headless Chromium: after some
/// client traffic, the requests/s and hit-ratio charts have plotted points for every node, and a purge through
/// the admin API (the one the page's form calls) is in the page's purge log. Keeps a screenshot in
/// .build/test-artifacts/dashboard-cluster.png.
@Suite("dashboard of a live cluster", .serialized)
struct DashboardClusterTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    static let files: [String: String] = Dictionary(uniqueKeysWithValues: (0..<20).map { ("p/\($0).txt", "body \($0)\n") })
    static let rules = "default\n    cache-control \"public, max-age=600\"\n"

    @Test(.enabled(if: chromium != nil, "needs Debian's chromium package"), .timeLimit(.minutes(3)))
    func chartsHavePointsForEveryNodeAndAPurgeIsInTheLog() async throws {
        let cluster = try await TierCluster.start(shields: 1, edges: 2, files: Self.files, rules: Self.rules)
        defer { Task { await cluster.shutdown() } }

        // Three seconds of traffic: repeated paths (hits on the edges) and new ones (misses down to the origin).
        let until = Date().addingTimeInterval(3)
        var round = 0
        while Date() < until {
            for edge in ["edge-1", "edge-2"] {
                _ = try await cluster.get("/p/\(round % 20).txt", from: edge)
                _ = try await cluster.get("/p/0.txt", from: edge)
            }
            round += 1
        }
        let purge = try await cluster.admin(.POST, "/purge", on: "edge-1", body: #"{"url": "http://www.tier.test/p/0.txt"}"#)
        #expect(purge.status == 200, "\(purge.body)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(purge.body.utf8)) as? [String: Any])
        let purgeID = try #require(report["id"] as? String)
        try await Task.sleep(for: .seconds(1.5))  // let the 1 s sampler record the last second

        let samples = try await cluster.admin(.GET, "/stats/samples", on: "shield-1")
        #expect(samples.status == 200 && samples.body.contains("\"samples\":[{"), "\(samples.body.prefix(300))")

        let url = "http://127.0.0.1:\(cluster.adminPort("edge-1"))/dashboard?token=\(TierCluster.adminToken)"
        let dom = try await Self.runChromium(["--dump-dom", url])
        #expect(dom.contains("data-stats-loaded=\"true\""), "\(dom.prefix(2000))")
        for metric in ["requests", "hit-ratio"] {
            let chart = Self.element("svg class=\"chart\" data-metric=\"\(metric)\"", in: dom)
            for node in ["edge-1", "edge-2", "shield-1", "cluster"] {
                let points = Self.plottedPoints(node: node, in: chart)
                #expect(points > 0, "\(metric) chart has no points for \(node): \(chart.prefix(1500))")
            }
        }
        #expect(dom.contains("data-purge-id=\"\(purgeID)\""), "purge \(purgeID) missing from the purge log")

        let artifacts = Self.packageRoot.appendingPathComponent(".build/test-artifacts")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let screenshot = artifacts.appendingPathComponent("dashboard-cluster.png").path
        try? FileManager.default.removeItem(atPath: screenshot)
        _ = try await Self.runChromium(["--screenshot=\(screenshot)", "--window-size=1400,2400", url])
        let size = (try? FileManager.default.attributesOfItem(atPath: screenshot)[.size] as? Int) ?? 0
        #expect(size > 1000)
        print("dashboard screenshot: \(screenshot)")
    }

    /// The markup from the start of the element whose opening tag begins with `opening` to its `</svg>`.
    static func element(_ opening: String, in dom: String) -> Substring {
        guard let start = dom.range(of: "<" + opening) else { return "" }
        let rest = dom[start.lowerBound...]
        guard let end = rest.range(of: "</svg>") else { return rest }
        return rest[..<end.upperBound]
    }

    /// The `data-points` count of the node's polyline in `chart`, 0 when absent.
    static func plottedPoints(node: String, in chart: Substring) -> Int {
        guard let mark = chart.range(of: "<polyline data-node=\"\(node)\" data-points=\"") else { return 0 }
        return Int(chart[mark.upperBound...].prefix { $0.isNumber }) ?? 0
    }

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Headless Chromium with a private profile; its standard output. Waited for on a thread of its own so the
    /// cooperative pool stays free for the test's clients.
    static func runChromium(_ arguments: [String]) async throws -> String {
        guard let chromium else { throw CocoaError(.fileNoSuchFile) }
        let profile = NSTemporaryDirectory() + "edge-chromium-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
            "--disable-dev-shm-usage", "--user-data-dir=\(profile)", "--virtual-time-budget=5000",
        ] + arguments
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let box = ProcessBox(process: process, pipe: pipe)
        return await withCheckedContinuation { continuation in
            Thread {
                let data = box.pipe.fileHandleForReading.readDataToEndOfFile()
                box.process.waitUntilExit()
                continuation.resume(returning: String(decoding: data, as: UTF8.self))
            }.start()
        }
    }
}

/// `@unchecked Sendable`: handed to one thread after `run()`, touched only there afterwards.
private final class ProcessBox: @unchecked Sendable {
    let process: Process
    let pipe: Pipe

    init(process: Process, pipe: Pipe) {
        self.process = process
        self.pipe = pipe
    }
}
