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

    @Test func aSpillFileThatCannotBeMadeIsReportedOnceAndNothingIsStored() async throws {
        let faults = Mutex<[DiskTierError]>([])
        let spill = BodySpill(above: 100, window: 120, directory: "/nonexistent/edge-spill-test",
                              onFault: { error in faults.withLock { $0.append(error) } }) { work in try work() }
        let body = SharedBody(spill: spill)
        let reading = Task { [reader = body.makeReader()] in try await Self.read(reader) }
        var expected: [UInt8] = []
        for index in 0..<10 {
            let chunk = Self.chunk(index)
            expected += chunk.readableBytesView
            await body.appendSpilling(chunk)
        }
        body.finish()
        #expect(!body.hasSpilled)
        #expect(body.spilledBody(storageKey: "k\n") == nil)
        #expect(body.contents() == nil)
        #expect(try await reading.value == expected, "every client still gets the whole body")
        // Reported once as a disk fault (the node counts and logs it), not once per chunk.
        #expect(faults.withLock { $0.count } == 1)
    }

    /// After a spill failure the body is passed through: chunks every reader has passed are let go, the writer
    /// waits for the slowest reader beyond the window, and a reader arriving after the start was let go is
    /// refused (a coalesced request then fetches on its own) instead of getting a body with a hole.
    @Test func aFailedSpillPassesThroughWithinTheWindow() async throws {
        let body = SharedBody(spill: Self.spill("/nonexistent/edge-spill-test", above: 100, window: 120))
        let slow = body.makeReader()
        var expected: [UInt8] = []
        let peak = Mutex(0)
        let writer = Task {
            for index in 0..<50 {
                await body.appendSpilling(Self.chunk(index))
                peak.withLock { $0 = max($0, body.bytesInMemory) }
            }
            body.finish()
        }
        for index in 0..<50 { expected += Self.chunk(index).readableBytesView }
        var got: [UInt8] = []
        for try await chunk in slow {
            got += chunk.readableBytesView
            try await Task.sleep(for: .milliseconds(1))  // a slow client
        }
        await writer.value
        #expect(got == expected, "the reader that was there from the start gets every byte")
        #expect(body.isPassingThrough)
        #expect(peak.withLock { $0 } <= 120 + 40, "held \(peak.withLock { $0 }) bytes at most")
        #expect(body.joinableReader() == nil, "the start is gone: a late joiner must fetch on its own")
        #expect(body.contents() == nil && body.spilledBody(storageKey: "k\n") == nil, "nothing to store")
        await #expect(throws: SharedBody.LetGo.self) { _ = try await Self.read(body.makeReader()) }
    }

    /// A reader that is dropped (its client went away) no longer holds the pass-through writer back.
    @Test func aDroppedReaderDoesNotStallAPassThroughFill() async throws {
        let body = SharedBody(spill: Self.spill("/nonexistent/edge-spill-test", above: 100, window: 120))
        var abandoned: SharedBody.Reader? = body.makeReader()
        #expect(abandoned != nil)
        let writer = Task {
            for index in 0..<10 { await body.appendSpilling(Self.chunk(index)) }
            body.finish()
        }
        try await Task.sleep(for: .milliseconds(50))
        abandoned = nil
        await writer.value
        #expect(body.isFinished)
        #expect(body.bytesInMemory <= 120)
    }
}
