import NIOHTTP1

/// What the policy needs to know about a stored response to decide whether it can be reused.
public struct StoredResponseInfo: Equatable, Sendable {
    public var headers: HTTPHeaders
    public var status: Int
    /// When the request that produced (or last revalidated) the stored response was sent, seconds since epoch.
    public var requestTime: Double
    /// When that response was received, seconds since epoch.
    public var responseTime: Double
    /// A soft purge: from this time on the response counts as stale (it may still be revalidated, or served
    /// within stale-while-revalidate / stale-if-error windows) rather than being deleted.
    public var invalidatedAt: Double?

    public init(headers: HTTPHeaders, status: Int, requestTime: Double, responseTime: Double,
                invalidatedAt: Double? = nil) {
        self.headers = headers
        self.status = status
        self.requestTime = requestTime
        self.responseTime = responseTime
        self.invalidatedAt = invalidatedAt
    }
}
