#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A disk tier failure, with the operation and the path it concerned, so a log line says what to fix
/// (a full disk, a permission, a failing device) without a stack trace.
public struct DiskTierError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// ENOSPC or EDQUOT: the cache directory's file system is full.
        case noSpace
        /// EACCES or EPERM.
        case permissionDenied
        /// EROFS.
        case readOnlyFileSystem
        /// EIO: the device reported an error.
        case ioError
        /// The configured directory (or a component of it) exists and is not a directory.
        case notADirectory
        /// The object could not be encoded into the file format.
        case unencodable(String)
        /// The file does not hold a well-formed object for its key (bad header, wrong size, another key).
        case corrupt(String)
        /// Any other errno.
        case other
    }

    public var kind: Kind
    /// The system call or step that failed, e.g. "open", "write", "fsync", "rename", "mkdir".
    public var operation: String
    public var path: String
    /// The errno reported, 0 when the failure did not come from a system call.
    public var errno: Int32

    public init(kind: Kind, operation: String, path: String, errno: Int32 = 0) {
        self.kind = kind
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    /// Classifies an errno value from a failed system call.
    public init(errno code: Int32, operation: String, path: String) {
        let kind: Kind = switch code {
        case ENOSPC, EDQUOT: .noSpace
        case EACCES, EPERM: .permissionDenied
        case EROFS: .readOnlyFileSystem
        case EIO: .ioError
        case ENOTDIR: .notADirectory
        default: .other
        }
        self.init(kind: kind, operation: operation, path: path, errno: code)
    }

    public var description: String {
        var text = "disk cache \(operation) failed for \(path)"
        if errno != 0, let message = strerror(errno) { text += ": " + String(cString: message) }
        if case .unencodable(let detail) = kind { text += ": " + detail }
        if case .corrupt(let detail) = kind { text += ": " + detail }
        if case .notADirectory = kind, errno == 0 { text += ": not a directory" }
        return text
    }
}
