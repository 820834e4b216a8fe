import Foundation

/// A value guarded by a lock, for state shared between event-loop threads and async callers.
///
/// `Mutex` from Synchronization would do, but needs macOS 15 and the package targets macOS 14; NIO's lock box
/// lives in a module EdgeOrigin does not depend on.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
