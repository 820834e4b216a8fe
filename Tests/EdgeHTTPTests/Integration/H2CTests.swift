import EdgeHTTP
import Foundation
import Testing

/// HTTP/2 with prior knowledge on the plain listener (`[tls.http2] h2c = true`), with curl and raw sockets.
@Suite("h2c on the plain listener", .serialized)
struct H2CTests {
    static let rules = """
        match /page.html
          cache-control "public, max-age=300"
        """
    static let files = ["page.html": "<p>hello over h2c</p>"]
    static let format = ["-o", "/dev/null", "-w", "%{http_version} %{http_code} %header{cache-status}"]

    static func curl(port: Int, _ arguments: [String]) async throws -> Tool.Output {
        try await Tool.run("/usr/bin/curl", ["-sS", "--max-time", "10"] + arguments
                            + ["http://127.0.0.1:\(port)/page.html"])
    }

    @Test func priorKnowledgeGetsHTTP2WithMissThenHitAndHTTP11StillWorks() async throws {
        let cluster = try await TestCluster.start(files: Self.files, rules: Self.rules) { settings in
            settings.server.h2c = HTTP2Limits()
        }
        defer { Task { await cluster.shutdown() } }
        let miss = try await Self.curl(port: cluster.edgePort, ["--http2-prior-knowledge"] + Self.format)
        #expect(miss.status == 0, "\(miss.stderr)")
        #expect(miss.stdout.hasPrefix("2 200 edge-test; fwd=miss"), "\(miss.stdout)")
        let hit = try await Self.curl(port: cluster.edgePort, ["--http2-prior-knowledge"] + Self.format)
        #expect(hit.stdout.hasPrefix("2 200 edge-test; hit"), "\(hit.stdout)")
        let http11 = try await Self.curl(port: cluster.edgePort, ["--http1.1"] + Self.format)
        #expect(http11.stdout.hasPrefix("1.1 200 edge-test; hit"), "\(http11.stdout)")
        #expect(cluster.origin.requestCount(path: "/page.html") == 1)
    }

    @Test func aRequestLineStartingWithPRIIsLeftToTheHTTP1Parser() async throws {
        let cluster = try await TestCluster.start(files: Self.files, rules: Self.rules) { settings in
            settings.server.h2c = HTTP2Limits()
        }
        defer { Task { await cluster.shutdown() } }
        let connection = try RawConnection(port: cluster.edgePort)
        connection.send("PRI /page.html HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        let (text, _) = await connection.readAll()
        #expect(text.hasPrefix("HTTP/1.1 "), "answered as HTTP/1.1: \(text.prefix(80))")
        // A normal request on a new connection: the listener is unaffected.
        let http11 = try await Self.curl(port: cluster.edgePort, ["--http1.1"] + Self.format)
        #expect(http11.stdout.hasPrefix("1.1 200"), "\(http11.stdout)")
    }

    @Test func aTrickledPrefaceIsClosedAtTheHeaderTimeout() async throws {
        let cluster = try await TestCluster.start(files: Self.files, rules: Self.rules) { settings in
            settings.server.h2c = HTTP2Limits()
        }
        defer { Task { await cluster.shutdown() } }
        let connection = try RawConnection(port: cluster.edgePort, receiveTimeout: 6)
        connection.send("PRI * HTTP/2.0\r\n")
        let started = Date()
        let (_, closed) = await connection.readAll()
        #expect(closed, "an undecided connection does not stay open")
        #expect(Date().timeIntervalSince(started) < 5, "closed at the 2 s header timeout")
    }

    @Test func offByDefaultAPrefaceGetsNoHTTP2AndHTTP11KeepsWorking() async throws {
        let cluster = try await TestCluster.start(files: Self.files, rules: Self.rules)
        defer { Task { await cluster.shutdown() } }
        let h2 = try await Self.curl(port: cluster.edgePort, ["--http2-prior-knowledge"] + Self.format)
        #expect(h2.status != 0 || !h2.stdout.hasPrefix("2 "), "no HTTP/2 without h2c: \(h2.stdout) \(h2.stderr)")
        let connection = try RawConnection(port: cluster.edgePort)
        connection.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        let (text, _) = await connection.readAll()
        #expect(text.hasPrefix("HTTP/1.1 400"), "the HTTP/1.1 parser refuses it: \(text.prefix(60).debugDescription)")
        let http11 = try await Self.curl(port: cluster.edgePort, ["--http1.1"] + Self.format)
        #expect(http11.status == 0 && http11.stdout.hasPrefix("1.1 200"), "\(http11.stdout) \(http11.stderr)")
    }
}
