import EdgeCache
import EdgeCore

/// The one driver of the fetch side. Each step is a function in Proxy/Fetch, named for it.
///
///     fetch → condfetch (304)                          → done
///           → decide → fetchbody (stored; pump → fetchend) → done
///                    → passbody (not stored)           → done
///           → staleOnError | failed                    → done
///
/// Concurrent requests for one key and variant share one fill: the first leads it (`fill`), the others
/// `follow` what it publishes. The client side's `miss` and `revalidate` steps call `fetch`, and the response
/// it returns leaves through their `finish` step.
extension ProxyEngine {
    /// Fetches from upstream for a miss or a stale object, coalescing concurrent requests for the same variant
    /// into one upstream request.
    func fetch(key: CacheKey, variant: String, request: ProxyRequest, stale: CachedObject?,
               coalesce: Bool) async -> ProxyResponse {
        let lockKey = key.primary + "\n" + variant
        guard coalesce else {
            return await fill(FetchFlow(key: key, variant: variant, request: request, stale: stale, lock: nil))
        }
        switch inflight.join(lockKey) {
        case .leader(let fetch):
            return await fill(FetchFlow(key: key, variant: variant, request: request, stale: stale,
                                        lock: FillLock(key: lockKey, fetch: fetch)))
        case .follower(let fetch):
            metrics.collapsed()
            if let response = await follow(fetch, primaryKey: key.primary, request: request, stale: stale) {
                return response
            }
            return await fill(FetchFlow(key: key, variant: variant, request: request, stale: stale, lock: nil))
        }
    }

    /// Runs a fill to its response. The coalescing lock is released when the fill ends, unless the body pump
    /// took it over (it releases it once the object is stored, so later requests find it in the cache).
    func fill(_ start: FetchFlow) async -> ProxyResponse {
        var flow = start
        defer {
            if let lock = flow.lock, !flow.lockHandedToPump { inflight.finish(lock.key, lock.fetch) }
        }
        while true {
            switch flow.step {
            case .fetch: await fetchHead(&flow)
            case .condFetch(let response, let stale): await condFetch(response, stale: stale, &flow)
            case .decide(let response): decide(response, &flow)
            case .fetchBody(let response, let instructions, let headers):
                fetchBody(response, instructions: instructions, headers: headers, &flow)
            case .passBody(let response, let reason, let headers):
                await passBody(response, reason: reason, headers: headers, &flow)
            case .staleOnError(let stale, let fwdStatus, let reason):
                staleOnError(stale, fwdStatus: fwdStatus, reason: reason, &flow)
            case .failed(let error): failed(error, &flow)
            case .done(let response): return response
            }
        }
    }

    /// Refreshes a stale-while-revalidate object without making any client wait for it.
    func refreshInBackground(key: CacheKey, variant: String, stale: CachedObject, request: ProxyRequest) {
        let lockKey = key.primary + "\n" + variant
        guard case .leader(let fetch) = inflight.join(lockKey) else { return }
        var refreshRequest = request
        refreshRequest.head.method = .GET
        let flow = FetchFlow(key: key, variant: variant, request: refreshRequest, stale: stale,
                             lock: FillLock(key: lockKey, fetch: fetch))
        Task {
            let response = await self.fill(flow)
            await response.body.discard()
        }
    }

    /// The Cache-Status entry of a response this fill got from upstream.
    func fillEntry(_ flow: FetchFlow, fwdStatus: Int?) -> CacheStatusEntry {
        var entry = CacheStatusEntry(name: settings.cacheStatusName)
        entry.fwd = flow.stale == nil ? .miss : .stale
        entry.fwdStatus = fwdStatus
        return entry
    }
}
