import NIOCore
import NIOHTTP1
import Testing
@testable import EdgeCache

/// What the memory tier charges an object is what the object pins: a body that is a slice of a larger read
/// buffer is copied out (so the buffer is not kept alive), and keys, header fields and the per-object
/// bookkeeping are part of the cost.
@Suite("Memory accounting")
struct MemoryAccountingTests {
    @Test func aBodySlicedFromALargeReadBufferIsCopiedOut() {
        var readBuffer = ByteBufferAllocator().buffer(capacity: 8_192)
        readBuffer.writeBytes([UInt8](repeating: 0x41, count: 4_000))
        let slice = readBuffer.getSlice(at: 1_000, length: 150) ?? ByteBuffer()
        #expect(slice.storageCapacity >= 8_192)
        let object = CachedObject(primaryKey: "http://example.com/a", status: 200, headers: HTTPHeaders(),
                                  body: slice, requestTime: 1, responseTime: 1, storedAt: 1)
        #expect(object.body == slice)
        #expect(object.body.storageCapacity == CachedObject.storageSize(for: 150))
        #expect(CachedObject.storageSize(for: 150) == 256)
        #expect(CachedObject.storageSize(for: 1024) == 1024)
        #expect(object.byteCost < 8_192)
    }

    @Test func aBodyInItsOwnStorageIsShared() {
        let body = ByteBuffer(bytes: [UInt8](repeating: 1, count: 1_000))
        let object = CachedObject(primaryKey: "http://example.com/a", status: 200, headers: HTTPHeaders(),
                                  body: body, requestTime: 1, responseTime: 1, storedAt: 1)
        #expect(object.body.storageCapacity == body.storageCapacity)
    }

    @Test func keysFieldsAndBookkeepingAreCharged() {
        let headers = HTTPHeaders([("content-type", "text/plain"), ("etag", "\"v1\""), ("x-long", "some value")])
        let key = "http://example.com/" + String(repeating: "k", count: 200)
        let object = CachedObject(primaryKey: key, status: 200, headers: headers,
                                  body: ByteBuffer(bytes: [UInt8](repeating: 1, count: 150)),
                                  requestTime: 1, responseTime: 1, storedAt: 1)
        let fieldText = headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count }
        // The key once: the storage key (primary key, newline, empty variant) is the only copy the object holds.
        #expect(object.storageKey == key + "\n" && object.primaryKey == key)
        // Field text twice (stored, and the template's serialized bytes with ": " and CRLF).
        let expected = CachedObject.fixedOverheadBytes + object.body.storageCapacity + key.utf8.count + 1
            + 2 * fieldText + 3 * (4 + CachedObject.perFieldOverheadBytes)
        #expect(object.byteCost == expected)
        #expect(object.byteCost > 150 + CachedObject.fixedOverheadBytes)
    }

    @Test func aTierOfSmallObjectsHoldsWhatItsBudgetAffords() {
        let tier = MemoryTier(capacityBytes: 1 << 20, maxObjectBytes: 1 << 20)
        var cost = 0
        for index in 0..<5_000 {
            let object = makeObject(primaryKey: "http://example.com/\(10_000 + index)", bodySize: 150)
            cost = object.byteCost
            tier.put(object)
        }
        #expect(tier.stats.bytes <= 1 << 20)
        #expect(tier.stats.objects == (1 << 20) / cost)
    }
}
