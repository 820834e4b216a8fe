#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import NIOCore

/// The few blocking POSIX calls the disk tier makes, each failing with a `DiskTierError` that carries errno and
/// path. Direct system calls rather than Foundation's file APIs, because the tier needs `fsync`, `O_EXCL` temp
/// files, `pread` into a `ByteBuffer` without an intermediate `Data`, and the exact errno for ENOSPC/EACCES/EIO.
enum FileIO {
    /// `mkdir -p`: creates `path` and its missing parents; an existing directory is fine.
    static func makeDirectories(_ path: String) throws(DiskTierError) {
        if mkdir(path, 0o755) == 0 { return }
        let code = errno
        switch code {
        case EEXIST:
            guard isDirectory(path) else { throw DiskTierError(kind: .notADirectory, operation: "mkdir", path: path) }
        case ENOENT:
            let parent = parentPath(of: path)
            guard parent != path else { throw DiskTierError(errno: code, operation: "mkdir", path: path) }
            try makeDirectories(parent)
            if mkdir(path, 0o755) == 0 { return }
            let retry = errno
            guard retry == EEXIST, isDirectory(path) else {
                throw DiskTierError(errno: retry, operation: "mkdir", path: path)
            }
        default:
            throw DiskTierError(errno: code, operation: "mkdir", path: path)
        }
    }

    static func isDirectory(_ path: String) -> Bool {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        close(descriptor)
        return true
    }

    static func parentPath(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }

    /// Writes `bytes` to `temporaryPath` (created exclusively), fsyncs it and renames it over `finalPath`, so
    /// readers and a restart see either the old file or the complete new one. On any failure the temporary file
    /// is removed and nothing at `finalPath` changes.
    ///
    /// With `syncDirectory`, the parent directory is fsync'd after the rename too: only then does the rename
    /// itself survive a power loss. Callers that acknowledge something as durable (the purge ledger) need it;
    /// cache objects do not (losing one costs a miss), so they skip the extra fsync.
    static func writeAtomically(_ bytes: ByteBuffer, to finalPath: String, via temporaryPath: String,
                                syncDirectory: Bool = false) throws(DiskTierError) {
        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw DiskTierError(errno: errno, operation: "create", path: temporaryPath) }
        var failure: DiskTierError?
        let writeErrno = writeAll(descriptor, bytes)
        if writeErrno != 0 {
            failure = DiskTierError(errno: writeErrno, operation: "write", path: temporaryPath)
        } else if fsync(descriptor) != 0 {
            failure = DiskTierError(errno: errno, operation: "fsync", path: temporaryPath)
        }
        // close can be the first to report a deferred write error (e.g. on network file systems).
        if close(descriptor) != 0, failure == nil {
            failure = DiskTierError(errno: errno, operation: "close", path: temporaryPath)
        }
        if failure == nil, rename(temporaryPath, finalPath) != 0 {
            failure = DiskTierError(errno: errno, operation: "rename", path: finalPath)
        }
        if let failure {
            unlink(temporaryPath)
            throw failure
        }
        if syncDirectory { try fsyncDirectory(parentPath(of: finalPath)) }
    }

    /// Flushes a directory's entries (a rename or create in it) to the device.
    static func fsyncDirectory(_ path: String) throws(DiskTierError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw DiskTierError(errno: errno, operation: "open", path: path) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw DiskTierError(errno: errno, operation: "fsync", path: path) }
    }

    /// Returns 0 or the errno of the failed write.
    private static func writeAll(_ descriptor: Int32, _ bytes: ByteBuffer) -> Int32 {
        bytes.withUnsafeReadableBytes { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return 0 }
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, base + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                if written == 0 { return EIO }
                offset += written
            }
            return 0
        }
    }

    /// Writes a file as `produce` appends its pieces, then fsyncs and renames it over `finalPath`, with the same
    /// guarantees as the whole-buffer form: for contents too large to hold in memory at once.
    static func writeAtomically(to finalPath: String, via temporaryPath: String,
                                _ produce: ((ByteBuffer) throws(DiskTierError) -> Void) throws(DiskTierError) -> Void)
        throws(DiskTierError) {
        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw DiskTierError(errno: errno, operation: "create", path: temporaryPath) }
        var failure: DiskTierError?
        do throws(DiskTierError) {
            try produce { (piece: ByteBuffer) throws(DiskTierError) in
                let writeErrno = writeAll(descriptor, piece)
                if writeErrno != 0 { throw DiskTierError(errno: writeErrno, operation: "write", path: temporaryPath) }
            }
            if fsync(descriptor) != 0 { failure = DiskTierError(errno: errno, operation: "fsync", path: temporaryPath) }
        } catch {
            failure = error
        }
        if close(descriptor) != 0, failure == nil {
            failure = DiskTierError(errno: errno, operation: "close", path: temporaryPath)
        }
        if failure == nil, rename(temporaryPath, finalPath) != 0 {
            failure = DiskTierError(errno: errno, operation: "rename", path: finalPath)
        }
        if let failure {
            unlink(temporaryPath)
            throw failure
        }
    }

    /// Reads exactly `count` bytes at `offset` of an open file; a short read (the file is shorter) is EIO.
    static func read(_ descriptor: Int32, at offset: Int, count: Int, path: String) throws(DiskTierError)
        -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        var readErrno: Int32 = 0
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { target -> Int in
            guard let base = target.baseAddress else { return 0 }
            var done = 0
            while done < count {
                let got = pread(descriptor, base + done, count - done, off_t(offset + done))
                if got < 0 {
                    if errno == EINTR { continue }
                    readErrno = errno
                    break
                }
                if got == 0 { break }
                done += got
            }
            return done
        }
        if readErrno != 0 { throw DiskTierError(errno: readErrno, operation: "read", path: path) }
        guard buffer.readableBytes == count else { throw DiskTierError(errno: EIO, operation: "read", path: path) }
        return buffer
    }

    /// Reads a whole file. Files larger than `maxBytes` are refused with EFBIG rather than read.
    static func readFile(_ path: String, maxBytes: Int) throws(DiskTierError) -> ByteBuffer {
        try read(path, upTo: nil, maxFileBytes: maxBytes).bytes
    }

    /// Reads up to `count` bytes from the start of a file, returning them with the file's size.
    static func readPrefix(_ path: String, count: Int) throws(DiskTierError) -> (bytes: ByteBuffer, fileSize: Int) {
        try read(path, upTo: count, maxFileBytes: Int.max)
    }

    private static func read(
        _ path: String, upTo limit: Int?, maxFileBytes: Int
    ) throws(DiskTierError) -> (bytes: ByteBuffer, fileSize: Int) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { throw DiskTierError(errno: errno, operation: "open", path: path) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw DiskTierError(errno: errno, operation: "fstat", path: path) }
        let fileSize = Int(info.st_size)
        guard fileSize <= maxFileBytes else { throw DiskTierError(errno: EFBIG, operation: "read", path: path) }
        let wanted = min(fileSize, limit ?? fileSize)
        var buffer = ByteBufferAllocator().buffer(capacity: wanted)
        var readErrno: Int32 = 0
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: wanted) { target -> Int in
            guard let base = target.baseAddress else { return 0 }
            var offset = 0
            while offset < wanted {
                let count = pread(descriptor, base + offset, wanted - offset, off_t(offset))
                if count < 0 {
                    if errno == EINTR { continue }
                    readErrno = errno
                    break
                }
                if count == 0 { break }  // the file shrank since fstat; the caller sees the short read
                offset += count
            }
            return offset
        }
        if readErrno != 0 { throw DiskTierError(errno: readErrno, operation: "read", path: path) }
        return (buffer, fileSize)
    }

    /// Deletes a file; a file that is already gone is not an error.
    static func removeFile(_ path: String) throws(DiskTierError) {
        if unlink(path) != 0, errno != ENOENT {
            throw DiskTierError(errno: errno, operation: "unlink", path: path)
        }
    }

    /// Deletes a file or a directory tree (for foreign entries inside our shard directories).
    static func removeItem(_ path: String) throws(DiskTierError) {
        if unlink(path) == 0 || errno == ENOENT { return }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw DiskTierError(kind: .other, operation: "remove", path: path)
        }
    }

    /// The names in a directory; `nil` when it cannot be listed (not a directory, no permission).
    static func listDirectory(_ path: String) -> [String]? {
        try? FileManager.default.contentsOfDirectory(atPath: path)
    }
}
