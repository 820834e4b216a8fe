#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// Keeps a node's purge ledger in one file (e.g. `<disk_path>/purge-ledger`), so purged objects still on disk
/// stay purged after a restart.
///
/// Saving writes a temporary file, fsyncs it, renames it over the old one and fsyncs the directory: a crash
/// leaves the old ledger or the new one, never half of either, and once `save` returns the new one survives a
/// power loss (a node acknowledges a purge only after that). Blocking: call it off the event loops.
public struct PurgeLedgerFile: Sendable {
    public enum Failure: Error, Sendable, CustomStringConvertible {
        case io(DiskTierError)
        case content(path: String, PurgeLedgerError)

        public var description: String {
            switch self {
            case .io(let error): "\(error)"
            case .content(let path, let error): "\(path): \(error)"
            }
        }
    }

    public let path: String
    /// Files larger than this are refused rather than read (a ledger at 10,000 rules is about 1 MB).
    public static let maxFileBytes = 64 << 20

    public init(path: String) {
        self.path = path
    }

    /// The saved ledger, or an empty one when no file exists yet.
    public func load(limits: PurgeLedger.Limits = PurgeLedger.Limits()) throws(Failure) -> PurgeLedger {
        let buffer: ByteBuffer
        do {
            buffer = try FileIO.readFile(path, maxBytes: Self.maxFileBytes)
        } catch where error.errno == ENOENT {
            return PurgeLedger(limits: limits)
        } catch {
            throw .io(error)
        }
        do {
            return try PurgeLedger(decoding: Array(buffer.readableBytesView), limits: limits)
        } catch {
            throw .content(path: path, error)
        }
    }

    /// Replaces the file with `ledger`, atomically. Creates the parent directory when it is missing.
    public func save(_ ledger: PurgeLedger) throws(Failure) {
        let bytes = ByteBuffer(bytes: ledger.encoded())
        let temporary = path + ".tmp-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        do {
            try FileIO.makeDirectories(FileIO.parentPath(of: path))
            try FileIO.writeAtomically(bytes, to: path, via: temporary, syncDirectory: true)
        } catch {
            throw .io(error)
        }
    }
}
