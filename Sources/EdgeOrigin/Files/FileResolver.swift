#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// A regular file under the root, opened for reading, with the metadata its validators come from.
///
/// The metadata comes from `fstat` on the open descriptor, so the size and mtime describe exactly the bytes that
/// will be streamed even if the path is replaced meanwhile.
struct OpenedFile: Sendable {
    let handle: NIOFileHandle
    let size: Int
    /// Modification time in nanoseconds since the epoch: fine enough that a rewrite within a second changes the ETag.
    let modifiedNanoseconds: Int64
    /// The URL path of the served file (`/index.html` for `/`): the path rules are matched against.
    let urlPath: String

    var modifiedSeconds: Int64 { modifiedNanoseconds / 1_000_000_000 }
}

/// Maps request paths to files, refusing anything that resolves outside the root.
///
/// Every call blocks on the file system, so callers run it on a thread pool, never on an event loop.
struct FileResolver: Sendable {
    /// The root with every symlink resolved: the containment check compares resolved paths, which is what makes a
    /// symlink inside the root pointing outside it harmless.
    let root: String

    init(root: String) throws {
        guard let resolved = Self.realPath(root) else { throw DevOriginError.rootNotFound(root) }
        guard Self.isDirectory(resolved) else { throw DevOriginError.rootNotDirectory(root) }
        self.root = resolved
    }

    /// Opens the file a request path names: the file itself, or `index.html` for a directory.
    /// `nil` when there is none, or it resolves outside the root, or it is not a regular file.
    func open(_ path: RequestPath) -> OpenedFile? {
        let candidate = path.segments.isEmpty ? root : root + "/" + path.segments.joined(separator: "/")
        guard let resolved = Self.realPath(candidate), contains(resolved) else { return nil }
        if Self.isDirectory(resolved) {
            let base = path.segments.isEmpty ? "" : "/" + path.segments.joined(separator: "/")
            guard let index = Self.realPath(resolved + "/index.html"), contains(index) else { return nil }
            return openRegular(index, urlPath: base + "/index.html")
        }
        return openRegular(resolved, urlPath: path.normalized)
    }

    func contains(_ resolved: String) -> Bool {
        root == "/" || resolved == root || resolved.hasPrefix(root + "/")
    }

    private func openRegular(_ path: String, urlPath: String) -> OpenedFile? {
        // O_NOFOLLOW: the path was just resolved, so a symlink here means it was swapped in since; refuse it.
        // O_NONBLOCK: opening a FIFO planted in the root must not hang a thread-pool thread.
        let descriptor = systemOpen(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard descriptor >= 0 else { return nil }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            _ = close(descriptor)
            return nil
        }
        return OpenedFile(handle: NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: descriptor),
                          size: Int(info.st_size), modifiedNanoseconds: Self.modificationTime(info),
                          urlPath: urlPath)
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    private static func modificationTime(_ info: stat) -> Int64 {
        #if canImport(Darwin)
        let time = info.st_mtimespec
        #else
        let time = info.st_mtim
        #endif
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}

/// `open(2)` under one name on every platform (it is variadic in C, so Swift imports it per libc).
private func systemOpen(_ path: String, _ flags: Int32) -> Int32 {
    #if canImport(Darwin)
    return Darwin.open(path, flags)
    #elseif canImport(Musl)
    return Musl.open(path, flags)
    #else
    return Glibc.open(path, flags)
    #endif
}
