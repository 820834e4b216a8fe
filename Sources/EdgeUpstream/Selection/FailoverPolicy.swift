/// What an edge does when a key's home shield fails (refused, timed out, or answered 5xx).
public enum FailoverPolicy: String, Sendable, CaseIterable {
    /// Try the other shields in the key's rendezvous order, then the origin: the most available choice.
    case nextShield = "next-shield"
    /// Go straight to the origin: for origins that can take the load and want one less hop on failure.
    case origin
    /// Give up: serve stale if the cache has it, else 502/504. For origins that must never see edge traffic.
    case error
}
