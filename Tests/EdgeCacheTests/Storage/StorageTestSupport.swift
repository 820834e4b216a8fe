import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
@testable import EdgeCache

/// Builds a cached object with a body of `bodySize` bytes derived from the key, so bodies differ per object.
func makeObject(
    primaryKey: String = "http://example.com/a",
    variantKey: String = "",
    varyFields: [String] = [],
    bodySize: Int = 100,
    headers: [(String, String)] = [("content-type", "text/plain"), ("etag", "\"v1\"")],
    storedAt: Double = 1_700_000_000,
    tags: [String] = [],
    generation: UInt64 = 0
) -> CachedObject {
    let seed = UInt8(truncatingIfNeeded: primaryKey.utf8.count &+ variantKey.utf8.count)
    let body = ByteBuffer(bytes: (0..<bodySize).map { UInt8(truncatingIfNeeded: $0) &+ seed })
    return CachedObject(
        primaryKey: primaryKey,
        variantKey: variantKey,
        varyFields: varyFields,
        status: 200,
        headers: HTTPHeaders(headers),
        body: body,
        requestTime: storedAt - 1,
        responseTime: storedAt - 0.5,
        storedAt: storedAt,
        tags: tags,
        generation: generation
    )
}

/// A fresh directory under the system temp directory, deleted when the value is released.
final class TemporaryDirectory {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/edge-storage-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Every regular file below the directory, relative paths, sorted.
    func files() -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: path) else { return [] }
        var result: [String] = []
        while let relative = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path + "/" + relative, isDirectory: &isDirectory),
               !isDirectory.boolValue {
                result.append(relative)
            }
        }
        return result.sorted()
    }
}

/// Collects disk tier events from any thread.
final class EventLog: Sendable {
    private let events = Mutex<[DiskTierEvent]>([])

    var handler: @Sendable (DiskTierEvent) -> Void {
        { event in self.events.withLock { $0.append(event) } }
    }

    var all: [DiskTierEvent] { events.withLock { $0 } }
}

/// A small deterministic generator so randomised tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension CachedObject {
    var bodyBytes: [UInt8] { Array(body.readableBytesView) }
}
