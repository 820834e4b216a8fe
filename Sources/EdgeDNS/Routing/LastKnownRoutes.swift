/// Remembers the last non-empty choice per key (the client's region), so that when no edge is usable the answer
/// is the set that last was, rather than nothing: a briefly partitioned or restarting cluster keeps sending
/// clients somewhere plausible instead of failing every lookup.
///
/// A value type; the shell keeps it under a lock (see `EdgeRouteResolver`).
public struct LastKnownRoutes: Hashable, Sendable {
    private var byKey: [String: [RouteCandidate]] = [:]
    private var latest: [RouteCandidate] = []

    /// Keys come from the geo table's regions, a bounded set; this cap only guards against misuse.
    public static let maxKeys = 4096

    public init() {}

    /// Records a decision that chose something, or fills an empty one from memory: the set for `key`, else the
    /// most recent set for any key. A decision with nothing chosen and nothing remembered is returned as is.
    public mutating func resolve(_ decision: RouteDecision, key: String) -> RouteDecision {
        let chosen = decision.chosen.map(\.candidate)
        guard chosen.isEmpty else {
            if byKey[key] != nil || byKey.count < Self.maxKeys { byKey[key] = chosen }
            latest = chosen
            return decision
        }
        let remembered = byKey[key] ?? latest
        guard !remembered.isEmpty else { return decision }
        var filled = decision
        filled.remembered = remembered
        return filled
    }

    /// The remembered set for a key, if any (for status pages and tests).
    public func remembered(for key: String) -> [RouteCandidate]? { byKey[key] }
}
