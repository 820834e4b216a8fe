import NIOHTTP1

/// The decisions of one upstream HTTP/1.1 exchange, as plain functions: what request head goes out, which
/// interim responses are relayed, when a connection may be reused, how many connections each event loop may
/// hold. The connection and pool only perform them, so the rules are tested without sockets.
enum UpstreamExchangeRules {
    /// The request head, built once from the proxy's request: the target is sent as it is (origin-form, Host
    /// already set by the proxy), so there is no URL string to build, parse or validate per request.
    ///
    /// The body's framing is ours to state: a known length as `Content-Length` (a spooled body's length is
    /// known before it is sent), and `Content-Length: 0` for a body-carrying method without a body, so the
    /// encoder never falls back to chunked encoding for an empty body.
    static func requestHead(for request: UpstreamRequest) -> HTTPRequestHead {
        var head = HTTPRequestHead(version: .http1_1, method: request.method, uri: request.target,
                                   headers: request.headers)
        let length = request.body?.length ?? 0
        if length > 0 {
            head.headers.remove(name: "transfer-encoding")
            head.headers.replaceOrAdd(name: "content-length", value: String(length))
        } else if carriesBody(request.method) {
            head.headers.remove(name: "transfer-encoding")
            head.headers.replaceOrAdd(name: "content-length", value: "0")
        }
        return head
    }

    /// Methods whose requests normally carry a body (RFC 9110 §9.3): without one they say `Content-Length: 0`.
    static func carriesBody(_ method: HTTPMethod) -> Bool {
        switch method {
        case .GET, .HEAD, .DELETE, .OPTIONS, .TRACE, .CONNECT: return false
        default: return true
        }
    }

    /// Whether an interim response is relayed to the proxy (RFC 9110 §15.2): 102 Processing, 103 Early Hints and
    /// any other 1xx, except `100 Continue` (about this hop's request body only) and `101` (never decoded as
    /// interim: this client does not upgrade).
    static func relaysInterim(status: Int) -> Bool {
        (102..<200).contains(status)
    }

    /// Whether a connection may carry another request after this exchange: only after the whole request went
    /// out and the whole response came in, and when the response keeps the connection open (`Connection: close`
    /// and HTTP/1.0 without keep-alive end it).
    static func isReusable(response: HTTPResponseHead, requestComplete: Bool, responseComplete: Bool) -> Bool {
        requestComplete && responseComplete && response.isKeepAlive
    }

    /// Connections each event loop may hold to one upstream: `maxConnectionsPerHost` split across the loops,
    /// but at least a few per loop (or the whole cap when it is smaller), so a loop never serialises its misses
    /// behind one connection.
    static func connectionsPerLoop(maxConnectionsPerHost: Int, loops: Int) -> Int {
        let total = max(1, maxConnectionsPerHost)
        let split = (total + max(1, loops) - 1) / max(1, loops)
        return max(split, min(total, 4))
    }

    /// Requests that may queue for a connection of one upstream on one loop once all its connections are busy;
    /// beyond them a request fails at once with `.localLimit` rather than waiting in an unbounded queue.
    static func waitersPerLoop(connectionsPerLoop: Int) -> Int {
        max(64, connectionsPerLoop * 8)
    }
}
