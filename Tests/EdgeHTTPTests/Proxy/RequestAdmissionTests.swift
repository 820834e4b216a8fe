import EdgeCache
@testable import EdgeHTTP
import EdgeUpstream
import NIOHTTP1
import Testing

/// The request filter's decisions (`RequestAdmission`) and the forwarding headers, without sockets.
@Suite("Request admission and forwarded headers")
struct RequestAdmissionTests {
    let hosts = HostPolicy(serviceNames: ["www.cdn.test"])

    func admit(_ target: String, method: HTTPMethod = .GET, host: String? = "www.cdn.test",
               hosts: HostPolicy? = nil) -> RequestAdmission.Verdict {
        RequestAdmission.admit(method: method, target: target, host: host, defaultHost: "www.cdn.test",
                               hosts: hosts ?? self.hosts)
    }

    func key(_ verdict: RequestAdmission.Verdict) -> String? {
        guard case .proceed(let key) = verdict else { return nil }
        return key.primary
    }

    @Test func originAndAbsoluteFormShareOneKey() {
        #expect(key(admit("/a/../b?x=1", host: "WWW.cdn.test.:6666")) == "http://www.cdn.test/b?x=1")
        #expect(key(admit("http://www.cdn.test/b?x=1", host: "ignored.example")) == "http://www.cdn.test/b?x=1")
        #expect(key(admit("HTTPS://WWW.CDN.TEST:8443/b?x=1", host: nil)) == "http://www.cdn.test/b?x=1")
        #expect(key(admit("http://www.cdn.test?q", host: nil)) == "http://www.cdn.test/?q")
        #expect(key(admit("/a", host: nil)) == "http://www.cdn.test/a")  // HTTP/1.0 without Host
    }

    @Test func optionsAsteriskIsTheServersOwn() {
        #expect(admit("*", method: .OPTIONS) == .serverOptions)
        guard case .badRequest = admit("*") else {
            Issue.record("GET * must be refused")
            return
        }
    }

    @Test func targetsThatCannotBeForwardedAreBadRequests() {
        for target in ["ftp://www.cdn.test/a", "http:///a", "http://user@www.cdn.test/a", "/a%zz",
                       "http://www.cdn.test/a#frag", "/a b", "www.cdn.test:80", "http://www.cdn.test:x/"] {
            guard case .badRequest = admit(target) else {
                Issue.record("\(target) admitted as \(admit(target))")
                continue
            }
        }
        guard case .badRequest = admit("/a", host: "www.cdn.test:port") else {
            Issue.record("a Host with a bad port was admitted")
            return
        }
    }

    @Test func hostsOutsideTheServiceNamesAreMisdirectedUnlessPassed() {
        #expect(admit("/a", host: "evil.example") == .misdirected("evil.example"))
        #expect(admit("http://x.example/", host: "www.cdn.test") == .misdirected("x.example"))
        #expect(key(admit("/a", host: "evil.example", hosts: HostPolicy(serviceNames: ["www.cdn.test"],
                                                                       unknownHosts: .pass))) != nil)
        #expect(key(admit("/a", host: "evil.example", hosts: HostPolicy())) != nil)  // no names: every host
    }

    @Test func theOutermostTierReplacesTheClientsAddressFields() {
        var headers = HTTPHeaders([("X-Forwarded-For", "6.6.6.6"), ("X-Forwarded-Proto", "https"),
                                   ("Forwarded", "for=6.6.6.6;host=evil.example")])
        ClientAddressHeaders.apply(&headers, clientAddress: "192.0.2.7", trusted: false)
        #expect(headers["x-forwarded-for"] == ["192.0.2.7"])
        #expect(headers["x-forwarded-proto"] == ["http"])
        #expect(headers["forwarded"] == ["for=192.0.2.7;proto=http"])
        var v6 = HTTPHeaders()
        ClientAddressHeaders.apply(&v6, clientAddress: "2001:db8::1", trusted: false)
        #expect(v6["forwarded"] == ["for=\"[2001:db8::1]\";proto=http"])
    }

    @Test func aShieldKeepsAnEdgesFieldsAndAppendsTheEdge() {
        var headers = HTTPHeaders([("X-Forwarded-For", "192.0.2.7"), ("X-Forwarded-Proto", "http"),
                                   ("Forwarded", "for=192.0.2.7;proto=http"),
                                   ("CDN-Loop", "tier-test; node=edge-1; tier=edge")])
        let trusted = ClientAddressHeaders.comesFromClusterTier(headers, cdnID: "tier-test", tier: .shield)
        #expect(trusted)
        ClientAddressHeaders.apply(&headers, clientAddress: "10.0.0.2", trusted: trusted)
        #expect(headers["x-forwarded-for"] == ["192.0.2.7, 10.0.0.2"])
        #expect(headers["forwarded"] == ["for=192.0.2.7;proto=http, for=10.0.0.2"])
        // Another CDN's entry, or any request at an edge, is not from this cluster.
        #expect(!ClientAddressHeaders.comesFromClusterTier(HTTPHeaders([("CDN-Loop", "other; node=x")]),
                                                           cdnID: "tier-test", tier: .shield))
        #expect(!ClientAddressHeaders.comesFromClusterTier(headers, cdnID: "tier-test", tier: .edge))
    }

    @Test func overrideHeadersAreRemovedUnlessKeptAndTheKeyDecidesHostAndTarget() throws {
        let client = HTTPHeaders([("Host", "WWW.cdn.test:6666"), ("X-Forwarded-Host", "evil.example"),
                                  ("X-Original-URL", "/admin"), ("X-HTTP-Method-Override", "DELETE"),
                                  ("Accept", "text/html")])
        let key = try #require(CacheKey.forRequest(target: "/a/../b", host: "WWW.cdn.test:6666"))
        func forwarded(kept: [String]) -> HTTPHeaders {
            ForwardingHeaders.upstreamRequestHeaders(
                from: client, key: key, clientAddress: "192.0.2.7", trustedHop: false, keptOverrides: kept,
                viaName: "edge-1", cdnLoopEntry: "c; node=edge-1; tier=edge", forCacheFill: true)
        }
        let plain = forwarded(kept: [])
        #expect(plain["host"] == ["www.cdn.test"])
        #expect(key.originForm == "/b")
        for name in ["x-forwarded-host", "x-original-url", "x-http-method-override"] {
            #expect(!plain.contains(name: name), "\(name)")
        }
        #expect(plain["accept"] == ["text/html"])
        let kept = forwarded(kept: ["x-forwarded-host"])
        #expect(kept["x-forwarded-host"] == ["evil.example"])
        #expect(!kept.contains(name: "x-original-url"))
        // upstream.host_header replaces the host for origins only; a shield keys the site's own name.
        let request = UpstreamRequest(method: .GET, target: key.originForm, headers: plain)
        let origin = Upstream(name: "o", host: "127.0.0.1", port: 8080)
        let shield = Upstream(name: "s", host: "127.0.0.1", port: 8090, tier: .shield)
        #expect(ForwardingHeaders.addressed(request, to: origin, hostOverride: "origin.example").headers["host"]
                    == ["origin.example"])
        #expect(ForwardingHeaders.addressed(request, to: shield, hostOverride: "origin.example").headers["host"]
                    == ["www.cdn.test"])
    }
}
