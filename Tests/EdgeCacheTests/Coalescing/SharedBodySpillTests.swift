@testable import EdgeCache
import Foundation
import NIOCore
import Synchronization
import Testing

/// A shared body past its spill threshold: written to an unlinked file as it arrives, only a window of recent
/// chunks in memory, readers behind the window (late joiners) reading from the file, and the finished file
/// stored without reading it into memory.
@Suite("Shared body spilling to disk")
struct SharedBodySpillTests {
    static func spill(_ directory: String, above: Int = 100, window: Int = 120) -> BodySpill {
        BodySpill(above: above, window: window, directory: directory) { work in try work() }
    }

    static func chunk(_ index: Int, size: Int = 40) -> ByteBuffer {
        ByteBuffer(bytes: (0..<size).map { UInt8(truncatingIfNeeded: index &* 31 &+ $0) })
    }

    static func read(_ reader: SharedBody.Reader) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in reader { bytes += chunk.readableBytesView }
        return bytes
    }

    @Test func memoryStaysWithinTheWindowAndALateJoinerReadsEverything() async throws {
        let directory = try TemporaryDirectory()
        let body = SharedBody(spill: Self.spill(directory.path))
        let early = body.makeReader()
        var expected: [UInt8] = []
        for index in 0..<50 {
            let chunk = Self.chunk(index)
            expected += chunk.readableBytesView
            await body.appendSpilling(chunk)
            #expect(body.bytesInMemory <= 120 + 40, "at \(index): \(body.bytesInMemory) bytes held")
        }
        #expect(body.hasSpilled)
        #expect(body.contents() == nil, "a spilled body is not gathered in memory")
        let late = body.makeReader()  // joins with 2,000 bytes already past the window
        body.finish()
        #expect(try await Self.read(late) == expected)
        #expect(try await Self.read(early) == expected)
        // Nothing named is left in the directory: the file was unlinked when made.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
        let stored = try #require(body.spilledBody(storageKey: "k\n"))
        #expect(stored.length == expected.count)
        #expect(Array(try stored.read(at: 0, count: stored.length).readableBytesView) == expected)
        #expect(stored.verifier() == nil, "a spill file has no checksum to check")
    }

    @Test func aBodyBelowTheThresholdStaysInMemory() async throws {
        let directory = try TemporaryDirectory()
        let body = SharedBody(spill: Self.spill(directory.path, above: 1_000))
        await body.appendSpilling(Self.chunk(1))
        await body.appendSpilling(Self.chunk(2))
        body.finish()
        #expect(!body.hasSpilled)
        #expect(body.contents()?.readableBytes == 80)
        #expect(body.spilledBody(storageKey: "k\n") == nil)
    }

    @Test func aSpillFileThatCannotBeMadeKeepsTheBodyInMemoryAndUnstored() async throws {
        let faults = Mutex<[DiskTierError]>([])
        let spill = BodySpill(above: 100, window: 120, directory: "/nonexistent/edge-spill-test",
                              onFault: { error in faults.withLock { $0.append(error) } }) { work in try work() }
        let body = SharedBody(spill: spill)
        var expected: [UInt8] = []
        for index in 0..<10 {
            let chunk = Self.chunk(index)
            expected += chunk.readableBytesView
            await body.appendSpilling(chunk)
        }
        body.finish()
        #expect(!body.hasSpilled)
        #expect(body.spilledBody(storageKey: "k\n") == nil)
        #expect(try await Self.read(body.makeReader()) == expected, "every client still gets the whole body")
        // Reported once as a disk fault (the node counts and logs it), not once per chunk.
        #expect(faults.withLock { $0.count } == 1)
    }
}
