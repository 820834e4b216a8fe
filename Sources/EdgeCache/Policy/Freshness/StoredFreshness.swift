/// What the serve decision needs from a stored response, derived once from its immutable headers.
///
/// A hit would otherwise re-parse Cache-Control, Date, Age and Expires on every request; the values only change
/// when the object does (a 304 refresh creates a new object), so they are computed when first needed and kept
/// with the object (`CachedObject.memo`).
public struct StoredFreshness: Sendable {
    public let directives: ResponseDirectives
    /// Freshness lifetime in seconds (§4.2.1).
    public let lifetime: Double
    /// The corrected initial age at `responseTime` (§4.2.3); the age at any later time adds the resident time.
    public let correctedInitialAge: Double
    public let responseTime: Double
    /// Soft purge time, if any.
    public let invalidatedAt: Double?

    /// Current age at `now` (§4.2.3).
    public func age(now: Double) -> Double { correctedInitialAge + max(0, now - responseTime) }

    /// Remaining freshness at `now`; negative once stale.
    public func ttl(now: Double) -> Double {
        let remaining = lifetime - age(now: now)
        guard let invalidatedAt, invalidatedAt <= now else { return remaining }
        return min(remaining, invalidatedAt - now)
    }
}

extension StoragePolicy {
    /// Derives the freshness facts of a stored response under this policy.
    public func freshness(of stored: StoredResponseInfo) -> StoredFreshness {
        StoredFreshness(
            directives: directives(for: stored.headers),
            lifetime: freshnessLifetime(stored: stored),
            correctedInitialAge: Freshness.currentAge(responseHeaders: stored.headers, requestTime: stored.requestTime,
                                                      responseTime: stored.responseTime, now: stored.responseTime),
            responseTime: stored.responseTime,
            invalidatedAt: stored.invalidatedAt)
    }
}
