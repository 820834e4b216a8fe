import EdgeCache
import EdgeCore
import EdgeUpstream

extension ProxyEngine {
    /// condfetch: a 304 for the stored object: refresh its headers (RFC 9111 §4.3.4), store it again and serve
    /// its body, to this client and to any that waited for this fill.
    func condFetch(_ response: UpstreamResponse, stale: CachedObject, _ flow: inout FetchFlow) async {
        let requestTime = flow.requestTime, responseTime = flow.responseTime
        // A 304 has no body; reading to the end returns the connection to the pool.
        do { for try await _ in response.body {} } catch {}
        var merged = HeaderUpdate.merge(stored: stale.headers, from304: response.headers, receivedAt: responseTime)
        // Validated now: the copy is as new as this revalidation (or as the upstream tier's own, if older).
        let originFetchedAt = OriginFetchTime.effective(
            requestTime: requestTime, header: response.headers.first(name: OriginFetchTime.headerName))
        merged.replaceOrAdd(name: OriginFetchTime.headerName, value: OriginFetchTime.format(originFetchedAt))
        let refreshed = stale.replacing(headers: merged, requestTime: requestTime, responseTime: responseTime,
                                        generation: CachedObject.generation(forOriginFetch: originFetchedAt))
        await persist(refreshed)
        if refreshed.fileBody != nil {
            // A body in its disk file is not copied into an in-memory shared body for the requests waiting on
            // this fill: they make their own requests and find the refreshed object.
            flow.publish(.notShareable)
        } else {
            let body = SharedBody()
            body.append(refreshed.body)
            body.finish()
            flow.publish(.shared(FetchedHead(status: refreshed.status, sharedHeaders: refreshed.headers,
                                             varyFields: refreshed.varyFields, variantKey: refreshed.variantKey,
                                             upstreamSeconds: response.firstByteSeconds, requestTime: requestTime,
                                             responseTime: responseTime, stored: true,
                                             originFetchedAt: originFetchedAt), body))
        }
        let now = self.now()
        let age = Freshness.currentAge(responseHeaders: refreshed.headers, requestTime: requestTime,
                                       responseTime: responseTime, now: now)
        var entry = fillEntry(flow, fwdStatus: 304)
        entry.stored = true
        entry.ttl = Int(refreshed.remainingTTL(policy: settings.policy, now: now))
        flow.step = .done(deliverStored(refreshed, to: flow.request, age: age, entry: entry, phase: .revalidated,
                                        tier: nil, upstreamSeconds: response.firstByteSeconds))
    }
}
