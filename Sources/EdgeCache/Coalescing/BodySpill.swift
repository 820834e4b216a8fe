#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import NIOCore
import Synchronization

/// How a shared body too large for memory goes to disk as it arrives (`SharedBody`).
///
/// Past `above` bytes, every chunk is written to an unlinked temporary file in `directory` and kept in memory
/// only while it is among the last `window` bytes; readers that fall behind read the rest from the file (a
/// late joiner starts at byte 0 of the file while the writer goes on). Memory per in-flight object is thus
/// bounded by the window, not by the object's size, and the finished file becomes the stored object's body
/// (`FileBody`), copied into the disk tier a piece at a time.
public struct BodySpill: Sendable {
    /// Spill once the body exceeds this many bytes (the memory tier's largest object: anything larger could
    /// never be stored in memory anyway).
    public var above: Int
    /// Bytes of the most recent chunks kept in memory once spilling, for readers that keep up.
    public var window: Int
    /// Where the temporary file goes (the disk tier's directory, or the request-body spool directory).
    public var directory: String
    /// Runs blocking file work off the event loops (the I/O pool).
    public var offload: @Sendable (@escaping @Sendable () throws -> ByteBuffer) async throws -> ByteBuffer
    /// Hears a spill file that could not be made or written (full, read-only or failing disk): the node counts
    /// and logs it as a disk fault, since the fill silently falls back to memory and is not stored.
    public var onFault: (@Sendable (DiskTierError) -> Void)?

    public init(above: Int, window: Int = 4 << 20, directory: String,
                onFault: (@Sendable (DiskTierError) -> Void)? = nil,
                offload: @escaping @Sendable (@escaping @Sendable () throws -> ByteBuffer) async throws -> ByteBuffer) {
        self.above = above
        self.window = window
        self.directory = directory
        self.onFault = onFault
        self.offload = offload
    }
}

/// The temporary file a spilling body is written to: created in a directory and unlinked at once, so nothing is
/// left behind by a crash or a failed fill; the descriptor is its only name.
public final class SpillFile: Sendable {
    private let descriptor: Int32
    private let directory: String

    private init(descriptor: Int32, directory: String) {
        self.descriptor = descriptor
        self.directory = directory
    }

    deinit { close(descriptor) }

    /// A new, empty, already unlinked file in `directory`.
    public static func create(in directory: String) throws(DiskTierError) -> SpillFile {
        var template = Array("\(directory)/edge-fill-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { name -> Int32 in
            guard let base = name.baseAddress else { return -1 }
            let descriptor = mkstemp(base)
            if descriptor >= 0 {
                unlink(base)
                _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)  // not inherited by a child process
            }
            return descriptor
        }
        guard descriptor >= 0 else { throw DiskTierError(errno: errno, operation: "create", path: directory) }
        return SpillFile(descriptor: descriptor, directory: directory)
    }

    /// Writes `chunk` at `offset` (blocking).
    func write(_ chunk: ByteBuffer, at offset: Int) throws(DiskTierError) {
        let failure = chunk.withUnsafeReadableBytes { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return 0 }
            var done = 0
            while done < buffer.count {
                let written = pwrite(descriptor, base + done, buffer.count - done, off_t(offset + done))
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                if written == 0 { return EIO }
                done += written
            }
            return 0
        }
        if failure != 0 { throw DiskTierError(errno: failure, operation: "write", path: directory + "/edge-fill-*") }
    }

    /// Reads `count` bytes at `offset` (blocking).
    func read(at offset: Int, count: Int) throws(DiskTierError) -> ByteBuffer {
        try FileIO.read(descriptor, at: offset, count: count, path: directory + "/edge-fill-*")
    }

    /// The first `length` bytes as a stored body (with a descriptor of its own, so the body outlives this file
    /// object). `nil` if the descriptor cannot be duplicated.
    func body(length: Int, storageKey: String) -> FileBody? {
        let copy = fcntl(descriptor, F_DUPFD_CLOEXEC, 0)
        guard copy >= 0 else { return nil }
        return FileBody(descriptor: copy, path: directory + "/edge-fill-*", storageKey: storageKey, bodyOffset: 0,
                        length: length, prefix: ByteBuffer(), expectedDigest: nil)
    }
}
