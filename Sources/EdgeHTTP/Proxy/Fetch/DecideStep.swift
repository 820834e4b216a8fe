import EdgeCache
import EdgeCore
import EdgeUpstream

extension ProxyEngine {
    /// decide: the storage decision (RFC 9111 §3 with this node's policy) about an upstream response: its
    /// end-to-end fields, a Date when it has none, then store (fetchbody) or pass on (passbody).
    func decide(_ response: UpstreamResponse, _ flow: inout FetchFlow) {
        var headers = ForwardingHeaders.endToEndResponseHeaders(from: response.headers)
        ForwardingHeaders.keyingKeptOverrides(&headers, keptOverrides: settings.keptOverrideHeaders)
        if !headers.contains(name: "date") {
            headers.add(name: "date", value: HTTPDate.format(Int64(flow.responseTime)))
        }
        switch settings.policy.decide(method: "GET", requestHeaders: flow.request.head.headers,
                                      status: response.status, responseHeaders: headers,
                                      responseTime: flow.responseTime) {
        case .store(let instructions):
            flow.step = .fetchBody(response, instructions, headers)
        case .doNotStore(let reason):
            flow.step = .passBody(response, reason: reason, headers)
        }
    }
}
