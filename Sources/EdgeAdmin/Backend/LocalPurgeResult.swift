/// What one node did with a purge.
public struct LocalPurgeResult: Codable, Sendable, Equatable {
    /// Objects removed from memory and/or disk (hard purges).
    public var removed: Int
    /// Objects now stale by the ledger (soft purges).
    public var marked: Int
    /// `false` when the node had already applied this command id (a re-delivery changes nothing).
    public var applied: Bool

    public init(removed: Int = 0, marked: Int = 0, applied: Bool = true) {
        self.removed = removed
        self.marked = marked
        self.applied = applied
    }
}
