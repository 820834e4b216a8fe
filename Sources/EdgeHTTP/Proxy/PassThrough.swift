import EdgeCache
import EdgeCore
import EdgeUpstream
import NIOCore
import NIOHTTP1

extension ProxyEngine {
    /// Methods other than GET and HEAD go to upstream unchanged; a successful unsafe method invalidates the
    /// stored responses for its target and for the URLs in Location / Content-Location on the same host
    /// (RFC 9111 §4.4).
    ///
    /// What goes upstream is the admitted key's host and target, as for a cache fill.
    func passThrough(_ request: ProxyRequest, key: CacheKey) async -> ProxyResponse {
        let headers = upstreamHeaders(for: request, key: key, forCacheFill: false)
        let upstreamRequest = UpstreamRequest(method: request.head.method, target: key.originForm,
                                              headers: headers, body: request.body, trace: request.trace)
        var entry = CacheStatusEntry(name: settings.cacheStatusName)
        entry.fwd = .request
        let response: UpstreamResponse
        do {
            response = try await sendWithFallback(upstreamRequest, cacheKey: key.primary, interim: request.interim)
        } catch {
            return upstreamFailureResponse(error, entry: entry, target: key.primary)
        }
        if isUnsafe(request.head.method), (200..<400).contains(response.status) {
            await invalidate(primaryKey: key.primary)
            for name in ["location", "content-location"] {
                if let value = response.headers.first(name: name),
                   let related = relatedKey(value, requestKey: key) {
                    await invalidate(primaryKey: related.primary)
                }
            }
        }
        entry.fwdStatus = response.status
        let responseHeaders = ForwardingHeaders.endToEndResponseHeaders(from: response.headers)
        let proxyResponse = ProxyResponse(status: HTTPResponseStatus(statusCode: response.status),
                                          headers: responseHeaders,
                                          body: request.isHead ? .empty : .upstream(response.body),
                                          phase: .bypass, upstreamSeconds: response.firstByteSeconds)
            .stamped(ResponseStamp(entry: entry, age: nil, source: .upstream(fill: nil)))
        return proxyResponse
    }

    private func isUnsafe(_ method: HTTPMethod) -> Bool {
        switch method {
        case .GET, .HEAD, .OPTIONS, .TRACE: return false
        default: return true
        }
    }

    /// A Location or Content-Location URL on the request's own host, as a cache key; other hosts are ignored so
    /// one site cannot purge another's objects (§4.4).
    private func relatedKey(_ value: String, requestKey: CacheKey) -> CacheKey? {
        guard let candidate = CacheKey.forRequest(target: value, host: requestKey.host),
              candidate.host == requestKey.host else { return nil }
        return candidate
    }
}
