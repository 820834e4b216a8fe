import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import Testing

/// The `edge` binary as operators run it: real processes, real signals, a real disk cache directory.
@Suite("edge processes", .serialized)
struct ProcessLifecycleTests {
    /// A dev origin process and a config for one edge node, in a fresh directory.
    final class Fixture: @unchecked Sendable {
        let directory: URL
        let originPort = freePort()
        let edgePort = freePort()
        let origin: EdgeProcess
        var edge: EdgeProcess?
        let client: HTTPClient

        /// `accessLog` is the config's `logging.access_log` ("stdout", or a path relative to the directory).
        init(files: [String: [UInt8]], rules: String, accessLog: String = "stdout") async throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-proc-\(UUID().uuidString)")
            let site = directory.appendingPathComponent("site")
            try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
            for (path, bytes) in files { try Data(bytes).write(to: site.appendingPathComponent(path)) }
            try rules.write(to: directory.appendingPathComponent("rules.conf"), atomically: true, encoding: .utf8)
            try """
                [cluster]
                name = "test"

                [defaults.cache]
                memory_size = "64MiB"
                memory_max_object_size = "4MiB"
                disk_path = "cache/{node}"
                disk_size = "256MiB"

                [defaults.upstream]
                origins = ["origin"]
                connect_timeout = "1s"

                [defaults.limits]
                drain_timeout = "10s"

                [defaults.logging]
                access_log = "\(accessLog)"

                [[origins]]
                name = "origin"
                url = "http://127.0.0.1:\(originPort)"

                [[nodes]]
                name = "edge-p"
                listen = "127.0.0.1:\(edgePort)"
                location = { latitude = 50.1, longitude = 8.7, region = "eu" }
                """.write(to: directory.appendingPathComponent("edge.conf"), atomically: true, encoding: .utf8)
            origin = try EdgeProcess.start(
                ["origin", "--root", site.path, "--rules", directory.appendingPathComponent("rules.conf").path,
                 "--port", String(originPort)], in: directory, logName: "origin")
            // The client comes after the last throwing step: one that is never shut down traps in its deinit.
            try await origin.waitForListener(port: originPort)
            var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, decompression: .disabled)
            configuration.timeout = .init(connect: .seconds(2), read: .seconds(20))
            client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        }

        func startEdge() async throws {
            edge = try EdgeProcess.start(["run", "--config", "edge.conf", "--node", "edge-p"], in: directory,
                                         logName: "edge-\(UUID().uuidString.prefix(6))")
            try await edge?.waitForListener(port: edgePort)
        }

        func get(_ path: String) async throws -> (status: Int, cacheStatus: String, body: [UInt8]) {
            let response = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(edgePort)\(path)"),
                                                    timeout: .seconds(30))
            var body: [UInt8] = []
            for try await chunk in response.body { body += chunk.readableBytesView }
            return (Int(response.status.code), response.headers["cache-status"].joined(separator: ", "), body)
        }

        func originRequests(_ path: String) async throws -> Int {
            let response = try await client.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(originPort)/__origin/stats"), timeout: .seconds(5))
            let body = try await response.body.collect(upTo: 1 << 20)
            let data = Data(body.readableBytesView)
            let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            let paths = json?["paths"] as? [String: Any]
            return (paths?[path] as? Int) ?? 0
        }

        /// Every path under the node's cache directory.
        func cacheFileNames() -> [String] {
            FileManager.default.enumerator(atPath: directory.appendingPathComponent("cache").path)?
                .compactMap { $0 as? String } ?? []
        }

        func tearDown() async {
            edge?.signal(SIGKILL)
            origin.signal(SIGKILL)
            _ = await edge?.waitForExit(seconds: 5)
            _ = await origin.waitForExit(seconds: 5)
            try? await client.shutdown()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    static func pattern(_ size: Int) -> [UInt8] {
        (0..<size).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }
    }

    @Test func sigtermDrainsInFlightRequestsThenExitsZero() async throws {
        let fixture = try await Fixture(files: ["slow.txt": Array("slow but complete".utf8)], rules: """
            match /slow.txt
              cache-control "public, max-age=60"
              delay 1500ms
            """)
        defer { Task { await fixture.tearDown() } }
        try await fixture.startEdge()
        let edge = try #require(fixture.edge)
        async let inFlight = fixture.get("/slow.txt")
        try await Task.sleep(for: .milliseconds(400))
        edge.signal(SIGTERM)
        let response = try await inFlight
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "slow but complete")
        let status = await edge.waitForExit(seconds: 15)
        #expect(status == 0, "log:\n\(edge.log)")
        #expect((try? RawConnection(port: fixture.edgePort)) == nil, "the listener is gone")
    }

    @Test func aRestartedProcessServesItsDiskCache() async throws {
        let fixture = try await Fixture(files: ["page.html": Array("<p>kept across restarts</p>".utf8)], rules: """
            default
              cache-control "public, max-age=600"
            """)
        defer { Task { await fixture.tearDown() } }
        try await fixture.startEdge()
        let first = try await fixture.get("/page.html")
        #expect(first.cacheStatus.contains("fwd=miss"))
        fixture.edge?.signal(SIGTERM)
        #expect(await fixture.edge?.waitForExit(seconds: 15) == 0)
        try await fixture.startEdge()
        let second = try await fixture.get("/page.html")
        #expect(second.cacheStatus.hasPrefix("edge-p; hit"), "got \(second.cacheStatus)")
        #expect(String(decoding: second.body, as: UTF8.self) == "<p>kept across restarts</p>")
        #expect(try await fixture.originRequests("/page.html") == 1)
    }

    @Test("kill -9 during a large object's fetch or write, restart: a clean miss or the whole object",
          arguments: [0.8, 2.3, 2.6])
    func killDuringLargeWrite(afterSeconds delay: Double) async throws {
        // 6 MiB at 3 MiB/s: the fetch takes about 2 s, then the object is written to disk.
        let bytes = Self.pattern(6 << 20)
        let fixture = try await Fixture(files: ["large.bin": bytes], rules: """
            match /large.bin
              cache-control "public, max-age=600"
              rate 3MiB/s
            """)
        defer { Task { await fixture.tearDown() } }
        try await fixture.startEdge()
        let download = Task { try? await fixture.get("/large.bin") }
        try await Task.sleep(for: .milliseconds(Int64(delay * 1000)))
        fixture.edge?.signal(SIGKILL)
        _ = await fixture.edge?.waitForExit(seconds: 5)
        _ = await download.value

        try await fixture.startEdge()
        // Checked before the next request: once it is a miss, the new fetch's own disk write may be under way.
        #expect(!fixture.cacheFileNames().contains { $0.contains(".tmp-") }, "leftover temp files are removed at start")
        let after = try await fixture.get("/large.bin")
        #expect(after.status == 200)
        #expect(after.body.count == bytes.count)
        #expect(after.body == bytes, "never a torn object")
        #expect(after.cacheStatus.contains("hit") || after.cacheStatus.contains("fwd=miss"))
        // The new fetch's write (after the client has its body) ends with a rename, leaving no temp file either.
        var settled = false
        for _ in 0..<50 where !settled {
            settled = !fixture.cacheFileNames().contains { $0.contains(".tmp-") }
            if !settled { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(settled, "the refetched object's disk write leaves no temp file")
    }

    @Test func checkConfigNamesFileLineAndKey() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-conf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try """
            [[origins]]
            name = "o"
            url = "http://127.0.0.1:9"

            [[nodes]]
            name = "n"
            listen = "127.0.0.1:99999"
            location = { latitude = 1.0, longitude = 2.0, region = "r" }
            """.write(to: directory.appendingPathComponent("bad.conf"), atomically: true, encoding: .utf8)
        let (status, output) = try EdgeProcess.run(["check-config", "bad.conf"], in: directory)
        #expect(status == 1)
        #expect(output.contains("bad.conf:7:"), "got: \(output)")
        #expect(output.contains("listen"))
        let (runStatus, runOutput) = try EdgeProcess.run(["run", "--config", "bad.conf", "--node", "n"], in: directory)
        #expect(runStatus == 1)
        #expect(runOutput.contains("bad.conf:7:"))
    }
}
