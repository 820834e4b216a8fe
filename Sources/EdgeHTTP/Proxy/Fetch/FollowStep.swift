import EdgeCache
import EdgeCore
import EdgeUpstream
import NIOCore
import NIOHTTP1

extension ProxyEngine {
    /// follow: a request that found another's fill in flight for its key serves what that fill got (the same
    /// head, the same streaming body) when the response is shareable and varies the same way for it; otherwise
    /// it returns nil and fetches alone. A failed fill is answered stale (stale-if-error) or with its error.
    func follow(_ fetch: InflightFetch<FetchedHead>, primaryKey: String, request: ProxyRequest,
                        stale: CachedObject?) async -> ProxyResponse? {
        switch await fetch.outcome() {
        case .shared(let head, let body):
            if !head.varyFields.isEmpty,
               Vary.secondaryKey(fields: head.varyFields, request: request.head.headers) != head.variantKey {
                return nil  // the response varies on something this client sent differently
            }
            // A fill passed through after its spill to disk failed has let go of its start: fetch alone.
            let reader = request.isHead ? nil : body.joinableReader()
            if !request.isHead, reader == nil { return nil }
            var entry = CacheStatusEntry(name: settings.cacheStatusName)
            entry.fwd = stale == nil ? .miss : .stale
            entry.fwdStatus = head.status
            entry.collapsed = true
            entry.stored = head.stored
            let age = Freshness.currentAge(responseHeaders: head.sharedHeaders, requestTime: head.requestTime,
                                           responseTime: head.responseTime, now: now())
            let response = ProxyResponse(status: HTTPResponseStatus(statusCode: head.status),
                                         headers: head.sharedHeaders,
                                         body: reader.map { .shared($0) } ?? .empty,
                                         phase: .miss, upstreamSeconds: head.upstreamSeconds)
                .stamped(ResponseStamp(entry: entry, age: age, source: .upstream(fill: nil)))
            return response
        case .notShareable:
            return nil
        case .failed(let reason):
            if let stale, settings.policy.canServeStaleOnError(stale.freshness(settings.policy), now: now()) {
                return serveStaleOnError(stale, request: request, fwdStatus: nil, reason: reason)
            }
            var entry = CacheStatusEntry(name: settings.cacheStatusName)
            entry.fwd = .miss
            entry.collapsed = true
            // The leader's failure may have opened the circuits: then this answer is theirs, 503 at once.
            if let unavailable = knownDownError(forPrimaryKey: primaryKey, now: now()) {
                return upstreamFailureResponse(unavailable, entry: entry, target: primaryKey)
            }
            entry.detail = reason
            var response = errorResponse(.badGateway, message: reason, entry: entry)
            // Only for the tier below; the outermost tier keeps the CDN's internal fields to itself.
            if !settings.stripsInternalHeaders { UpstreamFailureMark.add(to: &response.headers) }
            return response
        }
    }
}
