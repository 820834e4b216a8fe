import Crypto
import Foundation
import NIOCore

/// A stored body left in its disk file, read in bounded pieces while it is sent.
///
/// A disk hit on an object too large for the memory tier does not read the object whole: `DiskTier` reads and
/// checks its header and metadata, opens the file and hands out this reference, and the body goes to the client
/// a chunk at a time. Memory per reader is one chunk, whatever the object's size (a 1 GiB video segment read
/// whole would cost 1 GiB per concurrent reader).
///
/// The descriptor is opened at lookup and closed when the last reference goes: a purge or eviction that unlinks
/// the file meanwhile does not cut a response short, and every exit path (finished, client gone, error) closes
/// it. The file's SHA-256 trailer covers header, metadata and body; `verifier()` starts from the part already
/// read, so a reader of the whole body can check it at the end (a range cannot be checked, and is
/// served as read).
public final class FileBody: Sendable {
    /// The piece read at a time: large enough that a read is cheap per byte, small enough that many concurrent
    /// readers cost little memory.
    public static let chunkBytes = 256 * 1024

    /// The body's length in bytes.
    public let length: Int
    /// The storage key whose file this is, for reporting a corrupt body.
    public let storageKey: String
    public let path: String
    /// The whole body already matched the checksum once (`DiskTier.markVerified`): it is not checked again.
    public let verified: Bool
    private let descriptor: Int32
    /// Where the body starts in the file.
    private let bodyOffset: Int
    /// The file's header and metadata (a few KiB), which the checksum covers before the body.
    private let prefix: ByteBuffer
    /// The trailer: SHA-256 of everything before it; nil for a body with no checksum (a fill's spill file).
    private let expectedDigest: [UInt8]?

    init(descriptor: Int32, path: String, storageKey: String, bodyOffset: Int, length: Int,
         prefix: ByteBuffer, expectedDigest: [UInt8]?, verified: Bool = false) {
        self.verified = verified
        self.descriptor = descriptor
        self.path = path
        self.storageKey = storageKey
        self.bodyOffset = bodyOffset
        self.length = length
        self.prefix = prefix
        self.expectedDigest = expectedDigest
    }

    deinit { close(descriptor) }

    /// A new descriptor for the file, with the body's place in it, for a sendfile write that closes it when
    /// done; nil if the descriptor cannot be duplicated.
    public func duplicateDescriptor() -> (descriptor: Int32, bodyOffset: Int)? {
        let copy = fcntl(descriptor, F_DUPFD_CLOEXEC, 0)
        return copy >= 0 ? (copy, bodyOffset) : nil
    }

    /// Reads `count` bytes of the body from `offset` (blocking: call it on an I/O thread). A short read is an
    /// error: the file was truncated under us.
    public func read(at offset: Int, count: Int) throws(DiskTierError) -> ByteBuffer {
        guard offset >= 0, count >= 0, offset + count <= length else {
            throw DiskTierError(errno: EINVAL, operation: "read", path: path)
        }
        return try FileIO.read(descriptor, at: bodyOffset + offset, count: count, path: path)
    }

    /// A hash of the whole file so far, to be fed the body in order and compared with the trailer.
    /// nil when the file carries no checksum or was verified already.
    public func verifier() -> Verifier? {
        guard let expectedDigest, !verified else { return nil }
        var hasher = SHA256()
        prefix.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        return Verifier(hasher: hasher, expected: expectedDigest)
    }

    public struct Verifier {
        fileprivate var hasher: SHA256
        fileprivate let expected: [UInt8]

        public mutating func update(_ chunk: ByteBuffer) {
            chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        }

        /// Whether the body fed in matches the file's checksum.
        public func matches() -> Bool {
            hasher.finalize().withUnsafeBytes { expected.elementsEqual($0) }
        }
    }
}
