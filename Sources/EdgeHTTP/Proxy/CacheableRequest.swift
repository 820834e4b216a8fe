import EdgeCache
import EdgeCore
import NIOCore
import NIOHTTP1

extension ProxyEngine {
    /// GET and HEAD, admitted under `key`: look the request up, then serve, revalidate or fetch.
    func respondCacheable(_ request: ProxyRequest, key: CacheKey) async -> ProxyResponse {
        let requestDirectives = CacheControl(headers: request.head.headers)
        let authorized = request.head.headers.contains(name: "authorization")
        let variant = variantKey(for: key, request: request)

        if let (object, tier) = await lookup(primaryKey: key.primary, variantKey: variant),
           !authorized || object.mayServeAuthorizedRequests {
            let now = self.now()
            // A soft purge covers it: revalidate before serving (stale may still be served if that fails).
            if purgeVerdict(object) == .stale && !requestDirectives.onlyIfCached {
                return await fetch(key: key, variant: variant, request: request, stale: object, coalesce: !authorized)
            }
            switch settings.policy.evaluate(object.freshness(settings.policy), request: request.head.headers, now: now) {
            case .fresh(let age, let ttl):
                return await deliverNegotiated(object, to: request, age: age, entry: hitEntry(ttl: ttl), phase: .hit,
                                               tier: tier)
            case .staleAllowedByClient(let age):
                var entry = hitEntry(ttl: object.remainingTTL(policy: settings.policy, now: now))
                entry.detail = "max-stale"
                return await deliverNegotiated(object, to: request, age: age, entry: entry, phase: .stale, tier: tier)
            case .staleWhileRevalidate(let age, _):
                refreshInBackground(key: key, variant: variant, stale: object, request: request)
                var entry = hitEntry(ttl: object.remainingTTL(policy: settings.policy, now: now))
                entry.detail = "stale-while-revalidate"
                return await deliverNegotiated(object, to: request, age: age, entry: entry, phase: .staleUpdating,
                                               tier: tier)
            case .revalidate:
                if requestDirectives.onlyIfCached {
                    return errorResponse(.gatewayTimeout, message: "only-if-cached and the stored response is stale",
                                         entry: detailEntry("only-if-cached"))
                }
                return await fetch(key: key, variant: variant, request: request, stale: object, coalesce: !authorized)
            }
        }

        if requestDirectives.onlyIfCached {
            var entry = CacheStatusEntry(cacheName: settings.cacheName)
            entry.fwd = .uriMiss
            entry.detail = "only-if-cached"
            return errorResponse(.gatewayTimeout, message: "only-if-cached and nothing is stored", entry: entry)
        }
        return await fetch(key: key, variant: variant, request: request, stale: nil, coalesce: !authorized)
    }

    /// Memory first, then disk on the I/O pool (promoting the object to memory) when the disk index lists it.
    /// A hard-purged object still stored (its removal raced the lookup) counts as absent and is removed.
    func lookup(primaryKey: String, variantKey: String) async -> (CachedObject, TierHit)? {
        if let object = store.lookupInMemory(primaryKey: primaryKey, variantKey: variantKey) {
            guard purgeVerdict(object) != .purged else {
                await remove(primaryKey: primaryKey, variantKey: variantKey)
                return nil
            }
            return (object, .memory)
        }
        // Only what the disk index lists is worth a trip to the I/O pool (a true miss stays on the event loop).
        guard store.diskIndexContains(primaryKey: primaryKey, variantKey: variantKey) else { return nil }
        let store = self.store
        do {
            guard let found = try await ioPool.runIfActive({
                store.lookup(primaryKey: primaryKey, variantKey: variantKey)
            }) else { return nil }
            guard purgeVerdict(found.0) != .purged else {
                await remove(primaryKey: primaryKey, variantKey: variantKey)
                return nil
            }
            return found
        } catch {
            logger.warning("disk lookup failed", metadata: ["key": "\(primaryKey)", "error": "\(error)"])
            return nil
        }
    }

    func detailEntry(_ detail: String) -> CacheStatusEntry {
        var entry = CacheStatusEntry(cacheName: settings.cacheName)
        entry.detail = detail
        return entry
    }
}
