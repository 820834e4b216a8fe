import EdgeCache
import Testing

@Suite("Cache keys (RFC 9111 §2, RFC 3986 §6)")
struct CacheKeyTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var scheme = "http"
        var host = "example.com"
        let target: String
        let primary: String
        var testDescription: String { "\(scheme) \(host) \(target)" }
    }

    static let normalised: [Row] = [
        Row(target: "/a/b?x=1", primary: "http://example.com/a/b?x=1"),
        Row(host: "EXAMPLE.Com", target: "/", primary: "http://example.com/"),
        Row(scheme: "HTTPS", host: "example.com", target: "/", primary: "https://example.com/"),
        Row(host: "example.com:80", target: "/a", primary: "http://example.com/a"),
        Row(host: "example.com:080", target: "/a", primary: "http://example.com/a"),
        Row(scheme: "https", host: "example.com:443", target: "/a", primary: "https://example.com/a"),
        Row(host: "example.com:443", target: "/a", primary: "http://example.com:443/a"),
        Row(scheme: "https", host: "example.com:80", target: "/a", primary: "https://example.com:80/a"),
        Row(host: "example.com:8080", target: "/a", primary: "http://example.com:8080/a"),
        Row(host: "example.com:", target: "/a", primary: "http://example.com/a"),
        Row(host: "example.com.", target: "/a", primary: "http://example.com/a"),
        Row(host: "Example.COM.:8080", target: "/a", primary: "http://example.com:8080/a"),
        Row(host: "[::1]:8080", target: "/", primary: "http://[::1]:8080/"),
        Row(host: "[::1]:80", target: "/", primary: "http://[::1]/"),
        Row(host: "[2001:DB8::1]", target: "/", primary: "http://[2001:db8::1]/"),
        Row(host: "127.0.0.1:8080", target: "/", primary: "http://127.0.0.1:8080/"),
        // Dot segments (RFC 3986 §5.2.4).
        Row(target: "/a/b/../c/./d", primary: "http://example.com/a/c/d"),
        Row(target: "/../a", primary: "http://example.com/a"),
        Row(target: "/a/..", primary: "http://example.com/"),
        Row(target: "/a/b/..", primary: "http://example.com/a/"),
        Row(target: "/a/./", primary: "http://example.com/a/"),
        Row(target: "/.", primary: "http://example.com/"),
        Row(target: "/a/b/c/./../../g", primary: "http://example.com/a/g"),
        Row(target: "/a/..b/c", primary: "http://example.com/a/..b/c"),
        Row(target: "/a/.b", primary: "http://example.com/a/.b"),
        Row(target: "//a", primary: "http://example.com//a"),
        // Percent-encoding: unreserved decoded, others uppercased.
        Row(target: "/%7euser", primary: "http://example.com/~user"),
        Row(target: "/%41%62%2D%5F%2e", primary: "http://example.com/Ab-_."),
        Row(target: "/a%2fb", primary: "http://example.com/a%2Fb"),
        Row(target: "/a%2Fb", primary: "http://example.com/a%2Fb"),
        Row(target: "/%20x", primary: "http://example.com/%20x"),
        Row(target: "/%c3%a9", primary: "http://example.com/%C3%A9"),
        Row(target: "/a/%2e%2e/b", primary: "http://example.com/b"),
        Row(target: "/a/%2E/b", primary: "http://example.com/a/b"),
        // The query is kept as sent.
        Row(target: "/p?B=%7e&a=1", primary: "http://example.com/p?B=%7e&a=1"),
        Row(target: "/p?/../x", primary: "http://example.com/p?/../x"),
        Row(target: "/p?", primary: "http://example.com/p?"),
        // Absolute form: its scheme and authority win over the Host header.
        Row(host: "ignored.example", target: "http://Other.Example:80/x?y", primary: "http://other.example/x?y"),
        Row(host: "ignored.example", target: "HTTPS://h.example", primary: "https://h.example/"),
        Row(target: "http://h.example?q=1", primary: "http://h.example/?q=1"),
        Row(target: "http://h.example/a/../b", primary: "http://h.example/b"),
    ]

    @Test(arguments: normalised)
    func normalisation(row: Row) throws {
        let key = try #require(CacheKey(scheme: row.scheme, host: row.host, target: row.target))
        #expect(key.primary == row.primary)
        #expect(key.description == row.primary)
    }

    @Test func components() throws {
        let key = try #require(CacheKey(scheme: "http", host: "Example.com:8080", target: "/a/./b?x=1&y"))
        #expect(key.scheme == "http")
        #expect(key.host == "example.com:8080")
        #expect(key.path == "/a/b")
        #expect(key.query == "x=1&y")
        let bare = try #require(CacheKey(scheme: "http", host: "example.com", target: "/a"))
        #expect(bare.query == nil)
        let empty = try #require(CacheKey(scheme: "http", host: "example.com", target: "/a?"))
        #expect(empty.query == "")
        #expect(empty != bare)
    }

    @Test func equivalentSpellingsShareAKeyAndDigest() throws {
        let a = try #require(CacheKey(scheme: "http", host: "EXAMPLE.com:80", target: "/%7Ea/./b/../c"))
        let b = try #require(CacheKey(scheme: "http", host: "example.com", target: "/~a/c"))
        #expect(a == b)
        #expect(a.digest == b.digest)
    }

    @Test func digestIsHexSHA256OfPrimary() throws {
        let key = try #require(CacheKey(scheme: "http", host: "example.com", target: "/"))
        #expect(key.digest == "2a1b402420ef46577471cdc7409b0fa2c6a204db316e59ade2d805435489a067")
        let other = try #require(CacheKey(scheme: "https", host: "example.com", target: "/"))
        #expect(other.digest != key.digest)
        #expect(other.digest.count == 64)
        #expect(other.digest.allSatisfy { $0.isHexDigit && !$0.isUppercase })
    }

    struct InvalidRow: Sendable, CustomTestStringConvertible {
        var scheme = "http"
        var host = "example.com"
        let target: String
        let why: String
        var testDescription: String { why }
    }

    static let invalid: [InvalidRow] = [
        InvalidRow(target: "*", why: "asterisk form"),
        InvalidRow(target: "example.com:443", why: "authority form"),
        InvalidRow(target: "a/b", why: "relative path"),
        InvalidRow(target: "", why: "empty target"),
        InvalidRow(target: "/a b", why: "space"),
        InvalidRow(target: "/a\nb", why: "newline"),
        InvalidRow(target: "/a\tb", why: "tab"),
        InvalidRow(target: "/é", why: "non-ASCII"),
        InvalidRow(target: "/%zz", why: "bad percent hex"),
        InvalidRow(target: "/%4", why: "truncated percent"),
        InvalidRow(target: "/a%", why: "trailing percent"),
        InvalidRow(target: "/a#frag", why: "fragment"),
        InvalidRow(target: "http://user@h.example/", why: "userinfo"),
        InvalidRow(target: "http:///a", why: "absolute form without host"),
        InvalidRow(target: "1http://h/", why: "bad absolute scheme"),
        InvalidRow(host: "", target: "/", why: "empty host"),
        InvalidRow(host: ".", target: "/", why: "host of dots"),
        InvalidRow(host: "bad host", target: "/", why: "space in host"),
        InvalidRow(host: "h/x", target: "/", why: "slash in host"),
        InvalidRow(host: "h:99999", target: "/", why: "port out of range"),
        InvalidRow(host: "h:12a", target: "/", why: "non-numeric port"),
        InvalidRow(host: "h:123456789012345678901", target: "/", why: "overlong port"),
        InvalidRow(host: "[::1", target: "/", why: "unterminated IPv6 literal"),
        InvalidRow(host: "[::1]x", target: "/", why: "junk after IPv6 literal"),
        InvalidRow(host: "[zz]", target: "/", why: "non-hex IPv6 literal"),
        InvalidRow(scheme: "", target: "/", why: "empty scheme"),
        InvalidRow(scheme: "ht tp", target: "/", why: "space in scheme"),
    ]

    @Test(arguments: invalid)
    func rejects(row: InvalidRow) {
        #expect(CacheKey(scheme: row.scheme, host: row.host, target: row.target) == nil)
    }
}

@Suite("Cache key fast path")
struct CacheKeyFastPathTests {
    /// Origin-form targets take a one-pass fast path when nothing needs normalising; absolute-form targets always
    /// take the full path. Both must agree on every input.
    @Test func fastPathAgreesWithTheFullNormalisation() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcXYZ019-._~/?=&%2e:@!$'()*+,;#".utf8)
        let hosts = ["example.com", "example.com:8080", "EXAMPLE.com", "example.com:80", "example.com:080", "a.b-c",
                     "example.com.", "127.0.0.1:9"]
        for _ in 0..<5_000 {
            let length = Int.random(in: 0...12, using: &generator)
            let tail = String(decoding: (0..<length).map { _ in alphabet.randomElement(using: &generator) ?? 47 },
                              as: UTF8.self)
            let target = "/" + tail
            let host = hosts.randomElement(using: &generator) ?? "example.com"
            let viaOriginForm = CacheKey(scheme: "http", host: host, target: target)
            let viaAbsoluteForm = CacheKey(scheme: "http", host: "ignored.example", target: "http://\(host)\(target)")
            #expect(viaOriginForm?.primary == viaAbsoluteForm?.primary, "host \(host) target \(target)")
        }
    }

    /// Every node of the CDN serves the same sites on its own port; the tiers share objects only if keys leave it out.
    @Test func hostsLoseTheirPort() {
        #expect(CacheKey.hostWithoutPort("www.cdn.test:8081") == "www.cdn.test")
        #expect(CacheKey.hostWithoutPort("www.cdn.test") == "www.cdn.test")
        #expect(CacheKey.hostWithoutPort("[::1]:8081") == "[::1]")
        #expect(CacheKey.hostWithoutPort("[::1]") == "[::1]")
        #expect(CacheKey.hostWithoutPort("::1") == "::1")
        #expect(CacheKey.hostWithoutPort("host:") == "host:")
        #expect(CacheKey.hostWithoutPort("host:abc") == "host:abc")
    }
}
