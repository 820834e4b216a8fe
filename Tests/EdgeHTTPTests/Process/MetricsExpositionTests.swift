import Foundation
import Testing

/// Every metrics listener of a running cluster passes `promtool check metrics` (Debian's `prometheus` package,
/// installed by scripts/test.sh): HELP and TYPE on every family, names and units by the conventions. Scraped
/// after real traffic so histograms, labelled families and gossip counters are populated.
@Suite("Prometheus exposition (promtool)", .serialized)
struct MetricsExpositionTests {
    static let promtool = "/usr/bin/promtool"
    static let token = "local-admin-token-change-me"

    @Test func everyScrapeOfEveryListenerPassesPromtool() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.promtool), Curl.isInstalled else {
            Issue.record("promtool and curl are needed (scripts/test.sh installs prometheus and curl)")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-promtool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["edge.conf", "origin"] {
            try FileManager.default.copyItem(at: DemoClusterTests.repository.appendingPathComponent(name),
                                             to: directory.appendingPathComponent(name))
        }
        let up = try EdgeProcess.start(["up", "--config", "edge.conf"], in: directory, logName: "up-promtool")
        defer { up.signal(SIGKILL) }
        var running = false
        for _ in 0..<600 where !running {
            try await Task.sleep(for: .milliseconds(100))
            running = up.log.contains("cluster running")
        }
        try #require(running, "edge up did not report the cluster running; log:\n\(up.log)")

        // Traffic: a miss then hits, a 404, a probe, a purge, a DNS query.
        for _ in 0..<3 {
            _ = try await Curl.get("http://www.cdn.test:8080/index.html", arguments: ["--resolve", "www.cdn.test:8080:127.0.0.11"])
            _ = try await Curl.get("http://www.cdn.test:8080/missing", arguments: ["--resolve", "www.cdn.test:8080:127.0.0.11"])
        }
        let probe = try await Curl.get("http://127.0.0.11:8080/.well-known/edge/health")
        #expect(probe.status == 200)
        _ = try await Curl.get("http://www.cdn.test:8080/index.html",
                               arguments: ["-X", "PURGE", "--resolve", "www.cdn.test:8080:127.0.0.11"])
        _ = await DemoClusterTests.dig(server: "127.0.0.11", subnet: "192.0.2.0/24")

        var scrapes: [(String, String)] = []
        for host in ["127.0.0.11", "127.0.0.12", "127.0.0.13", "127.0.0.21", "127.0.0.22"] {
            let metrics = try await Curl.get("http://\(host):9090/metrics")
            #expect(metrics.status == 200, "\(host):9090")
            scrapes.append(("\(host):9090/metrics", String(decoding: metrics.body, as: UTF8.self)))
            let admin = try await Curl.get("http://\(host):9180/metrics",
                                           arguments: ["-H", "Authorization: Bearer \(Self.token)"])
            #expect(admin.status == 200, "\(host):9180")
            scrapes.append(("\(host):9180/metrics", String(decoding: admin.body, as: UTF8.self)))
        }
        for (source, text) in scrapes {
            let (status, output) = try Self.promtool(text)
            #expect(status == 0, "promtool check metrics on \(source) exited \(status):\n\(output)")
            #expect(!output.contains("no help text"), "\(source): \(output)")
        }

        // The families an operator reaches for first are there, with the traffic just sent in them.
        let edge = scrapes[0].1
        for family in ["edge_responses_total{", "edge_request_duration_seconds_bucket{", "edge_probe_requests_total",
                       "edge_connections_accepted_total", "edge_upstream_requests_total{", "edge_upstream_up{",
                       "edge_cache_evictions_total{", "edge_gossip_members{", "edge_dns_queries_total{",
                       "process_cpu_seconds_total", "process_resident_memory_bytes", "edge_build_info{",
                       "edge_purge_apply_seconds_bucket"] {
            #expect(edge.contains(family), "edge-1's scrape lacks \(family)")
        }
        #expect(edge.contains("code=\"404\""), "a 404 was sent: edge_responses_total should count it")
        #expect(edge.contains("edge_gossip_members{state=\"alive\"} 5"), "five nodes alive in gossip")
        #expect(edge.contains("edge_dns_questions_total{type=\"A\"} 1"), "the dig asked edge-1 for an A record")
        // The probe is counted apart: not as a client response.
        #expect(edge.contains("edge_probe_requests_total 1") || edge.contains("edge_probe_requests_total 2"),
                "probe counter: \(edge.split(separator: "\n").filter { $0.contains("probe") })")

        up.signal(SIGTERM)
        #expect(await up.waitForExit(seconds: 30) != nil, "edge up did not stop on SIGTERM")
    }

    /// Runs `promtool check metrics` on `text`; returns its exit status and output.
    static func promtool(_ text: String) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: promtool)
        process.arguments = ["check", "metrics"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
