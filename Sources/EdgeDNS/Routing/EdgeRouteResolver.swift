import Foundation

/// The one place where a client address becomes a routing decision: geo lookup, router, last-known memory.
/// The DNS server's route closure, the HTTP route endpoint and `edge route` should all go through it so they
/// agree on the answer.
///
/// Thread-safe (the DNS server calls it from several event loops); only the last-known memory is mutable.
public final class EdgeRouteResolver: @unchecked Sendable {
    public let geoTable: GeoTable
    public let router: EdgeRouter
    private let candidates: @Sendable () -> [RouteCandidate]
    // Guarded by `lock`; a lock rather than an actor because the NIO handlers call in synchronously.
    private let lock = NSLock()
    private var lastKnown = LastKnownRoutes()

    /// `candidates` is called once per decision and should return a snapshot of the gossip view (all known
    /// edges, dead and draining included, so explanations can mention them).
    public init(geoTable: GeoTable, router: EdgeRouter, candidates: @escaping @Sendable () -> [RouteCandidate]) {
        self.geoTable = geoTable
        self.router = router
        self.candidates = candidates
    }

    /// The decision for a client address (HTTP endpoint, `edge route --client`).
    public func resolve(client address: IPAddress, limit: Int? = nil) -> RouteResolution {
        resolve(source: .resolver(address), limit: limit)
    }

    /// The decision for a location source (ECS subnet or resolver address).
    public func resolve(source: ClientLocationSource, limit: Int? = nil) -> RouteResolution {
        let match = geoTable.lookup(source.address)
        let fresh = router.choose(client: match.location, candidates: candidates(), limit: limit)
        let decision = withLock { lastKnown.resolve(fresh, key: match.location.region) }
        return RouteResolution(source: source, match: match, decision: decision)
    }

    /// The DNS server's route closure.
    public func answer(_ query: RouteQuery) -> RouteAnswer {
        let resolution = resolve(source: query.source, limit: query.maxAnswers)
        return resolution.decision.answer(scopePrefixLength: resolution.match.scopePrefixLength)
    }

    private func withLock<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}
