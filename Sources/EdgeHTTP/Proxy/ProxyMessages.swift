import EdgeCache
import EdgeUpstream
import NIOCore
import NIOHTTP1

/// A client request as the proxy phases see it: the parsed head, the (bounded) body, and where it came from.
public struct ProxyRequest: Sendable {
    public var head: HTTPRequestHead
    /// In memory up to the server's body buffer size, spooled to a temporary file beyond it.
    public var body: RequestBody?
    /// The client's IP address, for X-Forwarded-For and the access log.
    public var clientAddress: String
    /// When the request head was complete, seconds since the epoch.
    public var receivedAt: Double
    /// Where the client connection runs its tasks (its event loop), so work done for this request in other tasks,
    /// such as reading the upstream body into the cache, can stay on the same thread. `nil`: the global pool.
    public var executor: (any TaskExecutor)?
    /// The request id and upstream answer, for requests that may go upstream (set by the request handler
    /// before the async path; `nil` on the event-loop fast path, which never leaves the node).
    public var trace: UpstreamTrace?
    /// Relays an interim 1xx response (103 Early Hints, 102) from upstream to this client before the final one
    /// (RFC 9110 §15.2); set by the server for HTTP/1.1 clients only. `nil`: interim responses are dropped.
    public var interim: (@Sendable (HTTPResponseHead) -> Void)?
    /// Whether the request came over TLS (the HTTPS listener, h2 or HTTP/1.1): it then never gets the HTTPS
    /// redirect, and its response may carry HSTS.
    public var overTLS: Bool

    public init(head: HTTPRequestHead, body: RequestBody? = nil, clientAddress: String, receivedAt: Double,
                executor: (any TaskExecutor)? = nil, overTLS: Bool = false) {
        self.head = head
        self.overTLS = overTLS
        self.body = body
        self.clientAddress = clientAddress
        self.receivedAt = receivedAt
        self.executor = executor
    }

    public var isHead: Bool { head.method == .HEAD }
}

/// How a response body reaches the client.
public enum ResponseBody: Sendable {
    case empty
    case buffer(ByteBuffer)
    /// A body still arriving from upstream, shared with coalesced clients and the cache.
    case shared(SharedBody.Reader)
    /// A body streamed from upstream to this client only (uncacheable responses, other methods).
    case upstream(UpstreamBody)
    /// Any of the above, encoded (brotli, gzip) or decoded while it is sent.
    case coded(CodedBody)
    /// One byte range of a streaming body (a 206 answered while the fill goes on).
    case ranged(RangedBody)
    /// A stored body (or a range of it) read from its disk file as it is sent.
    case file(FileStreamBody)
}

/// A response ready to be written, with what the access log and metrics need to know about it.
public struct ProxyResponse: Sendable {
    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: ResponseBody
    public var phase: CachePhase
    /// Seconds spent waiting for upstream (first byte), when upstream was asked.
    public var upstreamSeconds: Double?
    /// Which tier a hit came from, for metrics.
    public var tier: TierHit?
    /// Via, Cache-Status and Age for the `finish` step to write (nil once written, or for local endpoints).
    public var stamp: ResponseStamp?
    /// The first fields of `headers` already serialized (a hit's stored fields), for the HTTP/1.1 encoder.
    /// Whatever replaces or removes one of those fields must set this to nil (see `WirePrefix`).
    var wirePrefix: WirePrefix?

    public init(status: HTTPResponseStatus, headers: HTTPHeaders, body: ResponseBody, phase: CachePhase,
                upstreamSeconds: Double? = nil, tier: TierHit? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.phase = phase
        self.upstreamSeconds = upstreamSeconds
        self.tier = tier
    }
}
