/// How a purge treats the objects it covers.
public enum PurgeMode: String, Sendable, Hashable, CaseIterable {
    /// Remove them from memory and disk: the next request is a miss.
    case hard
    /// Keep them but treat them as stale, so the next request revalidates (a 304 from the origin is enough)
    /// while stale-while-revalidate / stale-if-error may still serve them. Nothing is written to disk: the
    /// ledger's verdict is what marks them.
    case soft
}
