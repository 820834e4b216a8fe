import EdgeHTTP
import EdgeUpstream
import Foundation
import NIOHTTP1
import Testing

/// What the edge accepts and what it forwards (issue 12, defects 2 and 3), against an origin that reflects what it
/// was sent into a cacheable body: raw sockets for the requests a browser would never send.
@Suite("Request targets, hosts and forwarded headers")
struct ForwardingTests {
    static let site = "www.cdn.test"

    func withReflectingEdge(configure: (inout EdgeNodeSettings) -> Void = { _ in },
                            _ body: (TestCluster, ReflectingOrigin) async throws -> Void) async throws {
        let origin = try await ReflectingOrigin()
        let cluster = try await TestCluster.start(rules: "") { settings in
            settings.origins = [Upstream(name: "reflector", host: "127.0.0.1", port: origin.port)]
            settings.proxy.hosts = HostPolicy(serviceNames: [Self.site])
            configure(&settings)
        }
        do { try await body(cluster, origin) } catch {
            await cluster.shutdown()
            await origin.stop()
            throw error
        }
        await cluster.shutdown()
        await origin.stop()
    }

    /// One request on its own connection, read to the end.
    func raw(_ request: String, port: Int) async throws -> String {
        let connection = try RawConnection(port: port)
        connection.send(request)
        return await connection.readAll().text
    }

    func site(_ path: String, _ cluster: TestCluster, headers: [(String, String)] = []) async throws
        -> TestCluster.Response
    {
        try await cluster.request(path, headers: [("host", Self.site)] + headers)
    }

    /// The upstreams' health as the node sees it: none may have a failure recorded against it.
    func expectUpstreamsUntouched(_ cluster: TestCluster, sourceLocation: SourceLocation = #_sourceLocation) {
        for upstream in cluster.node.health.snapshot(now: Date().timeIntervalSince1970) {
            #expect(upstream.available && upstream.consecutiveFailures == 0,
                    "\(upstream.upstream.name): \(upstream)", sourceLocation: sourceLocation)
        }
    }

    // MARK: Defect 2: request targets

    @Test func absoluteFormIsServedUnderItsAuthorityAndSharesTheOriginFormKey() async throws {
        try await withReflectingEdge { cluster, origin in
            let text = try await raw("GET http://WWW.cdn.test:8080/page?x=1 HTTP/1.1\r\nHost: other.example\r\n"
                                         + "Connection: close\r\n\r\n", port: cluster.edgePort)
            #expect(text.hasPrefix("HTTP/1.1 200"), "got: \(text.prefix(300))")
            #expect(text.contains("target: /page?x=1\n"))
            #expect(text.contains("host: www.cdn.test\n"))
            let again = try await site("/page?x=1", cluster)
            #expect(again.status == 200)
            #expect(again.cacheStatus.contains("hit"), "\(again.cacheStatus)")
            #expect(origin.requests == ["GET /page?x=1"])
            expectUpstreamsUntouched(cluster)
        }
    }

    @Test func optionsAsteriskIsAnsweredByTheNodeItself() async throws {
        try await withReflectingEdge { cluster, origin in
            let text = try await raw("OPTIONS * HTTP/1.1\r\nHost: www.cdn.test\r\nConnection: close\r\n\r\n",
                                     port: cluster.edgePort)
            #expect(text.hasPrefix("HTTP/1.1 200"), "got: \(text.prefix(300))")
            #expect(text.lowercased().contains("\r\nallow: get, head, post, put, patch, delete, options\r\n"))
            #expect(text.lowercased().contains("\r\ncontent-length: 0\r\n"))
            #expect(text.hasSuffix("\r\n\r\n"), "no body expected: \(text)")
            #expect(origin.requests.isEmpty)
        }
    }

    @Test("targets the edge cannot forward are 400 at the edge, never an upstream attempt", arguments: [
        "POST http://user@www.cdn.test/a HTTP/1.1\r\nHost: www.cdn.test\r\nContent-Length: 0\r\n",
        "POST http:///a HTTP/1.1\r\nHost: www.cdn.test\r\nContent-Length: 0\r\n",
        "PATCH http://www.cdn.test/a#top HTTP/1.1\r\nHost: www.cdn.test\r\nContent-Length: 0\r\n",
        "POST /a%zz HTTP/1.1\r\nHost: www.cdn.test\r\nContent-Length: 0\r\n",
        "DELETE /a HTTP/1.1\r\nHost: www.cdn.test:port\r\n",
        "GET http://www.cdn.test/%zz HTTP/1.1\r\nHost: www.cdn.test\r\n",
        "GET /a\u{7F}b HTTP/1.1\r\nHost: www.cdn.test\r\n",
        "GET * HTTP/1.1\r\nHost: www.cdn.test\r\n",
        "GET ftp://www.cdn.test/a HTTP/1.1\r\nHost: www.cdn.test\r\n",
    ])
    func unforwardableTargets(_ head: String) async throws {
        try await withReflectingEdge { cluster, origin in
            for _ in 0..<4 {  // more than any failure threshold
                let text = try await raw(head + "Connection: close\r\n\r\n", port: cluster.edgePort)
                #expect(text.hasPrefix("HTTP/1.1 400"), "got: \(text.prefix(300))")
            }
            #expect(origin.requests.isEmpty, "\(origin.requests)")
            expectUpstreamsUntouched(cluster)
            #expect(try await site("/ok", cluster).status == 200)
        }
    }

    // MARK: Defect 3: unknown hosts

    @Test func requestsForUnknownHostsGet421AndReachNeitherCacheNorOrigin() async throws {
        try await withReflectingEdge { cluster, origin in
            for request in [
                "GET /a HTTP/1.1\r\nHost: evil.example\r\n",
                "GET http://x.example/ HTTP/1.1\r\nHost: www.cdn.test\r\n",  // the authority is the host
                "POST /a HTTP/1.1\r\nHost: www.cdn.test.evil.example\r\nContent-Length: 0\r\n",
                "GET /a HTTP/1.1\r\nHost: 127.0.0.1:\(cluster.edgePort)\r\n",
            ] {
                let text = try await raw(request + "Connection: close\r\n\r\n", port: cluster.edgePort)
                #expect(text.hasPrefix("HTTP/1.1 421"), "\(request) got: \(text.prefix(300))")
            }
            #expect(origin.requests.isEmpty, "\(origin.requests)")
            expectUpstreamsUntouched(cluster)
            // The node's own endpoints answer whatever the Host (shields are probed by address).
            let health = try await raw("GET /.well-known/edge/health HTTP/1.1\r\nHost: 10.0.0.9:8090\r\n"
                                           + "Connection: close\r\n\r\n", port: cluster.edgePort)
            #expect(health.hasPrefix("HTTP/1.1 200"), "got: \(health.prefix(200))")
            // Port, case and a trailing dot do not make a name unknown.
            let served = try await raw("GET /a HTTP/1.1\r\nHost: WWW.CDN.TEST.:8081\r\nConnection: close\r\n\r\n",
                                       port: cluster.edgePort)
            #expect(served.hasPrefix("HTTP/1.1 200"), "got: \(served.prefix(200))")
        }
    }

    @Test func unknownHostsPassWhenConfiguredToOrWhenNoServiceNamesAreListed() async throws {
        for hosts in [HostPolicy(serviceNames: [Self.site], unknownHosts: .pass), HostPolicy()] {
            try await withReflectingEdge(configure: { $0.proxy.hosts = hosts }) { cluster, origin in
                let response = try await cluster.request("/a", headers: [("host", "other.example")])
                #expect(response.status == 200)
                #expect(response.text.contains("host: other.example\n"))
                #expect(origin.requests == ["GET /a"])
            }
        }
    }

    // MARK: Defect 3: forward exactly what is keyed

    @Test func anAttackersHostPortOverrideHeadersAndTargetSpellingNeverReachAnotherClient() async throws {
        try await withReflectingEdge { cluster, origin in
            let attack = try await raw("""
                GET /a/../b?x=1 HTTP/1.1\r
                Host: WWW.cdn.test.:6666\r
                X-Forwarded-Host: evil.example\r
                X-Original-URL: /admin\r
                X-Rewrite-URL: /admin\r
                X-Forwarded-Proto: https\r
                X-Forwarded-For: 6.6.6.6\r
                Forwarded: for=6.6.6.6;proto=https;host=evil.example\r
                X-HTTP-Method-Override: DELETE\r
                Connection: close\r
                \r

                """, port: cluster.edgePort)
            #expect(attack.hasPrefix("HTTP/1.1 200"), "got: \(attack.prefix(300))")

            let clean = try await site("/b?x=1", cluster)
            #expect(clean.status == 200)
            #expect(clean.cacheStatus.contains("hit"), "the attacker's request filled the key: \(clean.cacheStatus)")
            for poison in ["6666", "evil", "admin", "https", "6.6.6.6", "DELETE", "/a/../b"] {
                #expect(!clean.text.contains(poison), "\(poison) reached a clean client:\n\(clean.text)")
            }
            #expect(clean.text.contains("target: /b?x=1\n"))
            #expect(clean.text.contains("host: www.cdn.test\n"))
            #expect(clean.text.contains("x-forwarded-host: -\n"))
            #expect(clean.text.contains("x-forwarded-proto: http\n"))
            #expect(clean.text.contains("x-forwarded-for: 127.0.0.1\n"))
            #expect(clean.text.contains("forwarded: for=127.0.0.1;proto=http\n"))
            #expect(origin.requests == ["GET /b?x=1"])
        }
    }

    @Test func aKeptOverrideHeaderIsForwardedAndVariesTheCachedResponse() async throws {
        try await withReflectingEdge(configure: { $0.proxy.keptOverrideHeaders = ["X-Forwarded-Host"] }) { cluster, origin in
            let attacker = try await site("/k", cluster, headers: [("x-forwarded-host", "evil.example")])
            #expect(attacker.text.contains("x-forwarded-host: evil.example\n"))
            #expect(attacker.text.contains("x-original-url: -\n"))
            let clean = try await site("/k", cluster)
            #expect(!clean.text.contains("evil"), "\(clean.text)")
            let again = try await site("/k", cluster, headers: [("x-forwarded-host", "evil.example")])
            #expect(again.cacheStatus.contains("hit"), "\(again.cacheStatus)")
            #expect(origin.requests == ["GET /k", "GET /k"])
        }
    }
}
