/// Chooses, for one cache key, the upstreams to try in fallback order.
///
/// This is the seam where tiers plug in: a single-origin node returns its origin servers; an edge with a shield
/// tier returns the key's home shield, the next shields, then the origin. Selection is kept apart from health
/// (the chooser *reads* a health view, it does not keep one), as Pingora splits selection from health checks.
public protocol UpstreamChooser: Sendable {
    /// Upstreams to try for `cacheKey`, best first, down ones last. Never empty when any upstream is configured:
    /// whether a down one is attempted (a half-open probe) or skipped is the health view's `admit`, asked
    /// by the fetch right before each attempt.
    func plan(for cacheKey: String, now: Double) -> [Upstream]
}
