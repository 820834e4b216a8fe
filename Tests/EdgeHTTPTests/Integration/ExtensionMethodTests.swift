import EdgeUpstream
import Foundation
import Testing

/// RFC 9110 §9.1 and RFC 9111 §4.4 through a running edge: any method token is forwarded, and a successful
/// response to a method the cache does not know as safe invalidates the target and same-host Location /
/// Content-Location.
@Suite("Extension methods through a running edge")
struct ExtensionMethodTests {
    /// GETs are cacheable for 300 s; any other method answers 200 (or 404 under /missing/) with a Location and
    /// Content-Location on the same host, plus one on another host.
    static func origin() throws -> ScriptedOrigin {
        try ScriptedOrigin { request in
            if request.method == "GET" || request.method == "HEAD" {
                return .init(headers: [("Cache-Control", "public, max-age=300")], body: "object \(request.target)")
            }
            let status = request.target.hasPrefix("/missing/") ? 404 : 200
            return .init(status: status, headers: [("Location", "/api/created"),
                                                   ("Content-Location", "http://t/api/described"),
                                                   ("X-Method-Seen", request.method)],
                         body: "\(request.method) done")
        }
    }

    func withEdge(_ body: (TestCluster, ScriptedOrigin) async throws -> Void) async throws {
        let origin = try Self.origin()
        let cluster = try await TestCluster.start(rules: "") { settings in
            settings.origins = [Upstream(name: "scripted", host: "127.0.0.1", port: origin.port)]
        }
        do { try await body(cluster, origin) } catch {
            await cluster.shutdown()
            origin.stop()
            throw error
        }
        await cluster.shutdown()
        origin.stop()
    }

    /// Sends one request with a raw socket (a method NIO's client would not spell) and returns the response.
    func raw(_ method: String, _ target: String, port: Int) async throws -> String {
        let connection = try RawConnection(port: port)
        connection.send("\(method) \(target) HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        return await connection.readAll().text
    }

    /// Fills the cache with GETs of `paths` and checks the second GET of each is a hit.
    func fill(_ cluster: TestCluster, _ paths: [String]) async throws {
        for path in paths {
            _ = try await cluster.request(path, headers: [("Host", "t")])
            let again = try await cluster.request(path, headers: [("Host", "t")])
            #expect(again.cacheStatus.contains("edge-test; hit"), "\(path) is stored")
        }
    }

    @Test("any method token is forwarded, not answered 400",
          arguments: ["PURGEX", "M-SEARCH", "PROPFIND", "FOO", "get", "X!#$%&'*+-.^_`|~1"])
    func forwarded(_ method: String) async throws {
        try await withEdge { cluster, origin in
            let text = try await raw(method, "/api/thing", port: cluster.edgePort)
            #expect(text.hasPrefix("HTTP/1.1 200"), "got: \(text.prefix(60))")
            #expect(text.lowercased().contains("x-method-seen: \(method.lowercased())"))
            #expect(text.hasSuffix("\(method) done"))
            #expect(origin.requests(method: method, target: "/api/thing") == 1)
        }
    }

    @Test func aSuccessfulExtensionMethodInvalidatesTheTargetAndItsLocations() async throws {
        try await withEdge { cluster, origin in
            let paths = ["/api/thing", "/api/created", "/api/described", "/api/unrelated"]
            try await fill(cluster, paths)
            let text = try await raw("PURGEX", "/api/thing", port: cluster.edgePort)
            #expect(text.hasPrefix("HTTP/1.1 200"), "got: \(text.prefix(60))")
            for path in paths.dropLast() {
                let after = try await cluster.request(path, headers: [("Host", "t")])
                #expect(after.cacheStatus.contains("fwd=miss"), "\(path) was invalidated: \(after.cacheStatus)")
                #expect(origin.requests(method: "GET", target: path) == 2)
            }
            let unrelated = try await cluster.request("/api/unrelated", headers: [("Host", "t")])
            #expect(unrelated.cacheStatus.contains("edge-test; hit"))
        }
    }

    @Test func aFailedExtensionMethodInvalidatesNothing() async throws {
        try await withEdge { cluster, origin in
            try await fill(cluster, ["/missing/x", "/api/created"])
            let text = try await raw("PURGEX", "/missing/x", port: cluster.edgePort)
            #expect(text.hasPrefix("HTTP/1.1 404"), "got: \(text.prefix(60))")
            #expect(try await cluster.request("/missing/x", headers: [("Host", "t")]).cacheStatus.contains("hit"))
            #expect(try await cluster.request("/api/created", headers: [("Host", "t")]).cacheStatus.contains("hit"))
            #expect(origin.requests(method: "GET", target: "/missing/x") == 1)
        }
    }

    /// Pipelined on one connection: extension methods between GETs keep their order and their own method.
    @Test func pipelinedExtensionMethodsKeepTheirOrder() async throws {
        try await withEdge { cluster, origin in
            let connection = try RawConnection(port: cluster.edgePort)
            connection.send("GET /api/a HTTP/1.1\r\nHost: t\r\n\r\nFOO /api/b HTTP/1.1\r\nHost: t\r\n\r\n"
                + "PROPFIND /api/c HTTP/1.1\r\nHost: t\r\n\r\nBAR /api/d HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            let text = await connection.readAll().text
            #expect(text.occurrences(of: "HTTP/1.1 200") == 4, "got: \(text)")
            let order = ["object /api/a", "FOO done", "PROPFIND done", "BAR done"].compactMap { text.range(of: $0)?.lowerBound }
            #expect(order.count == 4 && order == order.sorted())
            #expect(origin.requests(method: "FOO", target: "/api/b") == 1)
            #expect(origin.requests(method: "BAR", target: "/api/d") == 1)
        }
    }
}
