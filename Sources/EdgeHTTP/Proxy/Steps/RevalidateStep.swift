import EdgeCache
import EdgeCore
import NIOCore
import NIOHTTP1

extension ProxyEngine {
    /// revalidate: a stored object that may not be served as it is (expired, or soft-purged) goes upstream with
    /// its validators; the fetch side refreshes it on 304, replaces it on 200, and falls back to it
    /// (stale-if-error) when the upstream fails.
    func revalidate(_ stale: CachedObject, _ flow: inout ProxyFlow) async {
        guard let (key, variant) = flow.keyAndVariant else { flow.step = .lookup; return }
        let request = flow.request
        flow.step = .finish(await fetch(key: key, variant: variant, request: request, stale: stale,
                                        coalesce: !request.head.headers.contains(name: "authorization")))
    }
}
