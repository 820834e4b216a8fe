import EdgeCache
import EdgeCore
import NIOCore
import NIOHTTP1

extension ProxyEngine {
    /// miss: nothing usable is stored. `only-if-cached` ends here with 504; otherwise the fetch side
    /// (Proxy/Fetch: coalesced fill → storage decision → delivery) produces the response. Requests with
    /// credentials fetch alone: their response may differ from anyone else's.
    func miss(_ flow: inout ProxyFlow) async {
        let request = flow.request
        if CacheControl(headers: request.head.headers).onlyIfCached {
            var entry = CacheStatusEntry(name: settings.cacheStatusName)
            entry.fwd = .uriMiss
            entry.detail = "only-if-cached"
            flow.step = .finish(errorResponse(.gatewayTimeout, message: "only-if-cached and nothing is stored",
                                              entry: entry))
            return
        }
        guard let (key, variant) = flow.keyAndVariant else { flow.step = .lookup; return }
        flow.step = .finish(await fetch(key: key, variant: variant, request: request, stale: nil,
                                        coalesce: !request.head.headers.contains(name: "authorization")))
    }
}
