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
        if let stale = staleCoveringError(flow, now: flow.requestTime), allUpstreamsDown(for: key, now: flow.requestTime) {
            flow.step = .staleOnError(stale, fwdStatus: nil, reason: "every upstream is down")
            return
        }
        let response: UpstreamResponse
        do {
            response = try await sendWithFallback(upstreamRequest, cacheKey: key.primary,
                                                  interim: flow.request.interim)
        } catch {
            if let stale = staleCoveringError(flow, now: now()) {
                flow.step = .staleOnError(stale, fwdStatus: nil, reason: error.detail)
            } else {
                flow.step = .failed(error)
            }
            return
        }
        flow.responseTime = now()
        if let stale = flow.stale, response.status == 304 {
            flow.step = .condFetch(response, stale)
        } else if response.status >= 500, let stale = staleCoveringError(flow, now: flow.responseTime) {
            flow.step = .staleOnError(stale, fwdStatus: response.status, reason: "upstream answered \(response.status)")
        } else {
            flow.step = .decide(response)
        }
    }

    /// The fill's stale object, when it may be served in place of an upstream failure (stale-if-error).
    func staleCoveringError(_ flow: FetchFlow, now: Double) -> CachedObject? {
        guard let stale = flow.stale,
              settings.policy.canServeStaleOnError(stale.freshness(settings.policy), now: now) else { return nil }
        return stale
    }
}
