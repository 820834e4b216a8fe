/// What one node did with a purge.
public struct LocalPurgeResult: Codable, Sendable, Equatable {
    /// Objects removed from memory and/or disk (hard purges).
    public var removed: Int
    /// Objects now stale by the ledger (soft purges).
    public var marked: Int
    /// `false` when the node had already applied this command id (a re-delivery changes nothing).
    public var applied: Bool
    /// Set when the node could not make the purge durable (its purge ledger could not be saved): it is then
    /// not applied as far as anyone may rely on, and the coordinator reports the node failed and retries it.
    public var error: String?

    public init(removed: Int = 0, marked: Int = 0, applied: Bool = true, error: String? = nil) {
        self.removed = removed
        self.marked = marked
        self.applied = applied
        self.error = error
    }
}
