import EdgeCache
import EdgeCore
import NIOCore
import NIOHTTP1

extension ProxyEngine {
    /// hit: serves a stored object the freshness verdict allows, in the client's content coding. A
    /// stale-while-revalidate hit also starts the background refresh (one per key, coalesced with misses).
    func deliverHit(_ hit: ProxyFlow.StoredHit, _ flow: inout ProxyFlow) async {
        let request = flow.request
        let object = hit.object
        let age: Double
        var entry: CacheStatusEntry
        let phase: CachePhase
        switch hit.decision {
        case .fresh(let freshAge, let ttl):
            age = freshAge
            entry = hitEntry(ttl: ttl)
            phase = .hit
        case .staleAllowedByClient(let staleAge):
            age = staleAge
            entry = hitEntry(ttl: object.remainingTTL(policy: settings.policy, now: now()))
            entry.detail = "max-stale"
            phase = .stale
        case .staleWhileRevalidate(let staleAge, _):
            if let (key, variant) = flow.keyAndVariant {
                refreshInBackground(key: key, variant: variant, stale: object, request: request)
            }
            age = staleAge
            entry = hitEntry(ttl: object.remainingTTL(policy: settings.policy, now: now()))
            entry.detail = "stale-while-revalidate"
            phase = .staleUpdating
        case .revalidate:
            // `lookup` sends these to `revalidate`; kept total so a new verdict cannot fall through silently.
            flow.step = .revalidate(object)
            return
        }
        flow.step = .finish(await deliverNegotiated(object, to: request, age: age, entry: entry, phase: phase,
                                                    tier: hit.tier))
    }

    func hitEntry(ttl: Double) -> CacheStatusEntry {
        var entry = CacheStatusEntry(name: settings.cacheStatusName)
        entry.hit = true
        entry.ttl = Int(ttl.rounded(.down))
        return entry
    }
}
