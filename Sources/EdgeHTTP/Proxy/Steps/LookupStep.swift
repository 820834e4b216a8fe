import EdgeCache
import EdgeCore
import NIOCore
import NIOHTTP1

extension ProxyEngine {
    /// lookup: selects the variant (Vary), finds the object (memory, then disk), and decides what it is worth:
    /// servable (`hit`), to revalidate (expired, or soft-purged), or nothing (`miss`). A request with credentials
    /// only uses objects the origin marked as shareable for them.
    func lookup(_ flow: inout ProxyFlow) async {
        guard let key = flow.key else { flow.step = .recv; return }
        let request = flow.request
        let variant = flow.variant ?? variantKey(for: key, request: request)
        flow.variant = variant
        let authorized = request.head.headers.contains(name: "authorization")
        guard let (object, tier) = await lookup(primaryKey: key.primary, variantKey: variant),
              !authorized || object.mayServeAuthorizedRequests else {
            flow.step = .miss
            return
        }
        let onlyIfCached = CacheControl(headers: request.head.headers).onlyIfCached
        // A soft purge covers it: revalidate before serving (stale may still be served if that fails).
        if purgeVerdict(object) == .stale && !onlyIfCached {
            flow.step = .revalidate(object)
            return
        }
        let decision = settings.policy.evaluate(object.freshness(settings.policy), request: request.head.headers,
                                                now: now())
        if case .revalidate = decision {
            flow.step = onlyIfCached
                ? .finish(errorResponse(.gatewayTimeout, message: "only-if-cached and the stored response is stale",
                                        entry: detailEntry("only-if-cached")))
                : .revalidate(object)
            return
        }
        flow.step = .hit(ProxyFlow.StoredHit(object: object, tier: tier, decision: decision))
    }

    /// The variant this request selects, from the Vary fields last stored for the URL.
    func variantKey(for key: CacheKey, request: ProxyRequest) -> String {
        guard let fields = store.varyFields(forPrimaryKey: key.primary), !fields.isEmpty else { return "" }
        return Vary.secondaryKey(fields: fields, request: request.head.headers)
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
}
