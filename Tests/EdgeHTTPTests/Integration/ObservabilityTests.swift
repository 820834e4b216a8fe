import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

@Suite("Metrics and access log")
struct ObservabilityTests {
    @Test func metricsCountHitsMissesBytesAndTiers() async throws {
        let logPath = FileManager.default.temporaryDirectory.appendingPathComponent("access-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: logPath) }
        let cluster = try await TestCluster.start(files: ["a.txt": "hello"], rules: "default\n  cache-control \"max-age=60\"\n") {
            $0.metricsHost = "127.0.0.1"
            $0.metricsPort = 0
            $0.accessLog = logPath.path
        }
        defer { Task { await cluster.shutdown() } }
        _ = try await cluster.request("/a.txt")
        _ = try await cluster.request("/a.txt")
        _ = try await cluster.request("/a.txt?x=1", headers: [("User-Agent", "test \"agent\"")])
        let metricsPort = try #require(cluster.node.metricsPort)
        let expected = [
            #"edge_requests_total{cache="hit"} 1"#, #"edge_requests_total{cache="miss"} 2"#,
            #"edge_cache_hits_total{tier="memory"} 1"#, "edge_response_body_bytes_total 15",
            #"edge_cache_objects{tier="memory"} 2.0"#, #"edge_cache_objects{tier="disk"} 2.0"#,
            "edge_upstream_first_byte_seconds_bucket", "edge_upstream_response_seconds_bucket",
        ]
        // Counters move after the last byte is written and disk writes finish in the background: poll briefly.
        var metrics = ""
        for _ in 0..<40 {
            metrics = try await cluster.request("/metrics", port: metricsPort).text
            if expected.allSatisfy(metrics.contains) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        for line in expected {
            #expect(metrics.contains(line), "missing \(line) in:\n\(metrics)")
        }
        #expect(try await cluster.request("/nope", port: metricsPort).status == 404)
        // The public listener does not expose metrics: /metrics there is just a path on the origin.
        #expect(try await cluster.request("/metrics").status == 404)

        try await Task.sleep(for: .milliseconds(500))  // the access log is flushed in batches
        let log = try String(contentsOf: logPath, encoding: .utf8)
        let lines = log.split(separator: "\n")
        #expect(lines.count >= 3)
        #expect(lines.contains { $0.contains("\"GET /a.txt HTTP/1.1\" 200 5") && $0.contains("cache=miss") })
        #expect(lines.contains { $0.contains("cache=hit tier=memory") })
        #expect(lines.contains { $0.contains(#""test \"agent\"""#) }, "quotes in client fields are escaped")
    }
}
