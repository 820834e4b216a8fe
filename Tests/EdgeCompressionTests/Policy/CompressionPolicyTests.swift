import EdgeCompression
import Testing

struct PolicyCase: Sendable, CustomTestStringConvertible {
    var name: String
    var status = 200
    var method = "GET"
    var headers: [(name: String, value: String)] = [("Content-Type", "text/html")]
    var bodyLength: Int? = 10_000
    var expected: CompressionDecision

    var testDescription: String { name }
}

@Suite struct CompressionPolicyTests {
    static let cases: [PolicyCase] = [
        .init(name: "html", expected: .compress),
        .init(name: "charset parameter", headers: [("content-type", "text/html; charset=UTF-8")], expected: .compress),
        .init(name: "type case", headers: [("Content-Type", "Text/HTML;Charset=utf-8")], expected: .compress),
        .init(name: "css", headers: [("Content-Type", "text/css")], expected: .compress),
        .init(name: "js", headers: [("Content-Type", "application/javascript")], expected: .compress),
        .init(name: "text/javascript", headers: [("Content-Type", "text/javascript")], expected: .compress),
        .init(name: "json", headers: [("Content-Type", "application/json")], expected: .compress),
        .init(name: "+json suffix", headers: [("Content-Type", "application/manifest+json")], expected: .compress),
        .init(name: "+xml suffix", headers: [("Content-Type", "application/rss+xml")], expected: .compress),
        .init(name: "svg", headers: [("Content-Type", "image/svg+xml")], expected: .compress),
        .init(name: "wasm", headers: [("Content-Type", "application/wasm")], expected: .compress),
        .init(name: "ttf", headers: [("Content-Type", "font/ttf")], expected: .compress),
        .init(name: "eot", headers: [("Content-Type", "application/vnd.ms-fontobject")], expected: .compress),
        .init(name: "woff2", headers: [("Content-Type", "font/woff2")], expected: .skip(.contentType)),
        .init(name: "woff", headers: [("Content-Type", "font/woff")], expected: .skip(.contentType)),
        .init(name: "png", headers: [("Content-Type", "image/png")], expected: .skip(.contentType)),
        .init(name: "octet-stream", headers: [("Content-Type", "application/octet-stream")],
              expected: .skip(.contentType)),
        .init(name: "zip", headers: [("Content-Type", "application/zip")], expected: .skip(.contentType)),
        .init(name: "event stream", headers: [("Content-Type", "text/event-stream")], expected: .skip(.contentType)),
        .init(name: "no content type", headers: [], expected: .skip(.contentType)),
        .init(name: "malformed content type", headers: [("Content-Type", "html")], expected: .skip(.contentType)),
        .init(name: "empty content type", headers: [("Content-Type", "")], expected: .skip(.contentType)),
        .init(name: "206", status: 206, expected: .skip(.status)),
        .init(name: "204", status: 204, expected: .skip(.status)),
        .init(name: "304", status: 304, expected: .skip(.status)),
        .init(name: "404", status: 404, expected: .skip(.status)),
        .init(name: "HEAD like GET", method: "HEAD", expected: .compress),
        .init(name: "POST", method: "POST", expected: .skip(.method)),
        .init(name: "lowercase get is another method", method: "get", expected: .skip(.method)),
        .init(name: "already gzip", headers: [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
              expected: .skip(.alreadyEncoded)),
        .init(name: "already br, odd case", headers: [("Content-Type", "text/html"), ("content-encoding", "BR")],
              expected: .skip(.alreadyEncoded)),
        .init(name: "unknown coding", headers: [("Content-Type", "text/html"), ("Content-Encoding", "zstd")],
              expected: .skip(.alreadyEncoded)),
        .init(name: "identity coding", headers: [("Content-Type", "text/html"), ("Content-Encoding", "identity")],
              expected: .compress),
        .init(name: "empty coding", headers: [("Content-Type", "text/html"), ("Content-Encoding", " ")],
              expected: .compress),
        .init(name: "no-transform",
              headers: [("Content-Type", "text/html"), ("Cache-Control", "public, max-age=60, no-transform")],
              expected: .skip(.noTransform)),
        .init(name: "no-transform case, second line",
              headers: [("Content-Type", "text/html"), ("Cache-Control", "max-age=60"),
                        ("cache-control", "No-Transform")],
              expected: .skip(.noTransform)),
        .init(name: "no-transform inside a quoted value",
              headers: [("Content-Type", "text/html"), ("Cache-Control", "private=\"no-transform, x\", max-age=5")],
              expected: .compress),
        .init(name: "other cache-control", headers: [("Content-Type", "text/html"), ("Cache-Control", "no-store")],
              expected: .compress),
        .init(name: "below minimum", bodyLength: 255, expected: .skip(.tooSmall)),
        .init(name: "at minimum", bodyLength: 256, expected: .compress),
        .init(name: "empty body", bodyLength: 0, expected: .skip(.tooSmall)),
        .init(name: "unknown length", bodyLength: nil, expected: .compress),
        .init(name: "content-length fallback small",
              headers: [("Content-Type", "text/html"), ("Content-Length", "100")], bodyLength: nil,
              expected: .skip(.tooSmall)),
        .init(name: "content-length fallback large",
              headers: [("Content-Type", "text/html"), ("Content-Length", "100000")], bodyLength: nil,
              expected: .compress),
        .init(name: "malformed content-length is unknown",
              headers: [("Content-Type", "text/html"), ("Content-Length", "12abc")], bodyLength: nil,
              expected: .compress),
        .init(name: "known length wins over header",
              headers: [("Content-Type", "text/html"), ("Content-Length", "10")], bodyLength: 5000,
              expected: .compress),
        .init(name: "status checked before type", status: 206, headers: [("Content-Type", "image/png")],
              expected: .skip(.status)),
    ]

    @Test(arguments: cases)
    func decision(_ testCase: PolicyCase) {
        let policy = CompressionPolicy()
        let decision = policy.decide(
            status: testCase.status, method: testCase.method,
            responseHeaders: testCase.headers, bodyLength: testCase.bodyLength
        )
        #expect(decision == testCase.expected)
    }

    @Test func disabledSkipsEverything() {
        let policy = CompressionPolicy(settings: CompressionSettings(enabled: false))
        #expect(policy.decide(status: 200, method: "GET", responseHeaders: [("Content-Type", "text/html")],
                              bodyLength: 5000) == .skip(.disabled))
    }

    @Test func configuredTypesAndMinimum() throws {
        let types = ["text/*", "application/x-custom"].compactMap(MediaTypePattern.init)
        let settings = CompressionSettings(mediaTypes: types, minimumBodyBytes: 10)
        let policy = CompressionPolicy(settings: settings)
        #expect(policy.isCompressible(contentType: "text/event-stream"))
        #expect(policy.isCompressible(contentType: "application/x-custom; v=1"))
        #expect(!policy.isCompressible(contentType: "application/json"))
        #expect(!policy.isCompressible(contentType: nil))
        #expect(policy.decide(status: 200, method: "GET", responseHeaders: [("Content-Type", "text/plain")],
                              bodyLength: 10) == .compress)
        #expect(policy.decide(status: 200, method: "GET", responseHeaders: [("Content-Type", "text/plain")],
                              bodyLength: 9) == .skip(.tooSmall))
    }

    @Test func skipReasonsHaveStableNames() {
        #expect(CompressionDecision.skip(.noTransform) != .compress)
        #expect(!CompressionDecision.skip(.status).shouldCompress)
        #expect(CompressionDecision.compress.shouldCompress)
        #expect(CompressionDecision.SkipReason.alreadyEncoded.description == "alreadyEncoded")
    }
}
