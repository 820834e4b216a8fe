import EdgeHTTP
import NIOHTTP1
import Testing

@Suite("Request limits")
struct RequestLimitsTests {
    let limits = RequestLimits(maxRequestLineBytes: 100, maxRequestBodyBytes: 1000)

    func head(_ uri: String = "/", version: HTTPVersion = .http1_1, _ headers: [(String, String)] = [("host", "a")])
        -> HTTPRequestHead
    {
        HTTPRequestHead(version: version, method: .GET, uri: uri, headers: HTTPHeaders(headers))
    }

    @Test func acceptsOrdinaryRequests() {
        #expect(limits.check(head()) == nil)
        #expect(limits.check(head(version: .http1_0, [])) == nil)
        #expect(limits.check(head("http://a/b")) == nil)
    }

    @Test("rejections", arguments: [
        (String(repeating: "a", count: 101), [("host", "a")], 414),
        ("/", [], 400),
        ("/", [("host", "a"), ("host", "b")], 400),
        ("/", [("host", "a"), ("content-length", "3"), ("transfer-encoding", "chunked")], 400),
        ("/", [("host", "a"), ("content-length", "3, 4")], 400),
        ("/", [("host", "a"), ("content-length", "5000")], 413),
        ("nope", [("host", "a")], 400),
    ])
    func rejects(_ uri: String, _ headers: [(String, String)], _ status: Int) {
        let uri = uri.hasPrefix("a") ? "/" + uri : uri
        #expect(limits.check(head(uri, headers)).map { Int($0.status.code) } == status)
    }

    @Test func expectationsAreAnsweredBeforeTheBodyIsRead() {
        #expect(limits.expectation(head()) == .none)
        #expect(limits.expectation(head("/", [("host", "a"), ("expect", "100-continue")])) == .sendContinue)
        #expect(limits.expectation(head("/", [("host", "a"), ("expect", "100-Continue")])) == .sendContinue)
        #expect(limits.expectation(head("/", [("host", "a"), ("expect", "something-else")])) == .fail)
        #expect(limits.expectation(head("/", [("host", "a"), ("expect", "100-continue, x")])) == .fail)
        // RFC 9110 §10.1.1: a server must ignore 100-continue in an HTTP/1.0 request.
        #expect(limits.expectation(head("/", version: .http1_0, [("expect", "100-continue")])) == .none)
    }
}
