import EdgeCache
import EdgeCore
import EdgeUpstream
import NIOHTTP1

extension ProxyEngine {
    /// passbody: a response that must not be stored streams to this client only; waiting requests make their
    /// own. When it answers a revalidation, it supersedes the stored object, which must not be served again.
    func passBody(_ response: UpstreamResponse, reason: String, headers: HTTPHeaders, _ flow: inout FetchFlow) async {
        flow.publish(.notShareable)
        if flow.stale != nil {
            await remove(primaryKey: flow.key.primary, variantKey: flow.variant)
        }
        let age = Freshness.currentAge(responseHeaders: headers, requestTime: flow.requestTime,
                                       responseTime: flow.responseTime, now: flow.responseTime)
        var entry = fillEntry(flow, fwdStatus: response.status)
        entry.detail = "not stored: \(reason)"
        let client = ProxyResponse(status: HTTPResponseStatus(statusCode: response.status), headers: headers,
                                   body: flow.request.isHead ? .empty : .upstream(response.body),
                                   phase: .uncacheable, upstreamSeconds: response.firstByteSeconds)
            .stamped(ResponseStamp(entry: entry, age: age, source: .upstream(fill: nil)))
        flow.step = .done(client)
    }
}
