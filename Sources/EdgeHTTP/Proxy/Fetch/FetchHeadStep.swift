import EdgeCache
import EdgeCore
import EdgeUpstream

extension ProxyEngine {
    /// fetch: asks upstream for the key's normalised target (with the stale object's validators), and sorts
    /// the answer: a 304 for the stored object, an upstream failure or 5xx the stale object may cover, an
    /// error, or a response to decide about.
    func fetchHead(_ flow: inout FetchFlow) async {
        let key = flow.key
        var headers = upstreamHeaders(for: flow.request, key: key, forCacheFill: true)
        if let stale = flow.stale {
            for (name, value) in settings.policy.revalidationHeaders(stored: stale.storedInfo) {
                headers.replaceOrAdd(name: name, value: value)
            }
        }
        // HEAD is fetched as GET so the object can be stored, as nginx's proxy_cache_convert_head does.
        // The key's normalised target, never the client's spelling of it: the origin answers what is keyed.
        let upstreamRequest = UpstreamRequest(method: .GET, target: key.originForm, headers: headers,
                                              trace: flow.request.trace)

        flow.requestTime = now()
        if flow.stale != nil, allUpstreamsDown(for: key, now: flow.requestTime), staleMayCoverError(flow, now: flow.requestTime) {
            flow.step = .staleOnError(fwdStatus: nil, reason: "every upstream is down")
            return
        }
        let response: UpstreamResponse
        do {
            response = try await sendWithFallback(upstreamRequest, cacheKey: key.primary,
                                                  interim: flow.request.interim)
        } catch {
            flow.step = staleMayCoverError(flow, now: now())
                ? .staleOnError(fwdStatus: nil, reason: error.detail) : .failed(error)
            return
        }
        flow.responseTime = now()
        if flow.stale != nil, response.status == 304 {
            flow.step = .condFetch(response)
        } else if flow.stale != nil, response.status >= 500, staleMayCoverError(flow, now: flow.responseTime) {
            flow.step = .staleOnError(fwdStatus: response.status, reason: "upstream answered \(response.status)")
        } else {
            flow.step = .decide(response)
        }
    }

    /// Whether the fill's stale object may be served in place of an upstream failure (stale-if-error).
    func staleMayCoverError(_ flow: FetchFlow, now: Double) -> Bool {
        guard let stale = flow.stale else { return false }
        return settings.policy.canServeStaleOnError(stale.freshness(settings.policy), now: now)
    }
}
