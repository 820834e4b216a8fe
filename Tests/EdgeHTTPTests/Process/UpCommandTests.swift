import Foundation
import Testing

/// `edge up`: the whole cluster of a config file as child processes, stopped together.
@Suite("edge up", .serialized)
struct UpCommandTests {
    @Test func startsEveryProcessAndStopsThemAllOnSIGTERM() async throws {
        let (directory, originPort, edgePorts) = try Self.writeCluster(edges: 2)
        defer { try? FileManager.default.removeItem(at: directory) }
        let edgeA = edgePorts[0], edgeB = edgePorts[1]

        let up = try EdgeProcess.start(["up", "--config", "edge.conf"], in: directory, logName: "up")
        defer { up.signal(SIGKILL) }
        #expect(try await Self.waitUntilRunning(up), "log:\n\(up.log)")
        #expect(up.log.contains("http://127.0.0.1:\(edgeA)/"))
        #expect(up.log.contains("http://127.0.0.1:\(edgeB)/"))

        for port in [edgeA, edgeB] {
            let connection = try RawConnection(port: port)
            connection.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            let (text, _) = await connection.readAll()
            #expect(text.hasPrefix("HTTP/1.1 200"))
            #expect(text.hasSuffix("hello from the origin"))
        }

        up.signal(SIGTERM)
        let status = await up.waitForExit(seconds: 30)
        #expect(status == 0, "log:\n\(up.log)")
        for port in [originPort, edgeA, edgeB] {
            #expect((try? RawConnection(port: port)) == nil, "port \(port) still open after edge up stopped")
        }
    }

    /// A one-edge cluster with its dev origin, in a fresh directory; returns the directory and the edge's port.
    static func writeSmallCluster() throws -> (directory: URL, edgePort: Int) {
        let (directory, _, edgePorts) = try writeCluster(edges: 1)
        return (directory, edgePorts[0])
    }

    /// A cluster of `edges` edges (edge-a, edge-b, …; at most 2 locations, then repeated) and its dev origin, in
    /// a fresh directory.
    static func writeCluster(edges: Int) throws -> (directory: URL, originPort: Int, edgePorts: [Int]) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-up-\(UUID().uuidString)")
        let site = directory.appendingPathComponent("site")
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        try "hello from the origin".write(to: site.appendingPathComponent("index.html"), atomically: true,
                                          encoding: .utf8)
        try "default\n  cache-control \"public, max-age=60\"\n".write(
            to: directory.appendingPathComponent("rules.conf"), atomically: true, encoding: .utf8)
        let originPort = freePort()
        let edgePorts = (0..<edges).map { _ in freePort() }
        let locations = ["{ latitude = 50.1, longitude = 8.7, region = \"eu\" }",
                         "{ latitude = 40.7, longitude = -74.0, region = \"us\" }"]
        var text = """
            [defaults.upstream]
            origins = ["origin"]
            [defaults.cache]
            disk_path = "cache/{node}"
            disk_size = "64MiB"
            [defaults.logging]
            access_log = false

            [[origins]]
            name = "origin"
            url = "http://127.0.0.1:\(originPort)"
            root = "site"
            rules = "rules.conf"

            """
        for (index, port) in edgePorts.enumerated() {
            let name = "edge-" + String(UnicodeScalar(UInt8(ascii: "a") + UInt8(index)))
            text += """

                [[nodes]]
                name = "\(name)"
                listen = "127.0.0.1:\(port)"
                location = \(locations[index % locations.count])

                """
        }
        try text.write(to: directory.appendingPathComponent("edge.conf"), atomically: true, encoding: .utf8)
        return (directory, originPort, edgePorts)
    }

    static func waitUntilRunning(_ up: EdgeProcess) async throws -> Bool {
        for _ in 0..<300 {
            if up.log.contains("cluster running") { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    static func answers(port: Int) async -> Bool {
        guard let connection = try? RawConnection(port: port) else { return false }
        connection.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        let (text, _) = await connection.readAll()
        return text.hasPrefix("HTTP/1.1 200")
    }

    /// The node's pid, from the pid file it writes beside its disk tier.
    static func nodePid(in directory: URL) -> pid_t? {
        let path = directory.appendingPathComponent("cache/edge-a.pid").path
        return (try? String(contentsOfFile: path, encoding: .utf8))
            .flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    @Test func aKilledNodeIsReportedBySignalNameAndRestarted() async throws {
        let (directory, edgePort) = try Self.writeSmallCluster()
        defer { try? FileManager.default.removeItem(at: directory) }
        let up = try EdgeProcess.start(["up", "--config", "edge.conf"], in: directory, logName: "up")
        defer { up.signal(SIGKILL) }
        #expect(try await Self.waitUntilRunning(up), "log:\n\(up.log)")
        let firstPid = try #require(Self.nodePid(in: directory))
        let killedAt = Date()
        kill(firstPid, SIGKILL)
        var back = false
        while !back && Date().timeIntervalSince(killedAt) < 10 {
            try await Task.sleep(for: .milliseconds(100))
            guard Self.nodePid(in: directory).map({ $0 != firstPid }) == true else { continue }
            back = await Self.answers(port: edgePort)
        }
        #expect(back, "log:\n\(up.log)")
        #expect(Date().timeIntervalSince(killedAt) < 5, "answers again within a few seconds")
        #expect(up.log.contains("edge up: edge-a killed by SIGKILL; restarting in 0.5s"), "log:\n\(up.log)")
        #expect(!up.log.contains("exited with status 9"))

        up.signal(SIGTERM)
        #expect(await up.waitForExit(seconds: 30) == 0, "log:\n\(up.log)")
        #expect((try? RawConnection(port: edgePort)) == nil, "the restarted node is stopped with the rest")
    }

    @Test func noRestartOnlyReportsTheExit() async throws {
        let (directory, edgePort) = try Self.writeSmallCluster()
        defer { try? FileManager.default.removeItem(at: directory) }
        let up = try EdgeProcess.start(["up", "--config", "edge.conf", "--no-restart"], in: directory, logName: "up")
        defer { up.signal(SIGKILL) }
        #expect(try await Self.waitUntilRunning(up), "log:\n\(up.log)")
        let pid = try #require(Self.nodePid(in: directory))
        kill(pid, SIGKILL)
        var reported = false
        for _ in 0..<100 where !reported {
            try await Task.sleep(for: .milliseconds(50))
            reported = up.log.contains("edge up: edge-a killed by SIGKILL; not restarting it")
        }
        #expect(reported, "log:\n\(up.log)")
        try await Task.sleep(for: .seconds(1.5))
        let answered = await Self.answers(port: edgePort)
        #expect(!answered, "nothing restarted it")
        up.signal(SIGTERM)
        _ = await up.waitForExit(seconds: 30)
    }

    @Test func sighupToEdgeUpReloadsEveryNodeAndEndsNothing() async throws {
        let (directory, edgePort) = try Self.writeSmallCluster()
        defer { try? FileManager.default.removeItem(at: directory) }
        let up = try EdgeProcess.start(["up", "--config", "edge.conf"], in: directory, logName: "up")
        defer { up.signal(SIGKILL) }
        #expect(try await Self.waitUntilRunning(up), "log:\n\(up.log)")
        up.signal(SIGHUP)
        var reloaded = false
        for _ in 0..<100 where !reloaded {
            try await Task.sleep(for: .milliseconds(50))
            reloaded = up.log.contains("[edge-a] ") && up.log.contains("reload: no changes")
        }
        #expect(reloaded, "log:\n\(up.log)")
        #expect(up.log.contains("edge up: reloading edge-a"))
        #expect(!up.log.contains("killed by"), "log:\n\(up.log)")
        #expect(await Self.answers(port: edgePort))
        up.signal(SIGTERM)
        #expect(await up.waitForExit(seconds: 30) == 0, "log:\n\(up.log)")
    }

    /// `edge up --traffic` makes the dashboard come alive: a Zipf mix over the dev origin's real files reaches
    /// the edges (hits and misses in the node's per-second samples) and a purge goes through the admin API.
    @Test func trafficReplaysARequestMixAndAPurgeThatTheStatsShow() async throws {
        let (directory, _, _) = try Self.writeCluster(edges: 1)
        defer { try? FileManager.default.removeItem(at: directory) }
        let site = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("origin/site").path
        let adminPort = freePort()
        let token = "traffic-test-token"
        let configPath = directory.appendingPathComponent("edge.conf")
        var text = try String(contentsOf: configPath, encoding: .utf8)
        text = text.replacingOccurrences(of: #"root = "site""#, with: "root = \"\(site)\"")
        text = "[admin]\ntoken = \"\(token)\"\n\n" + text
            + "admin_listen = \"127.0.0.1:\(adminPort)\"\n"
        try text.write(to: configPath, atomically: true, encoding: .utf8)

        let up = try EdgeProcess.start(["up", "--config", "edge.conf", "--traffic", "--traffic-rate", "200"],
                                       in: directory, logName: "up")
        defer { up.signal(SIGKILL) }
        #expect(try await Self.waitUntilRunning(up), "log:\n\(up.log)")
        var purged = false
        for _ in 0..<150 where !purged {
            try await Task.sleep(for: .milliseconds(100))
            purged = up.log.contains("edge up: traffic: purged http://")
        }
        #expect(purged, "log:\n\(up.log)")
        #expect(up.log.contains("replaying traffic at 200 req/s"))
        try await Task.sleep(for: .seconds(1.2))  // the sampler's next second

        let samples = try await Self.adminGet("/stats/samples", port: adminPort, token: token)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(samples.utf8)) as? [String: Any])
        let seconds = try #require(document["samples"] as? [[String: Any]])
        let total = { (key: String) in seconds.reduce(0) { $0 + ($1[key] as? Int ?? 0) } }
        #expect(total("requests") > 200, "\(samples.prefix(600))")
        #expect(total("hits") > 0 && total("misses") > 0, "\(samples.prefix(600))")
        #expect(((document["purges"] as? [Any])?.count ?? 0) >= 1, "\(samples.suffix(600))")
        up.signal(SIGTERM)
        #expect(await up.waitForExit(seconds: 30) == 0, "log:\n\(up.log)")
    }

    static func adminGet(_ path: String, port: Int, token: String) async throws -> String {
        let connection = try RawConnection(port: port)
        connection.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n"
                        + "Connection: close\r\n\r\n")
        let (text, _) = await connection.readAll()
        guard let split = text.range(of: "\r\n\r\n") else { return text }
        return String(text[split.upperBound...])
    }
}
