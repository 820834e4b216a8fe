/// How long a response without explicit expiration stays fresh (RFC 9111 §4.2.2).
///
/// The usual heuristic is a fraction of the time since the representation last changed: something unchanged for
/// ten days is unlikely to change in the next day. The cap keeps an ancient Last-Modified from pinning an object
/// for months.
public struct HeuristicPolicy: Equatable, Sendable {
    /// Fraction of (Date − Last-Modified) used as the lifetime; §4.2.2 suggests no more than 10%.
    public var fraction: Double
    /// Upper bound of a heuristic lifetime, in seconds.
    public var maxSeconds: Double
    /// Lifetime for a heuristically cacheable response that has no Last-Modified. 0 (the default) makes such
    /// responses stale at once, so they are only reused after revalidation.
    public var withoutLastModified: Double

    public init(fraction: Double = 0.1, maxSeconds: Double = 86_400, withoutLastModified: Double = 0) {
        self.fraction = fraction
        self.maxSeconds = maxSeconds
        self.withoutLastModified = withoutLastModified
    }

    /// Status codes that RFC 9110 §15.1 defines as heuristically cacheable, less 206, which this cache does not
    /// store (it stores whole representations and answers ranges from them).
    public static let cacheableStatusCodes: Set<Int> = [200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501]

    /// The heuristic lifetime for a response last modified at `lastModified`, dated `date` (seconds since epoch).
    public func lifetime(date: Double, lastModified: Double?) -> Double {
        guard let lastModified else { return max(0, min(withoutLastModified, maxSeconds)) }
        let interval = date - lastModified
        guard interval > 0, fraction > 0 else { return 0 }
        return min(interval * fraction, max(0, maxSeconds))
    }
}
