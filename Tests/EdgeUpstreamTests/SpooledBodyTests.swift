import EdgeUpstream
import Foundation
import NIOCore
import NIOPosix
import Testing

/// The spool file a large request body goes to: what is appended reads back in order, as often as a retry
/// needs, and the file never has a name on disk.
@Suite("Spooled request body")
struct SpooledBodyTests {
    @Test func appendedBytesReadBackInChunksAndAgainForARetry() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString)").path
        try SpooledBody.prepareDirectory(directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let body = try SpooledBody.create(in: directory)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)  // unlinked at once
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        var expected: [UInt8] = []
        for part in 0..<5 {
            let bytes = (0..<(50_000 + part)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ part) }
            expected += bytes
            try await body.append(ByteBuffer(bytes: bytes), eventLoop: loop).get()
        }
        #expect(body.length == expected.count)
        for _ in 0..<2 {
            var read: [UInt8] = []
            var chunks = 0
            for try await chunk in body.chunks(chunkSize: 64 << 10) {
                read += chunk.readableBytesView
                chunks += 1
            }
            #expect(read == expected)
            #expect(chunks == (expected.count + (64 << 10) - 1) / (64 << 10))
        }
        #expect(RequestBody.file(body).length == expected.count)
    }

    @Test func startUpSweepsLeftoverSpoolFilesOnly() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        FileManager.default.createFile(atPath: "\(directory)/\(SpooledBody.filePrefix)abc123", contents: Data([1]))
        FileManager.default.createFile(atPath: "\(directory)/keep.txt", contents: Data([2]))
        try SpooledBody.prepareDirectory(directory)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["keep.txt"])
    }
}
