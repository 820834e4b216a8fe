import EdgeCache
import NIOCore
import NIOPosix

/// A stored body sent from its disk file (`FileBody`), `FileBody.chunkBytes` at a time, each read on the I/O
/// pool: memory per response is one chunk, whatever the object's size.
///
/// Sending the whole body also checks it against the file's checksum; a mismatch fails the stream before its
/// last chunk goes out (the connection is cut, as for any body that breaks off, so the client never takes a
/// bad body for a good one) and `onCorrupt` removes the file. A byte range cannot be checked and is sent as read.
public struct FileStreamBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    let file: FileBody
    /// The part of the body to send.
    let range: Range<Int>
    let ioPool: NIOThreadPool
    let onCorrupt: @Sendable (FileBody) -> Void
    let onVerified: @Sendable (FileBody) -> Void

    init(file: FileBody, range: Range<Int>? = nil, ioPool: NIOThreadPool,
         onVerified: @escaping @Sendable (FileBody) -> Void = { _ in },
         onCorrupt: @escaping @Sendable (FileBody) -> Void) {
        self.file = file
        self.range = range ?? 0..<file.length
        self.ioPool = ioPool
        self.onVerified = onVerified
        self.onCorrupt = onCorrupt
    }

    /// Whether the body can go by sendfile: already verified, so nothing needs to see its bytes.
    public var canSendFile: Bool { file.verified }

    /// The body failed its checksum.
    struct Corrupt: Error, CustomStringConvertible {
        var path: String
        var description: String { "stored body does not match its checksum: \(path)" }
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let body: FileStreamBody
        var offset: Int
        /// Set when the whole body is sent, so it can be checked.
        var verifier: FileBody.Verifier?

        public mutating func next() async throws -> ByteBuffer? {
            guard offset < body.range.upperBound else { return nil }
            let file = body.file
            let start = offset
            let count = Swift.min(FileBody.chunkBytes, body.range.upperBound - offset)
            let chunk = try await body.ioPool.runIfActive { try file.read(at: start, count: count) }
            offset += chunk.readableBytes
            if var verifier {
                verifier.update(chunk)
                self.verifier = verifier
                // The last chunk is held until the check passes: the client never gets the whole of a bad
                // body, so the cut connection is an error it sees, not a complete-looking response.
                if offset == body.range.upperBound {
                    guard verifier.matches() else {
                        body.onCorrupt(file)
                        throw Corrupt(path: file.path)
                    }
                    body.onVerified(file)
                }
            }
            return chunk
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        let whole = range == 0..<file.length
        return AsyncIterator(body: self, offset: range.lowerBound, verifier: whole ? file.verifier() : nil)
    }
}
