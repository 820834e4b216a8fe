import Foundation
import Testing

/// `edge up`: the whole cluster of a config file as child processes, stopped together.
@Suite("edge up", .serialized)
struct UpCommandTests {
    @Test func startsEveryProcessAndStopsThemAllOnSIGTERM() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-up-\(UUID().uuidString)")
        let site = directory.appendingPathComponent("site")
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "hello from the origin".write(to: site.appendingPathComponent("index.html"), atomically: true,
                                          encoding: .utf8)
        try "default\n  cache-control \"public, max-age=60\"\n".write(
            to: directory.appendingPathComponent("rules.conf"), atomically: true, encoding: .utf8)
        let originPort = freePort(), edgeA = freePort(), edgeB = freePort()
        try """
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

            [[nodes]]
            name = "edge-a"
            listen = "127.0.0.1:\(edgeA)"
            location = { latitude = 50.1, longitude = 8.7, region = "eu" }

            [[nodes]]
            name = "edge-b"
            listen = "127.0.0.1:\(edgeB)"
            location = { latitude = 40.7, longitude = -74.0, region = "us" }
            """.write(to: directory.appendingPathComponent("edge.conf"), atomically: true, encoding: .utf8)

        let up = try EdgeProcess.start(["up", "--config", "edge.conf"], in: directory, logName: "up")
        defer { up.signal(SIGKILL) }
        var running = false
        for _ in 0..<300 where !running {
            try await Task.sleep(for: .milliseconds(100))
            running = up.log.contains("cluster running")
        }
        #expect(running, "log:\n\(up.log)")
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
}
