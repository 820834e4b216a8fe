/// Chooses, for one cache key, the upstreams to try in fallback order.
///
/// This is the seam where tiers plug in: a single-origin node returns its origin servers; an edge with a shield
/// tier returns the key's home shield, the next shields, then the origin. Selection is kept apart from health
/// (the chooser *reads* a health view, it does not keep one), as Pingora splits selection from health checks.
public protocol UpstreamChooser: Sendable {
    /// Upstreams to try for `cacheKey`, best first. Never empty when any upstream is configured: when every
    /// upstream is marked down the chooser still returns them, since trying a down server beats failing unasked.
    func plan(for cacheKey: String, now: Double) -> [Upstream]
}
