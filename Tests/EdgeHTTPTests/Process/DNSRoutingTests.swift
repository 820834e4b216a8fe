import Foundation
import Testing

/// Three gossiping `edge run` processes, one of them answering DNS, queried with the real `dig`.
@Suite("DNS routing between processes", .serialized)
struct DNSRoutingTests {
    static let detectionBound = 8.0

    final class Cluster: @unchecked Sendable {
        let directory: URL
        let names = ["edge-1", "edge-2", "edge-3"]
        let addresses = ["10.0.0.1", "10.0.0.2", "10.0.0.3"]
        let locations = [(50.11, 8.68, "eu-central"), (51.51, -0.13, "eu-west"), (40.71, -74.01, "us-east")]
        let httpPorts: [Int]
        let gossipPorts: [Int]
        let metricsPorts: [Int]
        let dnsPort: Int
        var processes: [String: EdgeProcess] = [:]

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-dns-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            // Ten listeners in three processes: every port distinct, UDP ones free for UDP too.
            var taken = Set<Int>()
            func unique(_ pick: () -> Int) -> Int {
                var port = pick()
                while taken.contains(port) { port = pick() }
                taken.insert(port)
                return port
            }
            httpPorts = names.map { _ in unique(freePort) }
            gossipPorts = names.map { _ in unique(freeTCPAndUDPPort) }
            metricsPorts = names.map { _ in unique(freePort) }
            dnsPort = unique(freeTCPAndUDPPort)
            try config().write(to: directory.appendingPathComponent("edge.conf"), atomically: true, encoding: .utf8)
        }

        func config() -> String {
            var text = """
                [cluster]
                name = "dns-test"
                service_names = ["www.cdn.test"]
                gossip_key = "dns-test-cluster-key"
                [dns]
                zone = "cdn.test"
                ttl = "20s"
                answers = 1
                [[dns.name_servers]]
                name = "ns1.cdn.test"
                address = "127.0.0.1"
                [[dns.geo]]
                cidr = "192.0.2.0/24"
                location = { latitude = 48.14, longitude = 11.58, region = "eu-central" }
                [[dns.geo]]
                cidr = "198.51.100.0/24"
                location = { latitude = 53.48, longitude = -2.24, region = "eu-west" }
                [[dns.geo]]
                cidr = "203.0.113.0/24"
                location = { latitude = 42.36, longitude = -71.06, region = "us-east" }
                [defaults.upstream]
                origins = ["http://127.0.0.1:9"]
                health_check_interval = "0s"
                [defaults.cache]
                disk_size = "0"
                [defaults.logging]
                access_log = false
                [defaults.limits]
                drain_timeout = "3s"
                [defaults.gossip]
                probe_interval = "200ms"
                probe_timeout = "100ms"
                suspicion_multiplier = 3

                """
            for (index, name) in names.enumerated() {
                let (latitude, longitude, region) = locations[index]
                text += """

                    [[nodes]]
                    name = "\(name)"
                    listen = "127.0.0.1:\(httpPorts[index])"
                    public_address = "\(addresses[index])"
                    metrics_listen = "127.0.0.1:\(metricsPorts[index])"
                    gossip_listen = "127.0.0.1:\(gossipPorts[index])"
                    location = { latitude = \(latitude), longitude = \(longitude), region = "\(region)" }
                    \(index == 0 ? "dns_listen = \"127.0.0.1:\(dnsPort)\"" : "")

                    """
            }
            return text
        }

        func start(_ name: String) async throws {
            guard let index = names.firstIndex(of: name) else { return }
            let process = try EdgeProcess.start(["run", "--config", "edge.conf", "--node", name], in: directory,
                                                logName: "\(name)-\(UUID().uuidString.prefix(4))")
            processes[name] = process
            do {
                try await process.waitForListener(port: httpPorts[index])
            } catch {
                Issue.record("\(name) did not start; its output:\n\(process.log)")
                throw error
            }
        }

        func stop() async {
            for process in processes.values { process.signal(SIGKILL) }
            for process in processes.values { _ = await process.waitForExit(seconds: 5) }
            try? FileManager.default.removeItem(at: directory)
        }

        /// `dig +short` through the real client; its output lines.
        func dig(_ arguments: [String]) async -> [String] {
            let port = dnsPort
            return await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: "/usr/bin/dig")
                    process.arguments = ["@127.0.0.1", "-p", String(port), "+time=1", "+tries=1"] + arguments
                    let pipe = Pipe()
                    process.standardOutput = pipe
                    process.standardError = pipe
                    do { try process.run() } catch {
                        continuation.resume(returning: ["dig failed to start: \(error)"])
                        return
                    }
                    let data = pipe.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    continuation.resume(returning: String(decoding: data, as: UTF8.self)
                        .split(separator: "\n").map(String.init))
                }
            }
        }

        /// The first address answered for a client in `subnet`.
        func answer(subnet: String, tcp: Bool = false) async -> String? {
            await dig(["www.cdn.test", "A", "+short", "+subnet=\(subnet)"] + (tcp ? ["+tcp"] : [])).first
        }

        /// Polls until the answer for `subnet` is not `address`; seconds taken, or nil after `limit`.
        func secondsUntilAnswer(for subnet: String, isNot address: String, limit: Double) async -> Double? {
            let started = Date()
            while Date().timeIntervalSince(started) < limit {
                if let answer = await answer(subnet: subnet), answer != address, answer.hasPrefix("10.") {
                    return Date().timeIntervalSince(started)
                }
                try? await Task.sleep(for: .milliseconds(100))
            }
            return nil
        }
    }

    @Test func answersFollowLocationAndMoveAwayFromDeadAndDrainingEdges() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: "/usr/bin/dig"), "dig (dnsutils) is required")
        let cluster = try Cluster()
        defer { Task { await cluster.stop() } }
        for name in cluster.names { try await cluster.start(name) }
        // Wait until the DNS node's gossip view has everyone alive (the US client then gets edge-3).
        let joined = Date()
        while await cluster.answer(subnet: "203.0.113.0/24") != "10.0.0.3" && Date().timeIntervalSince(joined) < 10 {
            try await Task.sleep(for: .milliseconds(100))
        }

        #expect(await cluster.answer(subnet: "192.0.2.0/24") == "10.0.0.1")     // Munich → Frankfurt
        #expect(await cluster.answer(subnet: "198.51.100.0/24") == "10.0.0.2")  // Manchester → London
        #expect(await cluster.answer(subnet: "203.0.113.0/24") == "10.0.0.3")   // Boston → New York
        #expect(await cluster.answer(subnet: "203.0.113.0/24", tcp: true) == "10.0.0.3")
        let full = await cluster.dig(["www.cdn.test", "A", "+subnet=203.0.113.0/24"])
        #expect(full.contains { $0.contains("status: NOERROR") })
        #expect(full.contains { $0.contains("CLIENT-SUBNET: 203.0.113.0/24/24") })
        #expect(await cluster.dig(["nope.cdn.test", "A"]).contains { $0.contains("status: NXDOMAIN") })
        #expect(await cluster.dig(["www.example.org", "A"]).contains { $0.contains("status: REFUSED") })

        // SIGKILL the nearest edge for the US: within the gossip detection bound the answer moves on.
        cluster.processes["edge-3"]?.signal(SIGKILL)
        let moved = await cluster.secondsUntilAnswer(for: "203.0.113.0/24", isNot: "10.0.0.3",
                                                     limit: Self.detectionBound)
        #expect(moved != nil, "the dead edge was still answered after \(Self.detectionBound) s")
        print("DNS answer moved off a SIGKILLed edge after \(moved.map { String(format: "%.2f", $0) } ?? "-") s")

        // A draining edge (SIGTERM: it leaves the membership at once, then drains) stops being returned.
        cluster.processes["edge-2"]?.signal(SIGTERM)
        let drained = await cluster.secondsUntilAnswer(for: "198.51.100.0/24", isNot: "10.0.0.2", limit: 3)
        #expect(drained != nil, "a draining edge was still answered")
        #expect(await cluster.answer(subnet: "198.51.100.0/24") == "10.0.0.1")
    }
}
