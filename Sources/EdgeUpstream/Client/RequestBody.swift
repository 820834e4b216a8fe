import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A client's request body on its way upstream: small bodies in memory, larger ones spooled to a file so that
/// slow uploads cost a file each rather than their size in memory (as nginx's `client_body_temp`).
public enum RequestBody: Sendable {
    case buffer(ByteBuffer)
    case file(SpooledBody)

    public var length: Int {
        switch self {
        case .buffer(let buffer): return buffer.readableBytes
        case .file(let file): return file.length
        }
    }
}

/// A request body written to an unlinked temporary file.
///
/// The file is unlinked as soon as it is created, so nothing is left on disk however the request or the process
/// ends; its descriptor closes when the last reference goes (the request handler's and the upstream upload's),
/// which is when the request is over. Reads and writes run on a thread pool, never on an event loop.
public final class SpooledBody: Sendable {
    /// Prefix of the temporary files' names, for the start-up sweep of a directory.
    public static let filePrefix = "edge-body-"

    private let descriptor: Int32
    private let written = Atomic<Int>(0)
    private let threadPool: NIOThreadPool

    private init(descriptor: Int32, threadPool: NIOThreadPool) {
        self.descriptor = descriptor
        self.threadPool = threadPool
    }

    deinit { close(descriptor) }

    /// Creates an empty spool file in `directory` (and unlinks its name at once).
    public static func create(in directory: String,
                              threadPool: NIOThreadPool = .singleton) throws -> SpooledBody {
        var template = Array("\(directory)/\(filePrefix)XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { name -> Int32 in
            guard let base = name.baseAddress else { return -1 }
            let descriptor = mkstemp(base)
            if descriptor >= 0 { unlink(base) }
            return descriptor
        }
        guard descriptor >= 0 else { throw IOError(errnoCode: errno, reason: "mkstemp in \(directory)") }
        return SpooledBody(descriptor: descriptor, threadPool: threadPool)
    }

    /// Bytes written so far.
    public var length: Int { written.load(ordering: .acquiring) }

    /// Appends `buffer`; the caller waits for the future before appending again (writes are not reordered).
    public func append(_ buffer: ByteBuffer, eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        threadPool.runIfActive(eventLoop: eventLoop) { [self] in
            let offset = written.load(ordering: .acquiring)
            var done = 0
            try buffer.withUnsafeReadableBytes { bytes in
                guard let base = bytes.baseAddress else { return }  // an empty buffer
                while done < bytes.count {
                    let count = pwrite(descriptor, base + done, bytes.count - done, off_t(offset + done))
                    if count < 0 {
                        if errno == EINTR { continue }
                        throw IOError(errnoCode: errno, reason: "pwrite request body")
                    }
                    done += count
                }
            }
            written.store(offset + done, ordering: .releasing)
        }
    }

    /// The body from its start, in chunks of `chunkSize`; can be iterated more than once (a retry against the
    /// next upstream sends the same body again).
    public func chunks(chunkSize: Int = 64 << 10) -> Chunks {
        Chunks(file: self, chunkSize: chunkSize)
    }

    fileprivate func read(at offset: Int, count: Int) async throws -> ByteBuffer {
        try await threadPool.runIfActive { [self] in
            var buffer = ByteBuffer()
            buffer.reserveCapacity(count)
            let got = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { bytes in
                guard let base = bytes.baseAddress else { return 0 }
                while true {
                    let result = pread(descriptor, base, count, off_t(offset))
                    if result < 0 && errno == EINTR { continue }
                    if result < 0 { throw IOError(errnoCode: errno, reason: "pread request body") }
                    return result
                }
            }
            guard got > 0 else { throw IOError(errnoCode: EIO, reason: "request body file shorter than written") }
            return buffer
        }
    }

    public struct Chunks: AsyncSequence, Sendable {
        public typealias Element = ByteBuffer
        let file: SpooledBody
        let chunkSize: Int

        public struct AsyncIterator: AsyncIteratorProtocol {
            let file: SpooledBody
            let chunkSize: Int
            var offset = 0

            public mutating func next() async throws -> ByteBuffer? {
                let remaining = file.length - offset
                guard remaining > 0 else { return nil }
                let chunk = try await file.read(at: offset, count: Swift.min(chunkSize, remaining))
                offset += chunk.readableBytes
                return chunk
            }
        }

        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(file: file, chunkSize: chunkSize)
        }
    }

    /// Creates `directory` if needed and removes spool files a previous process may have left in it (none
    /// should exist, since names are unlinked at once, but a crash between creating and unlinking could).
    public static func prepareDirectory(_ directory: String) throws {
        let files = FileManager.default
        try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for name in (try? files.contentsOfDirectory(atPath: directory)) ?? [] where name.hasPrefix(filePrefix) {
            try? files.removeItem(atPath: "\(directory)/\(name)")
        }
    }
}
