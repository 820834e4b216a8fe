import Foundation
import Testing

/// Origin outages through real `edge run` processes (a shield and an edge) and a real `edge origin` process
/// that the tests SIGKILL or SIGSTOP: known-down upstreams are not attempted, the answer is immediate (stale,
/// or 503 with Retry-After), a hung origin costs one first-byte timeout per back-off period, and a half-open
/// probe brings it back.
@Suite("origin outages", .serialized)
struct OutageTests {
    static let objects = (1...40).map { "/obj/\($0).txt" }
    static var files: [String: String] {
        var files: [String: String] = [:]
        for path in objects { files[String(path.dropFirst())] = "content of \(path)\n" }
        files["stale/page.txt"] = "stale but useful\n"
        return files
    }
    static let rules = """
        match /stale/*
            cache-control "public, max-age=1"
        default
            cache-control "public, max-age=60"
        """

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    @Test func withTheOriginKilledColdRequestsGet503AndRetryAfterAtOnceAndStaleIsServed() async throws {
        let cluster = try await TierCluster.start(shields: 1, edges: 1, files: Self.files, rules: Self.rules,
                                                  originProcess: true)
        defer { Task { await cluster.shutdown() } }
        let warm = try await cluster.get("/stale/page.txt", from: "edge-1")
        #expect(warm.status == 200)
        try await Task.sleep(for: .seconds(1.6))  // stale at both tiers now

        await cluster.kill("origin")
        // Health says down once the probes (every 250 ms, 2 of 3 failing) or two failed requests say so; a
        // cold request answered 503 is how a client sees that.
        var probe = 1
        var down = false
        let waitUntil = Date().addingTimeInterval(6)
        while Date() < waitUntil {
            let answer = try await cluster.get(Self.objects[probe], from: "edge-1")
            probe += 1
            if answer.status == 503 { down = true; break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(down, "no 503 within 6 s of the origin's death")

        var times: [Double] = []
        for path in Self.objects[20..<40] {
            let answer = try await cluster.get(path, from: "edge-1")
            #expect(answer.status == 503, "\(path): \(answer.status) \(answer.cacheStatus)")
            let retryAfter = answer.headers.first(name: "retry-after").flatMap { Int($0) }
            #expect(retryAfter.map { $0 >= 1 } == true, "Retry-After: \(answer.headers["retry-after"])")
            times.append(answer.seconds)
        }
        let stale = try await cluster.get("/stale/page.txt", from: "edge-1")
        #expect(stale.status == 200)
        #expect(stale.body == "stale but useful\n")
        #expect(stale.cacheStatus.contains("stale-if-error"), "Cache-Status: \(stale.cacheStatus)")
        #expect(stale.seconds < 0.5, "stale took \(stale.seconds) s")
        let median = Self.median(times), slowest = times.max() ?? 0
        #expect(slowest < 0.5, "slowest 503 took \(slowest) s")
        print(String(format: "origin killed: %d cold requests -> 503 + Retry-After, median %.1f ms, max %.1f ms; "
                     + "stale-if-error in %.1f ms", times.count, median * 1000, slowest * 1000, stale.seconds * 1000))
    }

    @Test func aHungOriginCostsOneFirstByteTimeoutPerBackoffAndTheHalfOpenProbeClosesTheCircuit() async throws {
        // No active probes: only the circuit breaker decides. The edge gives a shield 1 s more than the
        // first-byte timeout, so the shield's answer about its hung origin arrives before the edge gives up.
        let cluster = try await TierCluster.start(
            shields: 1, edges: 1, files: Self.files, rules: Self.rules,
            upstream: """
                first_byte_timeout = "1s"
                failure_backoff = "2s"
                health_check_interval = "0s"
                """,
            originProcess: true)
        defer { Task { await cluster.shutdown() } }
        let warm = try await cluster.get("/stale/page.txt", from: "edge-1")
        #expect(warm.status == 200)
        try await Task.sleep(for: .seconds(1.6))

        cluster.signal("origin", SIGSTOP)
        // The first request meets the hung origin: one first-byte timeout at the shield, then stale.
        let first = try await cluster.get("/stale/page.txt", from: "edge-1")
        #expect(first.status == 200 && first.body == "stale but useful\n", "\(first.status) \(first.cacheStatus)")
        #expect(first.seconds < 2.4, "the first stale answer took \(first.seconds) s")
        // The timeout opened the circuit: cold requests in this back-off period are answered at once.
        var times: [Double] = []
        for path in Self.objects[0..<10] {
            let answer = try await cluster.get(path, from: "edge-1")
            #expect(answer.status == 503, "\(path): \(answer.status) \(answer.cacheStatus)")
            #expect(answer.headers.first(name: "retry-after") != nil)
            times.append(answer.seconds)
        }
        #expect((times.max() ?? 0) < 0.5, "slowest \(times.max() ?? 0) s")

        cluster.signal("origin", SIGCONT)
        try await Task.sleep(for: .seconds(2.2))  // the back-off ends: the next request is the half-open probe
        let probe = try await cluster.get(Self.objects[10], from: "edge-1")
        #expect(probe.status == 200, "\(probe.status) \(probe.cacheStatus)")
        let after = try await cluster.get(Self.objects[11], from: "edge-1")
        #expect(after.status == 200, "\(after.status) \(after.cacheStatus)")
        print(String(format: "origin hung: first (stale) answer %.0f ms; %d cold requests -> 503, median %.1f ms, "
                     + "max %.1f ms; after SIGCONT + back-off: %d, %d", first.seconds * 1000, times.count,
                     Self.median(times) * 1000, (times.max() ?? 0) * 1000, probe.status, after.status))
    }

    @Test func requestsTheEdgeCannotForwardDoNotMarkUpstreamsDown() async throws {
        let cluster = try await TierCluster.start(shields: 1, edges: 1, files: Self.files, rules: Self.rules)
        defer { Task { await cluster.shutdown() } }
        // Absolute-form with a host the upstream client cannot make a URL of: three times, more than
        // failure_threshold (2). Whatever the edge answers, it must not be an upstream failure.
        for _ in 0..<3 {
            let connection = try RawConnection(port: cluster.port("edge-1"))
            connection.send("GET http://x.example/ HTTP/1.1\r\nHost: www.tier.test\r\nConnection: close\r\n\r\n")
            let (text, _) = await connection.readAll()
            let statusLine = text.split(separator: "\r\n").first.map(String.init) ?? ""
            #expect(!statusLine.contains(" 502") && !statusLine.contains(" 504"), "\(statusLine)")
        }
        // The shield is still healthy at the edge: a cold request is served through it, not around it.
        let cold = try await cluster.get("/obj/1.txt", from: "edge-1")
        #expect(cold.status == 200)
        #expect(cold.firstCache == "shield-1", "Cache-Status: \(cold.cacheStatus)")
    }
}
