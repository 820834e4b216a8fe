/// The kinds of disk fault a node counts (`edge_disk_errors_total{kind}`) and reports: what an operator would do
/// about each differs (replace a device, free space, remount, fix a permission), so they are kept apart.
public enum DiskFaultKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// A file that is not the object it should be: flipped bytes, truncation, zeroes, a bad checksum, a file
    /// holding another key. Detected on read or at start; the file is deleted and the object refetched.
    case corrupt
    /// Opening or reading a file failed for another reason (EIO, too many open files, …).
    case read
    /// Creating, writing, fsyncing or renaming a file failed for another reason.
    case write
    /// Deleting a file failed (it may take space until the next start; the purge ledger still covers it).
    case remove
    /// ENOSPC or EDQUOT: the file system is full.
    case nospace
    /// EROFS: the file system is mounted read-only.
    case readonly
    /// EACCES or EPERM.
    case permission
}

/// One disk fault: its kind and what happened, for the log line and the status report.
public struct DiskFault: Sendable, Equatable {
    public var kind: DiskFaultKind
    public var message: String

    public init(kind: DiskFaultKind, message: String) {
        self.kind = kind
        self.message = message
    }

    /// Classifies a failed operation: the errno's meaning first (a full or read-only file system is what an
    /// operator must fix, whichever call hit it), then the operation. `nil` for an object that cannot be
    /// encoded, which says nothing about the disk.
    public init?(_ error: DiskTierError) {
        let kind: DiskFaultKind
        switch error.kind {
        case .unencodable:
            return nil
        case .corrupt:
            kind = .corrupt
        case .noSpace:
            kind = .nospace
        case .readOnlyFileSystem:
            kind = .readonly
        case .permissionDenied:
            kind = .permission
        case .ioError, .notADirectory, .other:
            switch error.operation {
            case "open", "fstat", "read": kind = .read
            case "unlink", "remove": kind = .remove
            default: kind = .write
            }
        }
        self.init(kind: kind, message: error.description)
    }

    /// The faults among the disk tier's events; `nil` for routine clean-up (leftover temporary files, foreign
    /// entries, start-up eviction), which is not a fault.
    public init?(_ event: DiskTierEvent) {
        switch event {
        case .removedInvalidFile(let path, let reason):
            self.init(kind: .corrupt, message: "invalid cache file removed: \(path): \(reason)")
        case .readFailed(let error), .removeFailed(let error):
            self.init(error)
        case .removedTemporaryFile, .skippedForeignEntry, .evictedAtStartup:
            return nil
        }
    }
}
