import EdgeHTTP
import Foundation
import Testing

/// `redirect_http` and `hsts` per name on a running edge, with curl over plain HTTP, HTTPS/1.1 and h2.
@Suite("HTTPS redirect and HSTS at the edge", .serialized)
struct HTTPSRedirectTests {
    static let rules = """
        match /page.html
          cache-control "public, max-age=300"
        """
    static let files = ["page.html": "<p>secure page</p>"]
    static let hsts = "max-age=31536000; includeSubDomains"

    static func start(_ tls: TLSFixture) async throws -> TestCluster {
        let names = ["www.cdn.test", "other.cdn.test"]
        return try await TestCluster.startHTTPS(
            sources: [tls.source(names: names)], files: files, rules: rules,
            hosts: HTTPSHostPolicy(entries: [
                .init(names: ["www.cdn.test"], redirectHTTP: true, strictTransportSecurity: hsts),
                .init(names: ["other.cdn.test"]),
            ]))
    }

    /// `curl` for `http://NAME:PORT/PATH` or `https://…`, resolved to loopback.
    static func get(_ scheme: String, name: String, port: Int, path: String, _ arguments: [String] = [])
        async throws -> Curl.Result {
        try await Curl.get("\(scheme)://\(name):\(port)\(path)", arguments: ["--resolve", "\(name):\(port):127.0.0.1"]
                            + arguments)
    }

    @Test func aPlainRequestForARedirectingNameGetsAPermanentRedirectAndNoUpstreamWork() async throws {
        let tls = try TLSFixture.make(names: ["www.cdn.test", "other.cdn.test"])
        defer { tls.remove() }
        let cluster = try await Self.start(tls)
        defer { Task { await cluster.shutdown() } }
        let get = try await Self.get("http", name: "www.cdn.test", port: cluster.edgePort, path: "/page.html?a=1&b=%20")
        #expect(get.status == 301)
        #expect(get.header("location") == "https://www.cdn.test:\(cluster.httpsPort)/page.html?a=1&b=%20")
        #expect(get.header("strict-transport-security") == nil, "never on plain HTTP (RFC 6797 §7.2)")
        #expect(get.header("cache-status")?.contains("https redirect") == true, "\(get.headers)")
        let post = try await Self.get("http", name: "www.cdn.test", port: cluster.edgePort, path: "/form",
                                      ["-d", "x=1"])
        #expect(post.status == 308, "308 keeps the method and body")
        #expect(post.header("location") == "https://www.cdn.test:\(cluster.httpsPort)/form")
        #expect(cluster.origin.requestCount(path: "/page.html") == 0)
        #expect(cluster.origin.requestCount(path: "/form") == 0)
        // Following the redirect lands on HTTPS with HSTS.
        let followed = try await Curl.get("http://www.cdn.test:\(cluster.edgePort)/page.html", arguments: [
            "-L", "--cacert", tls.paths.caCertificate,
            "--resolve", "www.cdn.test:\(cluster.edgePort):127.0.0.1",
            "--resolve", "www.cdn.test:\(cluster.httpsPort):127.0.0.1",
        ])
        #expect(followed.status == 200)
        #expect(String(decoding: followed.body, as: UTF8.self) == "<p>secure page</p>")
        #expect(followed.header("strict-transport-security") == Self.hsts)
    }

    /// Behind a port mapping (public 443 to the listener's own port) the Location names the public port.
    @Test func aConfiguredPublicPortIsWhatTheRedirectNames() async throws {
        let tls = try TLSFixture.make(names: ["www.cdn.test"])
        defer { tls.remove() }
        let cluster = try await TestCluster.startHTTPS(
            sources: [tls.source(names: ["www.cdn.test"])], files: Self.files, rules: Self.rules,
            hosts: HTTPSHostPolicy(entries: [.init(names: ["www.cdn.test"], redirectHTTP: true)])
        ) { settings in settings.https?.publicPort = 443 }
        defer { Task { await cluster.shutdown() } }
        let get = try await Self.get("http", name: "www.cdn.test", port: cluster.edgePort, path: "/page.html")
        #expect(get.status == 301)
        #expect(get.header("location") == "https://www.cdn.test/page.html", "443 is left out of the URL")
    }

    @Test func aNameWithoutTheSettingsIsServedOnPlainHTTPAndGetsNoHSTS() async throws {
        let tls = try TLSFixture.make(names: ["www.cdn.test", "other.cdn.test"])
        defer { tls.remove() }
        let cluster = try await Self.start(tls)
        defer { Task { await cluster.shutdown() } }
        let plain = try await Self.get("http", name: "other.cdn.test", port: cluster.edgePort, path: "/page.html")
        #expect(plain.status == 200)
        #expect(plain.header("location") == nil)
        let secure = try await Self.get("https", name: "other.cdn.test", port: cluster.httpsPort, path: "/page.html",
                                        ["--cacert", tls.paths.caCertificate])
        #expect(secure.status == 200)
        #expect(secure.header("strict-transport-security") == nil)
    }

    @Test func everyHTTPSResponseForTheNameCarriesHSTSMissHitAndErrors() async throws {
        let tls = try TLSFixture.make(names: ["www.cdn.test", "other.cdn.test"])
        defer { tls.remove() }
        let cluster = try await Self.start(tls)
        defer { Task { await cluster.shutdown() } }
        let ca = ["--cacert", tls.paths.caCertificate]
        let miss = try await Self.get("https", name: "www.cdn.test", port: cluster.httpsPort, path: "/page.html",
                                      ca + ["--http2"])
        #expect(miss.status == 200)
        #expect(miss.header("cache-status")?.contains("fwd=miss") == true)
        #expect(miss.header("strict-transport-security") == Self.hsts)
        let hit = try await Self.get("https", name: "www.cdn.test", port: cluster.httpsPort, path: "/page.html",
                                     ca + ["--http2"])
        #expect(hit.header("cache-status")?.contains("hit") == true)
        #expect(hit.header("strict-transport-security") == Self.hsts, "hits carry it too")
        let http11Hit = try await Self.get("https", name: "www.cdn.test", port: cluster.httpsPort,
                                           path: "/page.html", ca + ["--http1.1"])
        #expect(http11Hit.header("strict-transport-security") == Self.hsts)
        // An error the engine answers (PURGE is not enabled here) and one the connection handler answers
        // (an unsupported expectation, 417).
        let purge = try await Self.get("https", name: "www.cdn.test", port: cluster.httpsPort, path: "/page.html",
                                       ca + ["--http1.1", "-X", "PURGE"])
        #expect(purge.status == 405)
        #expect(purge.header("strict-transport-security") == Self.hsts)
        let expectation = try await Self.get("https", name: "www.cdn.test", port: cluster.httpsPort,
                                             path: "/page.html", ca + ["--http1.1", "-H", "Expect: magic"])
        #expect(expectation.status == 417)
        #expect(expectation.header("strict-transport-security") == Self.hsts)
        #expect(cluster.origin.requestCount(path: "/page.html") == 1)
    }
}
