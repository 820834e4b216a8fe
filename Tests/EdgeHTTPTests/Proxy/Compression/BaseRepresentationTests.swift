import EdgeCompression
@testable import EdgeHTTP
import NIOHTTP1
import Testing

@Suite("Base representation")
struct BaseRepresentationTests {
    let policy = CompressionPolicy()

    func representation(status: Int = 200, _ fields: [(String, String)], length: Int? = 10_000) -> BaseRepresentation {
        BaseRepresentation.of(status: status, headers: HTTPHeaders(fields), bodyLength: length, policy: policy)
    }

    @Test func compressibleTextOfSomeSize() {
        #expect(representation([("Content-Type", "text/html; charset=utf-8")]) == .compressible)
        #expect(representation([("Content-Type", "application/json")]) == .compressible)
        #expect(representation([("Content-Type", "text/html")], length: 100) == .plain)
        #expect(representation([("Content-Type", "image/png")]) == .plain)
        #expect(representation([]) == .plain)
        #expect(representation(status: 206, [("Content-Type", "text/html")]) == .plain)
        #expect(representation(status: 404, [("Content-Type", "text/html")]) == .plain)
        #expect(representation([("Content-Type", "text/html"), ("Cache-Control", "public, no-transform")]) == .plain)
    }

    @Test func unknownLengthReadsContentLength() {
        #expect(representation([("Content-Type", "text/css"), ("Content-Length", "100")], length: nil) == .plain)
        #expect(representation([("Content-Type", "text/css"), ("Content-Length", "1000")], length: nil) == .compressible)
        #expect(representation([("Content-Type", "text/css")], length: nil) == .compressible)
    }

    @Test func encodedBasesWeCanDecode() {
        #expect(representation([("Content-Type", "text/html"), ("Content-Encoding", "br")]) == .encoded(.brotli))
        #expect(representation([("Content-Type", "image/png"), ("Content-Encoding", "x-gzip")]) == .encoded(.gzip))
        #expect(representation([("Content-Encoding", "gzip"), ("Content-Encoding", "identity")]) == .encoded(.gzip))
        // Stacked, unknown or no-transform: passed on as they are.
        #expect(representation([("Content-Type", "text/html"), ("Content-Encoding", "gzip, br")]) == .plain)
        #expect(representation([("Content-Type", "text/html"), ("Content-Encoding", "zstd")]) == .plain)
        #expect(representation([("Content-Encoding", "br"), ("Cache-Control", "no-transform")]) == .plain)
    }

    @Test func switchedOff() {
        let off = CompressionPolicy(settings: CompressionSettings(enabled: false))
        let headers = HTTPHeaders([("Content-Type", "text/html"), ("Content-Encoding", "br")])
        #expect(BaseRepresentation.of(status: 200, headers: headers, bodyLength: 10_000, policy: off) == .plain)
    }
}
