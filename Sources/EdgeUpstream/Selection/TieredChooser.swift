import Synchronization

/// The upstream plan of a node in a tiered CDN: the key's home shield, then (by failover policy) the other
/// shields in rendezvous order and the origin servers.
///
/// A shield node, or an edge configured without shields, has only origin servers and behaves like
/// `OriginPoolChooser`. Shields are ranked over the healthy ones first, so a dead shield's keys move to their
/// second choice and nothing else moves; down shields stay at the very end of the plan, where the fetch asks
/// the health view before each attempt: one whose circuit is half-open gets the request as its probe, the
/// others are skipped.
public final class TieredChooser: UpstreamChooser {
    public let shields: [Upstream]
    public let policy: FailoverPolicy
    private let origins: OriginPoolChooser
    private let health: any UpstreamHealthView

    public init(shields: [Upstream], origins: [Upstream], policy: FailoverPolicy, health: any UpstreamHealthView) {
        self.shields = shields
        self.policy = policy
        self.origins = OriginPoolChooser(origins: origins, health: health)
        self.health = health
    }

    public func plan(for cacheKey: String, now: Double) -> [Upstream] {
        let originPlan = origins.plan(for: cacheKey, now: now)
        guard !shields.isEmpty else { return originPlan }
        let ranked = RendezvousHash.rank(shields, for: cacheKey)
        let healthy = ranked.filter { health.isAvailable($0, now: now) }
        let down = ranked.filter { !health.isAvailable($0, now: now) }
        switch policy {
        case .nextShield:
            return healthy + originPlan + down
        case .origin:
            return Array(healthy.prefix(1)) + originPlan + down
        case .error:
            // Only the home shield; when every shield is down, the best-ranked one is still asked.
            return [healthy.first ?? ranked[0]]
        }
    }

    /// The key's home among the shields currently healthy (or among all, when none is): for status pages and
    /// tests that check how keys split.
    public func homeShield(for cacheKey: String, now: Double) -> Upstream? {
        let ranked = RendezvousHash.rank(shields, for: cacheKey)
        return ranked.first { health.isAvailable($0, now: now) } ?? ranked.first
    }
}
