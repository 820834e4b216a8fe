import EdgeCache
import EdgeCore
import NIOCore
import NIOHTTP1

extension ProxyEngine {
    /// recv and lookup on the event loop, for the common case: a GET or HEAD, without credentials, for a fresh
    /// object in the memory tier, delivered as stored (or as a coded variant also in memory). `nil` whenever
    /// anything else is needed (disk, upstream, revalidation, compression, loop checks); `flow` then keeps the
    /// key and variant learnt so far, and the async driver starts from `recv` without computing them again.
    /// Nothing here allocates or starts a task beyond what the hit itself needs.
    func recvAndHitImmediately(_ flow: inout ProxyFlow) -> ProxyResponse? {
        let request = flow.request
        guard request.head.method == .GET || request.head.method == .HEAD,
              !request.head.headers.contains(name: "authorization"),
              case .proceed(let key) = admit(request) else { return nil }
        flow.key = key
        let variant = variantKey(for: key, request: request)
        flow.variant = variant
        guard let object = store.lookupInMemory(primaryKey: key.primary, variantKey: variant),
              purgeVerdict(object) == .keep else { return nil }
        guard case .fresh(let age, let ttl) = settings.policy.evaluate(object.freshness(settings.policy),
                                                                        request: request.head.headers, now: now())
        else { return nil }
        return deliverImmediately(object, to: request, age: age, entry: hitEntry(ttl: ttl))
    }
}
