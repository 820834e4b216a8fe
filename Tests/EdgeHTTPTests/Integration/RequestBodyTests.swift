import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Request bodies against a real listener on 127.0.0.1: the body read timeout, spooling beyond the in-memory
/// bound (byte-exact upstream), and `Expect: 100-continue`.
@Suite("Request bodies")
struct RequestBodyTests {
    /// An edge in front of the echo origin, with a short body timeout and a small in-memory bound.
    func withEdge(bodyTimeout: Double = 1, spoolDirectory: String? = nil,
                  _ body: (TestCluster, EchoOrigin) async throws -> Void) async throws {
        let echo = try await EchoOrigin.start()
        let cluster = try await TestCluster.start(rules: "default\n") { settings in
            settings.server.bodyTimeout = bodyTimeout
            settings.server.bodyBufferBytes = 16 << 10
            settings.server.bodyTempDirectory = spoolDirectory
            settings.origins = [.init(name: "echo", host: "127.0.0.1", port: echo.port)]
        }
        do { try await body(cluster, echo) } catch {
            await cluster.shutdown()
            await echo.stop()
            throw error
        }
        await cluster.shutdown()
        await echo.stop()
    }

    @Test("a head whose body never comes gets 408 and the connection closes", arguments: [
        "POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n",
        "POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc",
        "GET /up HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
    ])
    func stalledBody(_ request: String) async throws {
        try await withEdge { cluster, _ in
            let connection = try RawConnection(port: cluster.edgePort, receiveTimeout: 6)
            let started = Date()
            connection.send(request)
            let (text, closed) = await connection.readAll()
            let elapsed = Date().timeIntervalSince(started)
            #expect(text.hasPrefix("HTTP/1.1 408"), "got: \(text.prefix(60))")
            #expect(closed)
            #expect(elapsed >= 0.9 && elapsed < 4, "closed after \(elapsed)s with a 1 s body timeout")
            #expect(try await cluster.request("/up").status == 200)  // the node keeps serving
        }
    }

    @Test func aTrickledBodyLivesWhileItMakesProgress() async throws {
        try await withEdge(bodyTimeout: 1.5) { cluster, _ in
            let connection = try RawConnection(port: cluster.edgePort, receiveTimeout: 6)
            connection.send("POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 6\r\n\r\n")
            // One byte every 0.5 s for 3 s: twice the body timeout in all, never a gap as long as it.
            for byte in "abcdef" {
                try await Task.sleep(for: .milliseconds(500))
                connection.send(String(byte))
            }
            let text = await connection.read(until: { $0.contains("fnv=") })
            #expect(text.hasPrefix("HTTP/1.1 200"), "got: \(text.prefix(60))")
            #expect(text.hasSuffix(EchoOrigin.summary(method: "POST", body: Array("abcdef".utf8))))
        }
    }

    @Test("bodies reach upstream byte-exact, in memory or spooled", arguments: [0, 1000, 16 << 10, 3 << 20])
    func bodiesArriveByteExact(_ size: Int) async throws {
        try await withEdge(bodyTimeout: 10) { cluster, _ in
            var generator = SystemRandomNumberGenerator()
            let body = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(cluster.edgePort)/up")
            request.method = .PUT
            request.body = .bytes(ByteBuffer(bytes: body))
            let response = try await cluster.client.execute(request, timeout: .seconds(30))
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            #expect(response.status == .ok)
            #expect(text == EchoOrigin.summary(method: "PUT", body: body))
            // Chunked on the way in (no Content-Length), so the edge only learns the size as it arrives.
            let connection = try RawConnection(port: cluster.edgePort, receiveTimeout: 10)
            connection.send("POST /up HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
            if size > 0 {
                _ = await connection.sendAll(Array(String(size, radix: 16).utf8) + Array("\r\n".utf8) + body
                    + Array("\r\n".utf8))
            }
            connection.send("0\r\n\r\n")
            let chunked = await connection.read(until: { $0.contains("fnv=") })
            #expect(chunked.hasSuffix(EchoOrigin.summary(method: "POST", body: body)), "got \(chunked.suffix(60))")
        }
    }

    @Test func anUnusableSpoolDirectoryDoesNotKeepTheNodeFromTakingLargeBodies() async throws {
        try await withEdge(bodyTimeout: 10, spoolDirectory: "/proc/edge-cannot-create-this") { cluster, _ in
            let body = [UInt8](repeating: 0x62, count: 100 << 10)
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(cluster.edgePort)/up")
            request.method = .POST
            request.body = .bytes(ByteBuffer(bytes: body))
            let response = try await cluster.client.execute(request, timeout: .seconds(30))
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            #expect(response.status == .ok)
            #expect(text == EchoOrigin.summary(method: "POST", body: body))
        }
    }

    @Test func expectContinueGets100BeforeTheBodyIsSent() async throws {
        try await withEdge(bodyTimeout: 5) { cluster, _ in
            let connection = try RawConnection(port: cluster.edgePort, receiveTimeout: 2)
            connection.send("POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
            let interim = await connection.read(until: { $0.contains("\r\n\r\n") })
            #expect(interim.hasPrefix("HTTP/1.1 100 Continue\r\n"), "got: \(interim.prefix(60))")
            connection.send("hello")
            let final = await connection.read(until: { $0.contains("fnv=") })
            #expect(final.hasPrefix("HTTP/1.1 200"), "got: \(final.prefix(60))")
            #expect(final.hasSuffix(EchoOrigin.summary(method: "POST", body: Array("hello".utf8))))
        }
    }

    @Test func expectContinueOverTheLimitGets413WithoutTheBody() async throws {
        try await withEdge { cluster, _ in
            let connection = try RawConnection(port: cluster.edgePort, receiveTimeout: 2)
            connection.send("POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999\r\nExpect: 100-continue\r\n\r\n")
            let (text, closed) = await connection.readAll()
            #expect(text.hasPrefix("HTTP/1.1 413"), "got: \(text.prefix(60))")
            #expect(!text.contains("100 Continue"))
            #expect(closed)
        }
    }

    @Test func anUnknownExpectationGets417() async throws {
        try await withEdge { cluster, _ in
            let connection = try RawConnection(port: cluster.edgePort, receiveTimeout: 2)
            connection.send("POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: teapot\r\n\r\n")
            let (text, closed) = await connection.readAll()
            #expect(text.hasPrefix("HTTP/1.1 417"), "got: \(text.prefix(60))")
            #expect(closed)
        }
    }

    /// curl sends `Expect: 100-continue` for large bodies (here forced) and waits (1 s by default, 3 s here) for the 100 before sending
    /// anyway: with the interim answer the upload does not stall.
    @Test func curlUploadsDoNotWaitForTheExpectTimeout() async throws {
        guard Curl.isInstalled else {
            print("skipped: /usr/bin/curl is not installed")
            return
        }
        try await withEdge(bodyTimeout: 5) { cluster, _ in
            let file = cluster.directory.appendingPathComponent("upload.bin")
            let body = [UInt8](repeating: 0x61, count: 256 << 10)
            try Data(body).write(to: file)
            let started = Date()
            let result = try await Curl.get("http://127.0.0.1:\(cluster.edgePort)/up", arguments: [
                "-X", "POST", "--data-binary", "@\(file.path)", "-H", "Expect: 100-continue",
                "--expect100-timeout", "3"])
            let elapsed = Date().timeIntervalSince(started)
            #expect(result.status == 200)
            #expect(String(decoding: result.body, as: UTF8.self) == EchoOrigin.summary(method: "POST", body: body))
            #expect(elapsed < 2, "the upload took \(elapsed)s: the 100 Continue did not come")
        }
    }
}
