import EdgeCache
import EdgeCore
import EdgeUpstream
import NIOCore
import NIOHTTP1

extension ProxyEngine {
    /// Methods other than GET and HEAD go to upstream unchanged; a successful unsafe method invalidates the
    /// stored responses for its target and for the URLs in Location / Content-Location on the same host
    /// (RFC 9111 §4.4).
    func passThrough(_ request: ProxyRequest) async -> ProxyResponse {
        let headers = ForwardingHeaders.upstreamRequestHeaders(
            from: request.head.headers, clientAddress: request.clientAddress, viaName: settings.cacheName,
            cdnLoopEntry: settings.cdnLoopEntry, hostOverride: settings.upstreamHostOverride, forCacheFill: false)
        let upstreamRequest = UpstreamRequest(method: request.head.method, target: request.head.uri,
                                              headers: headers, body: request.body)
        var entry = CacheStatusEntry(cacheName: settings.cacheName)
        entry.fwd = .request
        let key = cacheKey(for: request)
        let response: UpstreamResponse
        do {
            response = try await sendWithFallback(upstreamRequest, cacheKey: key?.primary ?? request.head.uri)
        } catch {
            entry.detail = error.detail
            return upstreamErrorResponse(error, entry: entry)
        }
        if isUnsafe(request.head.method), (200..<400).contains(response.status), let key {
            await invalidate(primaryKey: key.primary)
            for name in ["location", "content-location"] {
                if let value = response.headers.first(name: name),
                   let related = relatedKey(value, requestKey: key) {
                    await invalidate(primaryKey: related.primary)
                }
            }
        }
        entry.fwdStatus = response.status
        var responseHeaders = ForwardingHeaders.endToEndResponseHeaders(from: response.headers)
        stamp(&responseHeaders, entry)
        var proxyResponse = ProxyResponse(status: HTTPResponseStatus(statusCode: response.status),
                                          headers: responseHeaders,
                                          body: request.isHead ? .empty : .upstream(response.body),
                                          phase: .bypass, upstreamSeconds: response.firstByteSeconds)
        codeStreamedResponse(&proxyResponse, request: request)
        applyTransforms(&proxyResponse, request: request)
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
        if value.hasPrefix("/") {
            return CacheKey(scheme: "http", host: requestKey.host, target: value)
        }
        guard let candidate = CacheKey(scheme: "http", host: requestKey.host, target: value),
              candidate.host == requestKey.host else { return nil }
        return candidate
    }
}
