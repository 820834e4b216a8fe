import Synchronization

/// Values derived from a cached object's immutable headers, computed on first use and kept with the object.
///
/// The hit path runs for every request; parsing the same stored headers again each time (freshness, the
/// response head to deliver) would dominate its cost. Objects never change — a refresh makes a new object — so
/// whatever is derived from one stays valid for its lifetime. Each node uses one policy, so a memo computed
/// under it is the memo.
public final class ObjectMemo: Sendable {
    private let freshness = Mutex<StoredFreshness?>(nil)
    @usableFromInline let delivery = Mutex<(any AnyObject & Sendable)?>(nil)

    public init() {}

    /// The freshness facts, computed by `compute` the first time.
    public func freshness(_ compute: () -> StoredFreshness) -> StoredFreshness {
        if let known = freshness.withLock({ $0 }) { return known }
        let computed = compute()
        freshness.withLock { $0 = computed }
        return computed
    }

    /// A delivery-side value (the HTTP layer's response template), computed by `compute` the first time. A
    /// class, so reading it back is a class cast rather than an existential one: every hit does it.
    /// Inlinable so the caller's module specialises it (no generic metadata looked up per hit).
    @inlinable public func delivery<Value: AnyObject & Sendable>(_ compute: () -> Value) -> Value {
        if let known = delivery.withLock({ $0 }) as? Value { return known }
        let computed = compute()
        delivery.withLock { $0 = computed }
        return computed
    }
}
