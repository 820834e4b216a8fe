/// What the cache did for one request, in one word, for access logs and metrics labels.
public enum CachePhase: String, CaseIterable, Sendable {
    /// Served a fresh stored response.
    case hit
    /// Nothing usable stored; fetched from upstream.
    case miss
    /// Served a stale stored response without refreshing it (client max-stale, or stale-if-error).
    case stale
    /// Served a stale stored response while refreshing it in the background (stale-while-revalidate).
    case staleUpdating = "stale-updating"
    /// Revalidated upstream and got 304: served the stored response.
    case revalidated
    /// Stored response was stale and upstream sent a new one.
    case expired
    /// The request was not eligible for the cache (method, configuration, no-store request).
    case bypass
    /// Fetched from upstream, and the response could not be stored.
    case uncacheable
    /// Failed to produce a response from either the cache or upstream.
    case error
}
