import EdgeHTTP
import NIOHTTP1
import Testing

/// Which names redirect to HTTPS and which carry HSTS, without sockets.
@Suite("HTTPS redirect and HSTS per name")
struct HTTPSHostPolicyTests {
    let policy = HTTPSHostPolicy(entries: [
        .init(names: ["www.cdn.test", "cdn.test"], redirectHTTP: true,
              strictTransportSecurity: "max-age=31536000; includeSubDomains"),
        .init(names: ["*.img.test"], redirectHTTP: true, strictTransportSecurity: "max-age=60"),
        .init(names: ["plain.img.test", "api.test"]),
    ])

    @Test func getAndHeadGet301AndOtherMethods308() {
        let get = policy.redirect(method: .GET, host: "www.cdn.test", target: "/a/b?x=1&y=%20", httpsPort: 8443)
        #expect(get == .init(status: .movedPermanently, location: "https://www.cdn.test:8443/a/b?x=1&y=%20"))
        #expect(policy.redirect(method: .HEAD, host: "cdn.test", target: "/", httpsPort: 8443)?.status
            == .movedPermanently)
        let post = policy.redirect(method: .POST, host: "www.cdn.test", target: "/form", httpsPort: 8443)
        #expect(post == .init(status: .permanentRedirect, location: "https://www.cdn.test:8443/form"))
        #expect(policy.redirect(method: .DELETE, host: "www.cdn.test", target: "/x", httpsPort: 8443)?.status
            == .permanentRedirect)
    }

    @Test func port443IsLeftOutAndTheRequestPortIsIgnored() {
        #expect(policy.redirect(method: .GET, host: "www.cdn.test:8080", target: "/", httpsPort: 443)?.location
            == "https://www.cdn.test/")
        #expect(policy.redirect(method: .GET, host: "WWW.CDN.test.", target: "/p", httpsPort: 443)?.location
            == "https://www.cdn.test/p")
    }

    @Test func wildcardsCoverOneLabelAndExactNamesWin() {
        #expect(policy.redirect(method: .GET, host: "a.img.test", target: "/", httpsPort: 443)?.location
            == "https://a.img.test/")
        #expect(policy.redirect(method: .GET, host: "a.b.img.test", target: "/", httpsPort: 443) == nil)
        // plain.img.test is listed exactly in an entry without the settings: that entry wins over *.img.test.
        #expect(policy.redirect(method: .GET, host: "plain.img.test", target: "/", httpsPort: 443) == nil)
        #expect(policy.strictTransportSecurity(host: "plain.img.test") == nil)
        #expect(policy.strictTransportSecurity(host: "x.img.test") == "max-age=60")
    }

    @Test func unconfiguredNamesAndOddHostsAreNeverRedirected() {
        for host in ["evil.test", "www.cdn.test.evil.test", "127.0.0.1", "[::1]:80", "www.cdn.test@evil.test",
                     "www.cdn.test/evil", "", "api.test"] {
            #expect(policy.redirect(method: .GET, host: host, target: "/", httpsPort: 443) == nil, "\(host)")
        }
        #expect(policy.redirect(method: .GET, host: nil, target: "/", httpsPort: 443) == nil)
        #expect(policy.redirect(method: .GET, host: "www.cdn.test", target: "http://evil.test/", httpsPort: 443) == nil,
                "only origin-form targets reach a Location")
        #expect(policy.redirect(method: .GET, host: "www.cdn.test", target: "/", httpsPort: 0) == nil,
                "no redirect before the HTTPS port is known")
    }

    @Test func aTargetThatLooksLikeAnAuthorityStaysAPathOnTheMatchedHost() {
        #expect(policy.redirect(method: .GET, host: "www.cdn.test", target: "//evil.test/x", httpsPort: 443)?.location
            == "https://www.cdn.test//evil.test/x")
    }

    @Test func hstsIsPerNameWithPortsAndCaseIgnored() {
        #expect(policy.strictTransportSecurity(host: "www.cdn.test:8443") == "max-age=31536000; includeSubDomains")
        #expect(policy.strictTransportSecurity(host: "CDN.TEST") == "max-age=31536000; includeSubDomains")
        #expect(policy.strictTransportSecurity(host: "api.test") == nil)
        #expect(policy.strictTransportSecurity(host: "other.test") == nil)
        #expect(policy.strictTransportSecurity(host: nil) == nil)
    }

    @Test func anEmptyPolicyDoesNothing() {
        let empty = HTTPSHostPolicy()
        #expect(!empty.redirects && !empty.setsStrictTransportSecurity)
        #expect(empty.redirect(method: .GET, host: "www.cdn.test", target: "/", httpsPort: 443) == nil)
        #expect(policy.redirects && policy.setsStrictTransportSecurity)
    }
}
