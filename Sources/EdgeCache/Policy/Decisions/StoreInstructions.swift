import NIOHTTP1

/// What to write into the cache for a storable response.
public struct StoreInstructions: Equatable, Sendable {
    /// The response header to store: connection-specific fields and the fields named by qualified
    /// `private="…"` / `no-cache="…"` (and Set-Cookie when it may not be shared) removed.
    public var headers: HTTPHeaders
    /// The Vary field names (lowercased, sorted), empty without Vary.
    public var varyFields: [String]
    /// The freshness lifetime at storage time, in seconds: a hint for eviction and Cache-Status `ttl`.
    public var freshnessLifetime: Double

    public init(headers: HTTPHeaders, varyFields: [String], freshnessLifetime: Double) {
        self.headers = headers
        self.varyFields = varyFields
        self.freshnessLifetime = freshnessLifetime
    }
}
