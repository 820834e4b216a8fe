import Synchronization

/// A settings value a configuration reload replaces while readers keep going: readers take the current value
/// once per request or connection (`current`), the reload swaps it whole (`replace`). A class, so value types
/// that hold one (routers, clients) stay copyable and share the swap; a request that read the old value
/// finishes with it, which is what "in-flight requests finish on what they started with" means.
public final class LiveValue<Value: Sendable>: Sendable {
    @usableFromInline let value: Mutex<Value>

    public init(_ value: Value) {
        self.value = Mutex(value)
    }

    /// Inlinable, so a reader in another module gets code specialised for its `Value`: unspecialised, every
    /// read instantiated the generic metadata at run time (about 1 % of a cache hit's CPU).
    @inlinable public var current: Value { value.withLock { $0 } }

    public func replace(with new: Value) {
        value.withLock { $0 = new }
    }
}
