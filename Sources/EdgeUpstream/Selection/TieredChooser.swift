import Synchronization

/// The upstream plan of a node in a tiered CDN: the key's home shield, then (by failover policy) the other
/// shields in rendezvous order and the origin servers.
///
/// A shield node, or an edge configured without shields, has only origin servers and behaves like
/// `OriginPoolChooser`. Shields are ranked over the healthy ones first, so a dead shield's keys move to their
/// second choice and nothing else moves; down shields stay at the very end of the plan, where the fetch asks
/// the health view before each attempt: one whose circuit is half-open gets the request as its probe, the
/// others are skipped.
///
/// The lists are replaced whole on a configuration reload (`update`): a plan already made keeps the upstreams
/// it named (a request in flight finishes on what it started with), the next plan uses the new lists. Health
/// is kept apart, keyed by upstream, so an upstream in both lists keeps its circuit and probe verdicts.
public final class TieredChooser: UpstreamChooser {
    private struct Lists: Sendable {
        var shields: [Upstream]
        var origins: [Upstream]
        var policy: FailoverPolicy
        var pool: OriginPoolChooser
    }

    private let lists: Mutex<Lists>
    private let health: any UpstreamHealthView

    public var shields: [Upstream] { lists.withLock { $0.shields } }
    public var origins: [Upstream] { lists.withLock { $0.origins } }
    public var policy: FailoverPolicy { lists.withLock { $0.policy } }

    public init(shields: [Upstream], origins: [Upstream], policy: FailoverPolicy, health: any UpstreamHealthView) {
        self.lists = Mutex(Lists(shields: shields, origins: origins, policy: policy,
                                 pool: OriginPoolChooser(origins: origins, health: health)))
        self.health = health
    }

    /// Takes new shield and origin lists and failover policy, for the plans made from now on.
    public func update(shields: [Upstream], origins: [Upstream], policy: FailoverPolicy) {
        let pool = OriginPoolChooser(origins: origins, health: health)
        lists.withLock { $0 = Lists(shields: shields, origins: origins, policy: policy, pool: pool) }
    }

    public func plan(for cacheKey: String, now: Double) -> [Upstream] {
        let (shields, policy, pool) = lists.withLock { ($0.shields, $0.policy, $0.pool) }
        let originPlan = pool.plan(for: cacheKey, now: now)
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
        let shields = self.shields
        let ranked = RendezvousHash.rank(shields, for: cacheKey)
        return ranked.first { health.isAvailable($0, now: now) } ?? ranked.first
    }
}
