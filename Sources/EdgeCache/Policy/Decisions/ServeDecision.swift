/// How a request can be answered from a stored response (RFC 9111 §4). Ages and times are in seconds.
public enum ServeDecision: Equatable, Sendable {
    /// Fresh and acceptable to the client: serve it. `ttl` is the remaining freshness.
    case fresh(age: Double, ttl: Double)
    /// Stale but within stale-while-revalidate (RFC 5861 §3): serve it now and refresh it in the background.
    /// `staleFor` is how long it has been stale.
    case staleWhileRevalidate(age: Double, staleFor: Double)
    /// Stale, but the request's max-stale accepts it and the response does not forbid it.
    case staleAllowedByClient(age: Double)
    /// Not usable as is: send a conditional request upstream (`StoragePolicy.revalidationHeaders`), or a plain
    /// one when the stored response has no validator.
    case revalidate(age: Double)

    /// The current age of the stored response, for the Age header.
    public var age: Double {
        switch self {
        case .fresh(let age, _), .staleWhileRevalidate(let age, _), .staleAllowedByClient(let age),
             .revalidate(let age):
            return age
        }
    }

    /// Whether the stored response may be sent without waiting for upstream.
    public var canServeStored: Bool {
        if case .revalidate = self { return false }
        return true
    }
}
