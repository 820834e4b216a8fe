import EdgeCore
import NIOCore
import NIOHTTP1
import Testing
@testable import EdgeCache

@Suite("CachedObject")
struct CachedObjectTests {
    @Test func storageKeyJoinsPrimaryAndVariant() {
        #expect(makeObject(primaryKey: "http://a/x").storageKey == "http://a/x\n")
        #expect(makeObject(primaryKey: "http://a/x", variantKey: "gzip").storageKey == "http://a/x\ngzip")
        #expect(CachedObject.storageKey(primaryKey: "p", variantKey: "v") == "p\nv")
    }

    @Test func validatorsAreParsedFromHeaders() {
        let object = makeObject(headers: [("ETag", "\"abc\""), ("Last-Modified", "Sun, 06 Nov 1994 08:49:37 GMT")])
        #expect(object.etag == EntityTag(opaque: "abc"))
        #expect(object.lastModified == 784_111_777)

        let none = makeObject(headers: [("ETag", "abc"), ("Last-Modified", "yesterday")])
        #expect(none.etag == nil)
        #expect(none.lastModified == nil)
    }

    @Test func byteCostCountsBodyHeadersAndOverhead() {
        let small = makeObject(bodySize: 0, headers: [])
        let withBody = makeObject(bodySize: 1000, headers: [])
        let withHeader = makeObject(bodySize: 0, headers: [("x-long", String(repeating: "v", count: 500))])
        #expect(small.byteCost >= CachedObject.fixedOverheadBytes)
        // The body is charged its storage (1000 bytes round up to a 1024-byte allocation).
        #expect(withBody.byteCost - small.byteCost == withBody.body.storageCapacity - small.body.storageCapacity)
        #expect(withBody.byteCost - small.byteCost >= 1000)
        #expect(withHeader.byteCost - small.byteCost >= 506)
    }

    @Test func replacingKeepsBodyAndKeysAndTakesNewHeadersAndTimes() {
        let original = makeObject(varyFields: ["accept"], bodySize: 10, headers: [("etag", "\"1\"")], tags: ["t"],
                                  generation: 3)
        let refreshed = original.replacing(headers: HTTPHeaders([("etag", "\"2\"")]), requestTime: 5, responseTime: 6)
        #expect(refreshed.etag == EntityTag(opaque: "2"))
        #expect(refreshed.requestTime == 5)
        #expect(refreshed.responseTime == 6)
        #expect(refreshed.storedAt == original.storedAt)
        #expect(refreshed.bodyBytes == original.bodyBytes)
        #expect(refreshed.storageKey == original.storageKey)
        #expect(refreshed.varyFields == ["accept"])
        #expect(refreshed.tags == ["t"])
        #expect(refreshed.generation == 3)
        #expect(original.etag == EntityTag(opaque: "1"))
        #expect(original.replacing(headers: HTTPHeaders(), requestTime: 0, responseTime: 0, storedAt: 9).storedAt == 9)
    }
}
