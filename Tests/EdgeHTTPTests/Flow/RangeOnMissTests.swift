import EdgeCache
import EdgeCore
@testable import EdgeHTTP
import EdgeUpstream
import NIOCore
import NIOHTTP1
import Testing

/// A `Range` request for an object that is not cached yet: 206 with the range as the fill streams, the whole
/// object stored behind it.
@Suite struct RangeOnMissTests {
    /// A body that arrives in `chunkSize` pieces.
    static func chunked(_ text: String, chunkSize: Int) -> @Sendable () -> (() async throws -> ByteBuffer?) {
        let bytes = Array(text.utf8)
        return {
            var offset = 0
            return {
                guard offset < bytes.count else { return nil }
                let end = min(bytes.count, offset + chunkSize)
                defer { offset = end }
                return ByteBuffer(bytes: bytes[offset..<end])
            }
        }
    }

    @Test(arguments: [1, 3, 7, 100])
    func aRangeIsCutFromChunksOfAnySize(chunkSize: Int) async throws {
        let text = "0123456789abcdefghij"
        for (first, last) in [(0, 0), (0, 19), (5, 9), (9, 10), (19, 19), (3, 17)] {
            let body = RangedBody(source: Self.chunked(text, chunkSize: chunkSize),
                                  range: ByteRange(first: first, last: last))
            var out = ""
            for try await chunk in body { out += String(buffer: chunk) }
            let expected = String(Array(text)[first...last])
            #expect(out == expected, "bytes \(first)-\(last) in chunks of \(chunkSize)")
        }
    }

    @Test func aMissWithARangeIsAnswered206AndTheWholeObjectIsStored() async throws {
        let text = String((0..<5000).map { Character(UnicodeScalar(UInt8(48 + $0 % 10))) })
        let upstream = ProxyFlowFetchTests.ScriptedUpstream { _, request in
            // A fill asks for the whole object whatever the client's Range.
            #expect(request.headers.first(name: "range") == nil)
            return .response(status: 200, headers: [("cache-control", "max-age=60"), ("etag", "\"r1\"")], body: text)
        }
        let engine = ProxyFlowFetchTests.engine(upstream)
        var ranged = ProxyFlowTests.request(.GET, "/big")
        ranged.head.headers.add(name: "range", value: "bytes=1000-1999")
        let (partial, _) = await ProxyFlowTests.respond(engine, ranged)
        #expect(partial.status == .partialContent)
        #expect(partial.headers.first(name: "content-range") == "bytes 1000-1999/5000")
        #expect(partial.headers.first(name: "content-length") == "1000")
        let body = try await ProxyFlowFetchTests.text(of: partial.body)
        #expect(body == String(Array(text)[1000...1999]))

        try await ProxyFlowFetchTests.waitUntilStored(engine)
        let (whole, wholeBody) = try await ProxyFlowFetchTests.get(engine, "/big")
        #expect(whole.phase == .hit && whole.status == .ok && wholeBody == text)
        #expect(upstream.calls == 1)
    }

    @Test func anUnsatisfiableRangeIs416AndAStaleIfRangeGetsTheWhole200() async throws {
        let upstream = ProxyFlowFetchTests.ScriptedUpstream { _, _ in
            .response(status: 200, headers: [("cache-control", "no-store"), ("etag", "\"now\"")], body: "0123456789")
        }
        let engine = ProxyFlowFetchTests.engine(upstream)
        var beyond = ProxyFlowTests.request(.GET, "/small")
        beyond.head.headers.add(name: "range", value: "bytes=50-60")
        let (refused, _) = await ProxyFlowTests.respond(engine, beyond)
        #expect(refused.status == .rangeNotSatisfiable)
        #expect(refused.headers.first(name: "content-range") == "bytes */10")

        var stale = ProxyFlowTests.request(.GET, "/small")
        stale.head.headers.add(name: "range", value: "bytes=0-4")
        stale.head.headers.add(name: "if-range", value: "\"before\"")
        let (whole, wholeBody) = await ProxyFlowTests.respond(engine, stale)
        #expect(whole.status == .ok)
        #expect(try await ProxyFlowFetchTests.text(of: whole.body) == "0123456789")
        _ = wholeBody
    }
}
