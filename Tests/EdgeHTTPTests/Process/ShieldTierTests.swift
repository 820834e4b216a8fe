import Foundation
import Testing

/// Edges, shields and the origin as real processes and listeners on loopback: origin protection across tiers,
/// shield failover, stale serving when the origin is down, loop refusal, and how keys split between shields.
@Suite("shield tier", .serialized)
struct ShieldTierTests {
    static let objects = (1...24).map { "/obj/\($0).txt" }
    static var files: [String: String] {
        var files: [String: String] = [:]
        for path in objects { files[String(path.dropFirst())] = "content of \(path)\n" }
        files["stale/page.txt"] = "stale but useful\n"
        return files
    }
    static let rules = """
        match /obj/*
            cache-control "public, max-age=60"
            delay 150ms
        match /stale/*
            cache-control "public, max-age=1"
        default
            cache-control "public, max-age=60"
        """

    @Test func concurrentColdMissesFromEveryEdgeReachTheOriginOncePerObject() async throws {
        let cluster = try await TierCluster.start(shields: 1, edges: 3, files: Self.files, rules: Self.rules)
        defer { Task { await cluster.shutdown() } }
        let responses = try await withThrowingTaskGroup(of: TierCluster.Response.self) { group in
            for path in Self.objects {
                for edge in cluster.edges {
                    group.addTask { try await cluster.get(path, from: edge.name) }
                }
            }
            var all: [TierCluster.Response] = []
            for try await response in group { all.append(response) }
            return all
        }
        #expect(responses.count == Self.objects.count * 3)
        #expect(responses.allSatisfy { $0.status == 200 })
        for path in Self.objects {
            #expect(cluster.origin.requestCount(path: path) == 1, "origin requests for \(path)")
        }
        // Every response names both tiers, shield first.
        #expect(responses.allSatisfy { $0.cacheStatus.hasPrefix("shield-1;") && $0.cacheStatus.contains("edge-") })
    }

    @Test func killingTheShieldUnderLoadFailsNoRequestAndTheDeadShieldIsSkipped() async throws {
        let cluster = try await TierCluster.start(shields: 1, edges: 3, files: Self.files, rules: Self.rules)
        defer { Task { await cluster.shutdown() } }
        let started = Date()
        let killAt = 1.0
        let loadSeconds = 4.5
        let killer = Task {
            try await Task.sleep(for: .seconds(killAt))
            await cluster.kill("shield-1")
            return Date().timeIntervalSince(started)
        }
        // Three workers, one per edge, each sending requests back to back for a bounded time.
        let results = try await withThrowingTaskGroup(of: [(Double, TierCluster.Response)].self) { group in
            for (index, edge) in cluster.edges.enumerated() {
                group.addTask {
                    var results: [(Double, TierCluster.Response)] = []
                    var n = index
                    while Date().timeIntervalSince(started) < loadSeconds && results.count < 400 {
                        // A new query string each time: every request is a miss that must go upstream.
                        let path = Self.objects[n % Self.objects.count] + "?load=\(n)"
                        n += 3
                        let sentAt = Date().timeIntervalSince(started)
                        results.append((sentAt, try await cluster.get(path, from: edge.name)))
                    }
                    return results
                }
            }
            var all: [(Double, TierCluster.Response)] = []
            for try await part in group { all += part }
            return all
        }
        let killedAt = try await killer.value
        let failures = results.filter { $0.1.status != 200 }
        #expect(failures.isEmpty, "failed: \(failures.map { "\($0.1.status) \($0.1.cacheStatus)" }.prefix(5))")
        #expect(results.contains { $0.0 < killedAt && $0.1.cacheStatus.hasPrefix("shield-1;") })
        // Within the back-off plus a probe round, the dead shield is skipped: no more waiting on it.
        let settled = results.filter { $0.0 > killedAt + 1.5 }
        #expect(!settled.isEmpty)
        #expect(settled.allSatisfy { !$0.1.cacheStatus.contains("shield-1") })
        let slow = settled.filter { $0.1.seconds > 0.4 }
        #expect(slow.isEmpty, "slow after the shield was skipped: \(slow.map(\.1.seconds))")
        print("shield kill: \(results.count) requests, \(failures.count) failed, "
              + "\(settled.count) after settling, slowest settled \(settled.map(\.1.seconds).max() ?? 0) s")
    }

    @Test func withTheOriginDownStaleObjectsAreServedAndUncachedOnesFailFast() async throws {
        let cluster = try await TierCluster.start(shields: 1, edges: 1, files: Self.files, rules: Self.rules)
        defer { Task { await cluster.shutdown() } }
        let first = try await cluster.get("/stale/page.txt", from: "edge-1")
        #expect(first.status == 200)
        try await Task.sleep(for: .seconds(1.6))  // now stale at both tiers
        try await cluster.origin.stop()

        let stale = try await cluster.get("/stale/page.txt", from: "edge-1")
        #expect(stale.status == 200)
        #expect(stale.body == "stale but useful\n")
        #expect(stale.cacheStatus.contains("stale-if-error"), "Cache-Status: \(stale.cacheStatus)")

        let uncached = try await cluster.get("/obj/1.txt", from: "edge-1")
        // 502 while the refusals are being counted, 503 once health knows the origin is down.
        #expect([502, 503, 504].contains(uncached.status), "got \(uncached.status)")
        #expect(uncached.seconds < 8.5, "took \(uncached.seconds) s")
        print("origin down: stale answer \(stale.cacheStatus); uncached \(uncached.status) in \(uncached.seconds) s")
    }

    @Test func aForwardingLoopBetweenNodesIsRefused() async throws {
        // edge-1's origin is edge-2 and edge-2's origin is edge-1: a loop the config check cannot see, because
        // they are plain URLs; CDN-Loop stops it at the second hop.
        let ports = (freePort(), freePort())
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-loop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = """
            [cluster]
            name = "loop-test"
            [defaults.cache]
            disk_size = "0"
            [defaults.logging]
            access_log = false
            [defaults.upstream]
            connect_timeout = "500ms"
            [[nodes]]
            name = "edge-1"
            listen = "127.0.0.1:\(ports.0)"
            location = { latitude = 0, longitude = 0, region = "a" }
            [nodes.upstream]
            origins = ["http://127.0.0.1:\(ports.1)"]
            [[nodes]]
            name = "edge-2"
            listen = "127.0.0.1:\(ports.1)"
            location = { latitude = 1, longitude = 1, region = "b" }
            [nodes.upstream]
            origins = ["http://127.0.0.1:\(ports.0)"]
            """
        try config.write(to: directory.appendingPathComponent("edge.conf"), atomically: true, encoding: .utf8)
        let one = try EdgeProcess.start(["run", "--config", "edge.conf", "--node", "edge-1"], in: directory, logName: "e1")
        let two = try EdgeProcess.start(["run", "--config", "edge.conf", "--node", "edge-2"], in: directory, logName: "e2")
        defer { one.signal(SIGKILL); two.signal(SIGKILL) }
        try await one.waitForListener(port: ports.0)
        try await two.waitForListener(port: ports.1)
        let raw = try RawConnection(port: ports.0)
        raw.send("GET /loop.txt HTTP/1.1\r\nHost: www.loop.test\r\nConnection: close\r\n\r\n")
        let response = await raw.readAll().text
        #expect(response.hasPrefix("HTTP/1.1 508"), "got: \(response.prefix(300))")
        #expect(response.contains("forwarding loop detected"))
        // The body names no node (Cache-Status and Via carry cache names, as RFC 9211 and 9110 mean them to).
        let body = response.components(separatedBy: "\r\n\r\n").dropFirst().joined()
        #expect(!body.contains("edge-1") && !body.contains("edge-2"), "node names in the body: \(body)")
        #expect(two.log.contains("forwarding loop refused"))
    }

    @Test func keysSplitBetweenTwoShieldsAndLosingOneMovesOnlyItsKeys() async throws {
        let keys = (1...60).map { "/obj/\(($0 - 1) % 24 + 1).txt?k=\($0)" }
        let cluster = try await TierCluster.start(shields: 2, edges: 2, files: Self.files, rules: """
            match /obj/*
                cache-control "public, max-age=60"
            default
                cache-control "public, max-age=60"
            """)
        defer { Task { await cluster.shutdown() } }
        var home: [String: String] = [:]
        for key in keys {
            let response = try await cluster.get(key, from: "edge-1")
            #expect(response.status == 200)
            home[key] = response.firstCache
        }
        let split = Dictionary(grouping: keys) { home[$0] ?? "?" }.mapValues(\.count)
        print("rendezvous split of \(keys.count) keys: \(split.sorted { $0.key < $1.key })")
        #expect(Set(split.keys) == ["shield-1", "shield-2"])
        #expect(split.values.allSatisfy { $0 >= keys.count / 4 }, "uneven split \(split)")

        await cluster.kill("shield-2")
        try await Task.sleep(for: .seconds(1.5))  // a few probe rounds
        var moved = 0
        for key in keys {
            // edge-2 has none of these cached, so each request shows which shield is the key's home now.
            let response = try await cluster.get(key, from: "edge-2")
            #expect(response.status == 200)
            #expect(response.firstCache == "shield-1")
            if home[key] == "shield-1" {
                #expect(response.cacheStatus.hasPrefix("shield-1; hit"), "\(key) should not have moved")
            } else {
                moved += 1
            }
        }
        #expect(moved == split["shield-2"])
        print("after losing shield-2: \(moved) keys moved, \(keys.count - moved) stayed")
    }
}
