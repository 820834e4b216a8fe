import NIOHTTP1

/// The shared-cache policy of this node: what to store (RFC 9111 §3), when a stored response can be reused
/// (§4), and how to revalidate it (§4.3). A value type with settings; all methods are pure.
public struct StoragePolicy: Equatable, Sendable {
    /// Store responses that carry Set-Cookie. Off by default: one user's cookie must not be handed to others.
    public var shareSetCookie: Bool
    /// Follow RFC 9213 targeted fields (CDN-Cache-Control) when a response has them.
    public var honourCDNCacheControl: Bool
    /// The targeted fields, in priority order (RFC 9213 §2.2 lets a CDN add its own name before the generic one).
    public var targetedFields: [String]
    public var heuristic: HeuristicPolicy
    /// Seconds a stale response may be served when the upstream fails, for responses without stale-if-error.
    public var defaultStaleIfError: Double
    /// Seconds a stale response may be served while it is refreshed, for responses without
    /// stale-while-revalidate.
    public var defaultStaleWhileRevalidate: Double

    public init(
        shareSetCookie: Bool = false,
        honourCDNCacheControl: Bool = true,
        targetedFields: [String] = ["cdn-cache-control"],
        heuristic: HeuristicPolicy = HeuristicPolicy(),
        defaultStaleIfError: Double = 0,
        defaultStaleWhileRevalidate: Double = 0
    ) {
        self.shareSetCookie = shareSetCookie
        self.honourCDNCacheControl = honourCDNCacheControl
        self.targetedFields = targetedFields
        self.heuristic = heuristic
        self.defaultStaleIfError = defaultStaleIfError
        self.defaultStaleWhileRevalidate = defaultStaleWhileRevalidate
    }

    /// The directives that govern `response` for this cache (targeted field or Cache-Control).
    public func directives(for response: HTTPHeaders) -> ResponseDirectives {
        ResponseDirectives(response: response, targetedFields: honourCDNCacheControl ? targetedFields : [])
    }

    /// The freshness lifetime of a response, in seconds.
    public func freshnessLifetime(response: HTTPHeaders, status: Int, responseTime: Double) -> Double {
        Freshness.lifetime(response: response, directives: directives(for: response), status: status,
                           responseTime: responseTime, heuristic: heuristic).seconds
    }

    /// The freshness lifetime of a stored response, in seconds.
    public func freshnessLifetime(stored: StoredResponseInfo) -> Double {
        freshnessLifetime(response: stored.headers, status: stored.status, responseTime: stored.responseTime)
    }

    /// The current age of a stored response, in seconds (§4.2.3).
    public func age(stored: StoredResponseInfo, now: Double) -> Double {
        Freshness.currentAge(responseHeaders: stored.headers, requestTime: stored.requestTime,
                             responseTime: stored.responseTime, now: now)
    }

    /// Remaining freshness in seconds; negative once stale (Cache-Status `ttl` may be negative, RFC 9211 §2.5).
    /// A soft-purged response has expired at its invalidation time at the latest.
    public func ttl(stored: StoredResponseInfo, now: Double) -> Double {
        let remaining = freshnessLifetime(stored: stored) - age(stored: stored, now: now)
        guard let invalidatedAt = stored.invalidatedAt, invalidatedAt <= now else { return remaining }
        return min(remaining, invalidatedAt - now)
    }
}
