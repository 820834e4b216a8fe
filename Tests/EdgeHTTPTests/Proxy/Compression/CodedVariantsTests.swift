import EdgeCache
import EdgeCompression
@testable import EdgeHTTP
import NIOCore
import NIOHTTP1
import Testing

@Suite("Coded variants")
struct CodedVariantsTests {
    let base = CachedObject(
        primaryKey: "http://example.com/page", variantKey: "accept-language=en", varyFields: ["accept-language"],
        status: 200,
        headers: HTTPHeaders([("Content-Type", "text/html"), ("ETag", "\"abc\""), ("Vary", "Accept-Language"),
                              ("Accept-Ranges", "bytes"), ("Content-Length", "5000"), ("Cache-Control", "max-age=60")]),
        body: ByteBuffer(repeating: 0x61, count: 5000), requestTime: 100, responseTime: 101, storedAt: 102,
        tags: ["site"], generation: 3)

    @Test func aVariantIsKeyedBesideItsBaseWithItsOwnHead() throws {
        let variant = CodedVariants.make(from: base, coding: .brotli, body: ByteBuffer(string: "coded"), level: 5,
                                         storedAt: 200)
        #expect(variant.primaryKey == base.primaryKey)
        #expect(variant.variantKey == "accept-language=en\u{1}br")
        #expect(variant.varyFields == base.varyFields, "same Vary list, or storing it would drop the base")
        #expect(variant.tags == ["site"] && variant.generation == 3)
        #expect(variant.requestTime == 100 && variant.responseTime == 101 && variant.storedAt == 200)
        #expect(variant.headers.first(name: "content-encoding") == "br")
        #expect(variant.headers["content-length"] == ["5"])
        #expect(variant.headers.first(name: "etag") == "W/\"abc-br\"")
        #expect(variant.headers["vary"] == ["Accept-Language, Accept-Encoding"])
        #expect(variant.headers.first(name: "accept-ranges") == nil)
        #expect(variant.headers.first(name: "cache-control") == "max-age=60")
        let stamp = try #require(variant.headers.first(name: VariantStamp.fieldName).flatMap(VariantStamp.init(fieldValue:)))
        #expect(stamp.coding == .brotli && stamp.level == 5)
        #expect(stamp.isMade(from: base) && stamp.hasHeaders(of: base))
    }

    @Test func aRevalidatedBaseKeepsItsVariantsBodiesButNotTheirHeads() throws {
        let variant = CodedVariants.make(from: base, coding: .gzip, body: ByteBuffer(string: "coded"), level: 6,
                                         storedAt: 200)
        var newHeaders = base.headers
        newHeaders.replaceOrAdd(name: "cache-control", value: "max-age=600")
        let revalidated = base.replacing(headers: newHeaders, requestTime: 300, responseTime: 301)
        let stamp = try #require(variant.headers.first(name: VariantStamp.fieldName).flatMap(VariantStamp.init(fieldValue:)))
        #expect(stamp.isMade(from: revalidated))
        #expect(!stamp.hasHeaders(of: revalidated))
        let refreshed = CodedVariants.refreshed(variant, stamp: stamp, base: revalidated, storedAt: 400)
        #expect(refreshed.body == variant.body)
        #expect(refreshed.headers.first(name: "cache-control") == "max-age=600")
        #expect(refreshed.responseTime == 301)

        let refetched = CachedObject(primaryKey: base.primaryKey, variantKey: base.variantKey,
                                     varyFields: base.varyFields, status: 200, headers: base.headers, body: base.body,
                                     requestTime: 500, responseTime: 501, storedAt: 502)
        #expect(!stamp.isMade(from: refetched), "a new body invalidates every variant of the old one")
    }

    @Test func decodingDropsTheEncodedBytesValidators() {
        var headers = HTTPHeaders([("Content-Encoding", "br"), ("Content-Length", "10"), ("ETag", "\"x\""),
                                   ("Last-Modified", "Sat, 01 Jan 2000 00:00:00 GMT")])
        CodedVariants.applyDecoding(to: &headers)
        #expect(headers.first(name: "content-encoding") == nil)
        #expect(headers.first(name: "content-length") == nil)
        #expect(headers.first(name: "etag") == nil)
        #expect(headers.first(name: "last-modified") != nil)
        #expect(headers.first(name: "vary") == "Accept-Encoding")
    }
}
