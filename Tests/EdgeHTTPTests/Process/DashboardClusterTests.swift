import Foundation
import NIOHTTP1
import Testing

/// The live dashboard of a real cluster (one shield, two edges, the dev origin) in headless Chromium, driven over
/// the DevTools protocol: after some client traffic, the requests/s and hit-ratio charts have plotted points for
/// every node, and a purge typed into the page's form and clicked reaches every node and appears in the page's
/// purge log. Keeps a screenshot in .build/test-artifacts/dashboard-cluster.png.
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
        try await Task.sleep(for: .seconds(1.5))  // let the 1 s sampler record the last second

        let samples = try await cluster.admin(.GET, "/stats/samples", on: "shield-1")
        #expect(samples.status == 200 && samples.body.contains("\"samples\":[{"), "\(samples.body.prefix(300))")

        // The page as an operator uses it: open it with the token (which sets the session cookie), wait for the
        // charts, then purge through the form by typing a URL and clicking the button.
        let chrome = try ChromiumDevTools(executable: try #require(Self.chromium))
        defer { chrome.close() }
        let url = "http://127.0.0.1:\(cluster.adminPort("edge-1"))/dashboard?token=\(TierCluster.adminToken)"
        let page = try await chrome.openPage(url)
        let loaded = try await chrome.waitUntil(#"document.body.dataset.statsLoaded === "true""#, session: page)
        #expect(loaded, "the dashboard never loaded its stats")
        for metric in ["requests", "hit-ratio"] {
            for node in ["edge-1", "edge-2", "shield-1", "cluster"] {
                let points = try await chrome.evaluate(#"""
                    (function () {
                      var line = document.querySelector('svg.chart[data-metric="\#(metric)"] polyline[data-node="\#(node)"]');
                      return line ? Number(line.getAttribute("data-points")) : 0;
                    })()
                    """#, session: page)
                #expect((Int(points) ?? 0) > 0, "\(metric) chart has no points for \(node)")
            }
        }

        let purged = "http://www.tier.test/p/0.txt"
        try await chrome.evaluate(#"""
            (function () {
              var form = document.getElementById("purge");
              form.scope.value = "url";
              form.value.value = "\#(purged)";
              form.querySelector("button[type=submit]").click();
              return true;
            })()
            """#, session: page)
        let allNodes = try await chrome.waitUntil(
            #"/ (\d+)\/\1 nodes/.test(document.getElementById("purge-result").textContent)"#, session: page)
        let result = try await chrome.evaluate(#"document.getElementById("purge-result").textContent"#, session: page)
        #expect(allNodes, "purge result: \(result)")
        let inLog = try await chrome.waitUntil(#"""
            Array.from(document.querySelectorAll("#purge-log li[data-purge-id]"))
              .some(function (li) { return li.textContent.indexOf("\#(purged)") >= 0; })
            """#, session: page)
        let log = try await chrome.evaluate(#"document.getElementById("purge-log").textContent"#, session: page)
        #expect(inLog, "purge log: \(log)")
        // The purge reached every node: the next request for the URL is a miss on the edge again.
        let after = try await cluster.get("/p/0.txt", from: "edge-1")
        #expect(after.cacheStatus.contains("edge-1; fwd=miss"), "\(after.cacheStatus)")

        let artifacts = Self.packageRoot.appendingPathComponent(".build/test-artifacts")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let screenshot = artifacts.appendingPathComponent("dashboard-cluster.png")
        let png = try await chrome.screenshot(session: page)
        try png.write(to: screenshot)
        #expect(png.count > 1000)
        print("dashboard screenshot: \(screenshot.path)")
    }

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }
}
