import AsyncHTTPClient
import EdgeCluster
import Foundation
import NIOCore
import NIOPosix
import Testing

/// Five real `edge run` processes gossiping over UDP on loopback.
@Suite("gossip between processes", .serialized)
struct GossipClusterTests {
    /// Timings for a fast test: probe every 200 ms; a suspect is declared dead after
    /// suspicion_multiplier × max(1, log10 5) × 200 ms = 0.6 s at the earliest (Lifeguard may stretch it up to
    /// 6× while confirmations are missing), so every node should agree within a few seconds.
    static let probeInterval = 0.2
    static let detectionBound = 8.0

    final class Cluster: @unchecked Sendable {
        let directory: URL
        let names = (1...5).map { "g\($0)" }
        let httpPorts: [Int]
        let metricsPorts: [Int]
        let gossipPorts: [Int]
        var processes: [String: EdgeProcess] = [:]
        let client: HTTPClient

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-gossip-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            httpPorts = names.map { _ in freePort() }
            metricsPorts = names.map { _ in freePort() }
            gossipPorts = names.map { _ in freeTCPAndUDPPort() }
            client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
            try config(key: "the-right-cluster-key").write(to: directory.appendingPathComponent("edge.conf"),
                                                            atomically: true, encoding: .utf8)
            try config(key: "some-other-cluster-key").write(to: directory.appendingPathComponent("wrong-key.conf"),
                                                             atomically: true, encoding: .utf8)
        }

        func config(key: String) -> String {
            var text = """
                [cluster]
                name = "gossip-test"
                gossip_key = "\(key)"

                [defaults.upstream]
                origins = ["http://127.0.0.1:9"]
                [defaults.cache]
                disk_size = "0"
                [defaults.logging]
                access_log = false
                [defaults.gossip]
                probe_interval = "200ms"
                probe_timeout = "100ms"
                suspicion_multiplier = 3

                """
            for (index, name) in names.enumerated() {
                text += """

                    [[nodes]]
                    name = "\(name)"
                    listen = "127.0.0.1:\(httpPorts[index])"
                    metrics_listen = "127.0.0.1:\(metricsPorts[index])"
                    gossip_listen = "127.0.0.1:\(gossipPorts[index])"
                    location = { latitude = \(10 * index), longitude = \(20 * index), region = "r\(index)" }

                    """
            }
            return text
        }

        func start(_ name: String, config: String = "edge.conf") async throws {
            let index = try #require(names.firstIndex(of: name))
            processes[name] = try EdgeProcess.start(["run", "--config", config, "--node", name], in: directory,
                                                    logName: "\(name)-\(UUID().uuidString.prefix(4))")
            try await processes[name]?.waitForListener(port: metricsPorts[index])
        }

        /// name → state, as `observer` sees the cluster.
        func states(seenBy observer: String) async -> [String: String] {
            guard let index = names.firstIndex(of: observer) else { return [:] }
            let url = "http://127.0.0.1:\(metricsPorts[index])/members?format=json"
            guard let response = try? await client.execute(HTTPClientRequest(url: url), timeout: .seconds(2)),
                  let body = try? await response.body.collect(upTo: 1 << 20),
                  let records = MembersDocument.decode(Data(body.readableBytesView))
            else { return [:] }
            return Dictionary(records.map { ($0.name, $0.state) }, uniquingKeysWith: { first, _ in first })
        }

        /// Polls until `condition` holds for every observer, or `seconds` pass; returns the time it took.
        func waitUntil(_ observers: [String], seconds: Double,
                       _ condition: @escaping ([String: String]) -> Bool) async -> Double? {
            let started = Date()
            while Date().timeIntervalSince(started) < seconds {
                var all = true
                for observer in observers where !condition(await states(seenBy: observer)) { all = false }
                if all { return Date().timeIntervalSince(started) }
                try? await Task.sleep(for: .milliseconds(100))
            }
            return nil
        }

        func tearDown() async {
            for process in processes.values { process.signal(SIGKILL) }
            for process in processes.values { _ = await process.waitForExit(seconds: 5) }
            try? await client.shutdown()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    @Test func aKilledNodeIsSeenDeadByAllThenRejoinsAndAWrongKeyNeverJoins() async throws {
        let cluster = try Cluster()
        defer { Task { await cluster.tearDown() } }
        for name in cluster.names { try await cluster.start(name) }

        let converged = await cluster.waitUntil(cluster.names, seconds: 15) { states in
            states.count == 5 && states.values.allSatisfy { $0 == "alive" }
        }
        let afterStart = await cluster.states(seenBy: "g1")
        #expect(converged != nil, "all five see five alive members: \(afterStart)")

        // SIGKILL g3: no leave message, so the others must detect it by probing.
        cluster.processes["g3"]?.signal(SIGKILL)
        _ = await cluster.processes["g3"]?.waitForExit(seconds: 5)
        let others = cluster.names.filter { $0 != "g3" }
        let detected = await cluster.waitUntil(others, seconds: Self.detectionBound) { $0["g3"] == "dead" }
        let afterKill = await cluster.states(seenBy: "g1")
        #expect(detected != nil, "every other node marks g3 dead within \(Self.detectionBound) s; g1 sees \(afterKill)")

        // Restarted, it rejoins as alive (with a higher incarnation than the one declared dead).
        try await cluster.start("g3")
        let rejoined = await cluster.waitUntil(cluster.names, seconds: 15) { states in
            states["g3"] == "alive" && states.values.filter { $0 == "alive" }.count == 5
        }
        let afterRejoin = await cluster.states(seenBy: "g1")
        #expect(rejoined != nil, "g3 is alive again everywhere: \(afterRejoin)")

        // Graceful stop: peers mark it left at once, without a suspicion period.
        cluster.processes["g5"]?.signal(SIGTERM)
        let left = await cluster.waitUntil(["g1", "g2"], seconds: 3) { $0["g5"] == "left" }
        let afterLeave = await cluster.states(seenBy: "g1")
        #expect(left != nil, "SIGTERM makes the node leave: \(afterLeave)")

        // g4 restarted under another key: its packets are dropped, so it never rejoins and sees nobody.
        cluster.processes["g4"]?.signal(SIGKILL)
        _ = await cluster.processes["g4"]?.waitForExit(seconds: 5)
        _ = await cluster.waitUntil(["g1"], seconds: Self.detectionBound) { $0["g4"] == "dead" }
        try await cluster.start("g4", config: "wrong-key.conf")
        try await Task.sleep(for: .seconds(3))
        let g4SeenByG1 = await cluster.states(seenBy: "g1")["g4"]
        #expect(g4SeenByG1 == "dead")
        let seenByImpostor = await cluster.states(seenBy: "g4")
        #expect(seenByImpostor.filter { $0.key != "g4" }.values.allSatisfy { $0 != "alive" },
                "the wrong-key node joins no one: \(seenByImpostor)")
    }
}
