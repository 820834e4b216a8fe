import Foundation
import Testing

/// The checked-in edge.conf, run as `scripts/up.sh` runs it (`edge up`): every node on its own loopback
/// address, so the routing the cluster is built for can be seen from outside with `dig` and followed with
/// `curl --resolve`, as README's quick start shows. The file is copied with the dev origin's site into a
/// scratch directory (caches land there), but its addresses and ports are the real, fixed ones.
@Suite("demo cluster (edge.conf)", .serialized)
struct DemoClusterTests {
    /// The repository root, where edge.conf and origin/ live.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test func dnsSendsClientsInDifferentRegionsToDifferentEdgesAndCurlFollowsTheAnswer() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/dig"), Curl.isInstalled else {
            Issue.record("dig and curl are needed (scripts/test.sh installs dnsutils and curl)")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.copyItem(at: Self.repository.appendingPathComponent("edge.conf"),
                                         to: directory.appendingPathComponent("edge.conf"))
        try FileManager.default.copyItem(at: Self.repository.appendingPathComponent("origin"),
                                         to: directory.appendingPathComponent("origin"))

        let up = try EdgeProcess.start(["up", "--config", "edge.conf"], in: directory, logName: "up")
        defer { up.signal(SIGKILL) }
        var running = false
        for _ in 0..<600 where !running {
            try await Task.sleep(for: .milliseconds(100))
            running = up.log.contains("cluster running")
        }
        try #require(running, "edge up did not report the cluster running; log:\n\(up.log)")
        // What `edge up` prints (and up.sh shows) names each node's own address.
        for host in ["127.0.0.11", "127.0.0.12", "127.0.0.13", "127.0.0.21", "127.0.0.22", "127.0.0.31"] {
            #expect(up.log.contains("http://\(host):8080/"), "no URL for \(host) in:\n\(up.log)")
        }

        // HTTPS: `edge up` made the demo CA under var/tls and printed its path; README's curl works over h2.
        let ca = directory.appendingPathComponent("var/tls/ca.pem").path
        #expect(up.log.contains("var/tls/ca.pem"), "edge up should print the CA path; log:\n\(up.log)")
        let https = try await Tool.curl(port: 8443, path: "/", address: "127.0.0.11",
                                        ["--cacert", ca, "-w", "%{http_version} %{http_code}"])
        #expect(https.stdout == "2 200", "curl over HTTPS to edge-1: \(https.stdout) \(https.stderr)")
        // h2c (on in the demo): README's curl with prior knowledge on the plain port gets HTTP/2.
        let h2c = try await Tool.run("/usr/bin/curl", [
            "-sS", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_version} %{http_code}",
            "--http2-prior-knowledge", "-H", "Host: www.cdn.test", "http://127.0.0.11:8080/",
        ])
        #expect(h2c.stdout == "2 200", "h2c to edge-1: \(h2c.stdout) \(h2c.stderr)")

        // Gossip must see the edges alive before the responder routes by distance: poll, bounded.
        let boston = "203.0.113.0/24", munich = "192.0.2.0/24"
        var bostonAnswer: String?, munichAnswer: String?
        let started = Date()
        while Date().timeIntervalSince(started) < 30 {
            bostonAnswer = await Self.dig(server: "127.0.0.11", subnet: boston).first
            munichAnswer = await Self.dig(server: "127.0.0.11", subnet: munich).first
            if bostonAnswer == "127.0.0.13" && munichAnswer == "127.0.0.11" { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(bostonAnswer == "127.0.0.13", "a Boston client should get edge-3 (New York); log:\n\(up.log)")
        #expect(munichAnswer == "127.0.0.11", "a Munich client should get edge-1 (Frankfurt)")
        // The second name server (shield-1) gives the same answer from its own address.
        #expect(await Self.dig(server: "127.0.0.21", subnet: boston).first == "127.0.0.13")

        // `edge route` agrees with the responder (it reads the same gossip view through a node's metrics).
        let route = try EdgeProcess.run(["route", "--config", "edge.conf", "--client", "203.0.113.7"], in: directory)
        #expect(route.status == 0, "edge route:\n\(route.output)")
        let chosen = route.output.split(separator: "\n").first { $0.hasPrefix("* ") }.map(String.init) ?? ""
        #expect(chosen.contains("edge-3") && chosen.contains("127.0.0.13"), "edge route:\n\(route.output)")

        // curl --resolve to each answer is served by that edge: Cache-Status's last entry (the one nearest the
        // client) names it.
        for (answer, edge) in [(bostonAnswer, "edge-3"), (munichAnswer, "edge-1")] {
            let address = try #require(answer)
            let response = try await Curl.get("http://www.cdn.test:8080/index.html",
                                              arguments: ["--resolve", "www.cdn.test:8080:\(address)"])
            #expect(response.status == 200)
            let cacheStatus = response.header("cache-status") ?? ""
            let nearest = cacheStatus.split(separator: ",").last?.trimmingCharacters(in: .whitespaces) ?? ""
            #expect(nearest.hasPrefix("\(edge);"), "\(address) answered with Cache-Status \(cacheStatus)")
        }

        // PURGE from any loopback address of this machine is allowed by edge.conf's purge_allow (127.0.0.0/8):
        // sent here from 127.0.0.99, an address no node uses.
        let purge = try await Curl.get("http://www.cdn.test:8080/index.html",
                                       arguments: ["-X", "PURGE", "--interface", "127.0.0.99",
                                                   "--resolve", "www.cdn.test:8080:127.0.0.13"])
        #expect(purge.status == 200, "PURGE from 127.0.0.99 got \(purge.status)")

        up.signal(SIGTERM)
        #expect(await up.waitForExit(seconds: 30) != nil, "edge up did not stop on SIGTERM")
    }

    /// `dig +short` against one responder of the demo, for a client in `subnet` (EDNS Client Subnet).
    static func dig(server: String, subnet: String) async -> [String] {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/dig")
                process.arguments = ["@\(server)", "-p", "5353", "+time=1", "+tries=1", "www.cdn.test", "A", "+short",
                                     "+subnet=\(subnet)"]
                let pipe = Pipe()
                process.standardOutput = pipe
                process.standardError = pipe
                do { try process.run() } catch {
                    continuation.resume(returning: ["dig failed to start: \(error)"])
                    return
                }
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init))
            }
        }
    }
}
