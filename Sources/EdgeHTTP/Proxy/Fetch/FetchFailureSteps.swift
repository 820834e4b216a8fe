import EdgeCache
import EdgeCore
import EdgeUpstream

extension ProxyEngine {
    /// staleOnError: the upstream failed, answered 5xx, or is known down, and the stored object may cover it
    /// (stale-if-error, RFC 5861 §4): waiting requests learn of the failure (and may serve it stale themselves),
    /// this client gets the stored object.
    func staleOnError(_ stale: CachedObject, fwdStatus: Int?, reason: String, _ flow: inout FetchFlow) {
        flow.publish(.failed(reason))
        flow.step = .done(serveStaleOnError(stale, request: flow.request, fwdStatus: fwdStatus, reason: reason))
    }

    /// failed: the upstream failed and nothing stored may cover it: 502/503/504 by the kind of failure.
    func failed(_ error: UpstreamError, _ flow: inout FetchFlow) {
        flow.publish(.failed(error.detail))
        flow.step = .done(upstreamFailureResponse(error, entry: fillEntry(flow, fwdStatus: nil),
                                                  target: flow.key.primary))
    }

    /// The stored object, answered in place of an upstream failure, marked `fwd=stale` with the reason.
    func serveStaleOnError(_ stale: CachedObject, request: ProxyRequest, fwdStatus: Int?,
                           reason: String) -> ProxyResponse {
        let now = self.now()
        var entry = CacheStatusEntry(name: settings.cacheStatusName)
        entry.hit = true
        entry.fwd = .stale
        entry.fwdStatus = fwdStatus
        entry.ttl = Int(stale.remainingTTL(policy: settings.policy, now: now))
        entry.detail = "stale-if-error: \(reason)"
        metrics.staleServed()
        metrics.staleIfErrorServed()
        let age = Freshness.currentAge(responseHeaders: stale.headers, requestTime: stale.requestTime,
                                       responseTime: stale.responseTime, now: now)
        return deliverStored(stale, to: request, age: age, entry: entry, phase: .stale, tier: nil)
    }
}
