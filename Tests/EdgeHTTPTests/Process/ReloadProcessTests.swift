import Foundation
import Synchronization
import Testing

/// SIGHUP and `edge reload` on a real node process: the configuration is re-read, live keys take effect for
/// new connections, requests keep being served, an invalid file changes nothing, and the node never dies of it.
@Suite("edge reload", .serialized)
struct ReloadProcessTests {
    typealias Fixture = ProcessLifecycleTests.Fixture

    /// How many requests have been answered, shared by the load tasks.
    final class Counter: Sendable {
        private let count = Mutex(0)
        func add() { count.withLock { $0 += 1 } }
        var value: Int { count.withLock { $0 } }
    }

    static func startFixture() async throws -> Fixture {
        let fixture = try await Fixture(files: ["page.html": Array("<p>served through reloads</p>".utf8)], rules: """
            default
              cache-control "public, max-age=600"
            """)
        try await fixture.startEdge()
        return fixture
    }

    /// Rewrites edge.conf with `lines` added to `[defaults.limits]`; returns the line number of the first one.
    @discardableResult
    static func setLimits(_ lines: String, in fixture: Fixture) throws -> Int {
        let url = fixture.directory.appendingPathComponent("edge.conf")
        var text = try String(contentsOf: url, encoding: .utf8)
        let anchor = "drain_timeout = \"10s\"\n"
        let range = try #require(text.range(of: anchor))
        let line = text[..<range.upperBound].filter { $0 == "\n" }.count + 1
        text.insert(contentsOf: lines + "\n", at: range.upperBound)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return line
    }

    /// The status of a POST with a `size`-byte body on a new connection (limits apply per connection).
    static func postStatus(size: Int, port: Int) async throws -> String {
        let connection = try RawConnection(port: port)
        connection.send("POST /page.html HTTP/1.1\r\nHost: t\r\nContent-Length: \(size)\r\nConnection: close\r\n\r\n"
                        + String(repeating: "x", count: size))
        let (text, _) = await connection.readAll()
        return String(text.prefix(12))
    }

    static func waitForLog(_ edge: EdgeProcess, containing needle: String, after offset: Int) async -> Bool {
        for _ in 0..<100 {
            if edge.log.dropFirst(offset).contains(needle) { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @Test func sighupAppliesANewBodyLimitWhileRequestsKeepBeingServed() async throws {
        let fixture = try await Self.startFixture()
        defer { Task { await fixture.tearDown() } }
        let edge = try #require(fixture.edge)
        #expect(try await Self.postStatus(size: 5000, port: fixture.edgePort) != "HTTP/1.1 413")
        _ = try await fixture.get("/page.html")

        try Self.setLimits("max_request_body_bytes = 1000", in: fixture)
        let offset = edge.log.count
        // 4 clients × 200 requests, with SIGHUP sent once 100 have been answered.
        let answered = Counter()
        let load = (0..<4).map { _ in
            Task { () -> [Int] in
                var statuses: [Int] = []
                for _ in 0..<200 {
                    statuses.append((try? await fixture.get("/page.html").status) ?? 0)
                    answered.add()
                }
                return statuses
            }
        }
        while answered.value < 100 { try await Task.sleep(for: .milliseconds(2)) }
        edge.signal(SIGHUP)
        let answeredAtSignal = answered.value
        var statuses: [Int] = []
        for task in load { statuses += await task.value }
        #expect(answeredAtSignal < 700, "the signal went in while the load ran (\(answeredAtSignal) answered)")
        #expect(statuses.count == 800)
        #expect(statuses.allSatisfy { $0 == 200 }, "not 200: \(statuses.filter { $0 != 200 })")

        #expect(await Self.waitForLog(edge, containing: "reload: applied limits.max_request_body_bytes", after: offset),
                "log:\n\(edge.log)")
        #expect(edge.process.isRunning)
        #expect(try await Self.postStatus(size: 5000, port: fixture.edgePort) == "HTTP/1.1 413")
        #expect(try await Self.postStatus(size: 500, port: fixture.edgePort) != "HTTP/1.1 413")
    }

    @Test func anInvalidFileKeepsTheRunningConfigurationAndNamesFileLineAndKey() async throws {
        let fixture = try await Self.startFixture()
        defer { Task { await fixture.tearDown() } }
        let edge = try #require(fixture.edge)
        let line = try Self.setLimits("max_request_body_bytes = \"lots\"", in: fixture)
        let offset = edge.log.count
        edge.signal(SIGHUP)
        #expect(await Self.waitForLog(edge, containing: "keeping the running configuration", after: offset),
                "log:\n\(edge.log)")
        let logged = String(edge.log.dropFirst(offset))
        #expect(logged.contains("edge.conf:\(line):"), "log:\n\(logged)")
        #expect(logged.contains("max_request_body_bytes"))
        #expect(edge.process.isRunning)
        #expect(try await fixture.get("/page.html").status == 200)
        #expect(try await Self.postStatus(size: 5000, port: fixture.edgePort) != "HTTP/1.1 413",
                "the old 10 MiB limit still holds")
    }

    @Test func repeatedSighupNeverEndsTheNodeAndNamesWhatNeedsARestart() async throws {
        let fixture = try await Self.startFixture()
        defer { Task { await fixture.tearDown() } }
        let edge = try #require(fixture.edge)
        // The disk tier's size is what the disk tier was built with: a restart.
        let url = fixture.directory.appendingPathComponent("edge.conf")
        try String(contentsOf: url, encoding: .utf8)
            .replacingOccurrences(of: "disk_size = \"256MiB\"", with: "disk_size = \"512MiB\"")
            .write(to: url, atomically: true, encoding: .utf8)
        let offset = edge.log.count
        for _ in 0..<5 {
            edge.signal(SIGHUP)
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(await Self.waitForLog(edge, containing: "reload: changes to cache need a restart",
                                      after: offset), "log:\n\(edge.log)")
        try await Task.sleep(for: .milliseconds(300))
        #expect(edge.process.isRunning, "log:\n\(edge.log)")
        #expect(try await fixture.get("/page.html").status == 200)
    }

    @Test func edgeReloadFindsTheNodeThroughItsPidFile() async throws {
        let fixture = try await Self.startFixture()
        defer { Task { await fixture.tearDown() } }
        let edge = try #require(fixture.edge)
        let pidFile = fixture.directory.appendingPathComponent("cache/edge-p.pid").path
        let pid = try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(pid == String(edge.process.processIdentifier))
        try Self.setLimits("header_timeout = \"3s\"", in: fixture)
        let offset = edge.log.count
        let (status, output) = try EdgeProcess.run(["reload", "--config", "edge.conf", "--node", "edge-p"],
                                                   in: fixture.directory)
        #expect(status == 0, "\(output)")
        #expect(output.contains("sent SIGHUP to edge-p"))
        #expect(await Self.waitForLog(edge, containing: "reload: applied limits.header_timeout", after: offset),
                "log:\n\(edge.log)")
        edge.signal(SIGTERM)
        #expect(await edge.waitForExit(seconds: 15) == 0)
        #expect(!FileManager.default.fileExists(atPath: pidFile), "the pid file is removed on exit")
        let (afterStatus, afterOutput) = try EdgeProcess.run(["reload", "--config", "edge.conf", "--node", "edge-p"],
                                                             in: fixture.directory)
        #expect(afterStatus == 1)
        #expect(afterOutput.contains("no pid file"), "\(afterOutput)")
    }

    /// `edge_cache_capacity_bytes{tier="memory"}` and the memory tier's object count from `/metrics`.
    static func memoryGauges(port: Int) async throws -> (capacity: Int, objects: Int) {
        let connection = try RawConnection(port: port)
        connection.send("GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        let (text, _) = await connection.readAll()
        func value(_ prefix: String) -> Int {
            let line = text.split(separator: "\n").first { $0.hasPrefix(prefix) }
            return line.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }.map { Int($0) } ?? -1
        }
        return (value("edge_cache_capacity_bytes{tier=\"memory\"}"), value("edge_cache_objects{tier=\"memory\"}"))
    }

    @Test func sighupShrinksTheMemoryTierAndKeepsServing() async throws {
        let fixture = try await Fixture(files: Dictionary(uniqueKeysWithValues: (0..<20).map {
            ("f\($0).bin", Array(repeating: UInt8($0), count: 100_000))
        }), rules: """
            default
              cache-control "public, max-age=600"
            """)
        defer { Task { await fixture.tearDown() } }
        let metricsPort = freePort()
        let url = fixture.directory.appendingPathComponent("edge.conf")
        let text = try String(contentsOf: url, encoding: .utf8)
        try text.replacingOccurrences(of: "name = \"edge-p\"\n",
                                      with: "name = \"edge-p\"\nmetrics_listen = \"127.0.0.1:\(metricsPort)\"\n")
            .write(to: url, atomically: true, encoding: .utf8)
        try await fixture.startEdge()
        let edge = try #require(fixture.edge)
        for index in 0..<20 { #expect(try await fixture.get("/f\(index).bin").status == 200) }
        let before = try await Self.memoryGauges(port: metricsPort)
        #expect(before.capacity == 64 << 20)
        #expect(before.objects == 20, "\(before)")

        let shrunk = try String(contentsOf: url, encoding: .utf8)
            .replacingOccurrences(of: "memory_size = \"64MiB\"", with: "memory_size = \"1MiB\"")
            .replacingOccurrences(of: "memory_max_object_size = \"4MiB\"", with: "memory_max_object_size = \"1MiB\"")
        try shrunk.write(to: url, atomically: true, encoding: .utf8)
        let offset = edge.log.count
        edge.signal(SIGHUP)
        #expect(await Self.waitForLog(edge, containing: "reload: applied cache.memory_size", after: offset),
                "log:\n\(edge.log)")
        let after = try await Self.memoryGauges(port: metricsPort)
        #expect(after.capacity == 1 << 20)
        #expect(after.objects > 0 && after.objects < 11, "1 MiB holds at most ten 100 kB objects: \(after)")
        // Evicted objects were demoted to disk: still hits, and the origin is not asked again.
        let again = try await fixture.get("/f0.bin")
        #expect(again.status == 200)
        #expect(again.body == Array(repeating: 0, count: 100_000))
        #expect(again.cacheStatus.contains("hit"), "got \(again.cacheStatus)")
        #expect(try await fixture.originRequests("/f0.bin") == 1)
    }
}
