/// What the purge ledger says about one stored object.
public enum PurgeVerdict: Sendable, Hashable {
    /// No purge covers it: use it as its own headers say.
    case keep
    /// A soft purge covers it: treat it as stale, so it must be revalidated before it is served as fresh.
    case stale
    /// A hard purge covers it: treat it as absent (and drop it if it is still stored).
    case purged
}
