import NIOCore
import NIOHTTP1
import Synchronization

/// What one client request learnt about its trip upstream, for the access log: its request id (sent upstream as
/// `X-Request-Id`) and which upstream answered with which status. A reference, so the fetch can fill it in while
/// the request handler keeps it for the log line.
public final class UpstreamTrace: Sendable {
    public let requestID: String
    private let answer = Mutex<(upstream: String?, status: Int?)>((nil, nil))

    public init(requestID: String) {
        self.requestID = requestID
    }

    /// The upstream last asked and its status (`nil` when it failed before answering).
    public func record(upstream: String, status: Int?) {
        answer.withLock { $0 = (upstream, status) }
    }

    public var upstream: String? { answer.withLock { $0.upstream } }
    public var status: Int? { answer.withLock { $0.status } }
}

/// A request to send to an upstream: the proxy has already set Host, Via, X-Forwarded-For and removed
/// hop-by-hop fields.
public struct UpstreamRequest: Sendable {
    public var method: HTTPMethod
    /// Origin-form target: path and query.
    public var target: String
    public var headers: HTTPHeaders
    public var body: RequestBody?
    /// Where the proxy records which upstream answered, for the client request's log line.
    public var trace: UpstreamTrace?

    public init(method: HTTPMethod, target: String, headers: HTTPHeaders, body: RequestBody? = nil,
                trace: UpstreamTrace? = nil) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.trace = trace
    }

    public var isIdempotent: Bool {
        switch method {
        case .GET, .HEAD, .OPTIONS, .PUT, .DELETE, .TRACE: return true
        default: return false
        }
    }
}

/// The head of an upstream response, plus its streaming body.
public struct UpstreamResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: UpstreamBody
    /// The upstream that answered.
    public var upstream: Upstream
    /// Seconds from sending the request to receiving the response head.
    public var firstByteSeconds: Double

    public init(status: Int, headers: HTTPHeaders, body: UpstreamBody, upstream: Upstream, firstByteSeconds: Double) {
        self.status = status
        self.headers = headers
        self.body = body
        self.upstream = upstream
        self.firstByteSeconds = firstByteSeconds
    }
}

/// The body of an upstream response as an async sequence of buffers; errors arrive as `UpstreamError`.
///
/// Type-erased over its source (a client's connection, a test's fixed buffers) so that the proxy and its tests
/// see one type whatever the transport.
public struct UpstreamBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    let makeNext: @Sendable () -> (() async throws(UpstreamError) -> ByteBuffer?)

    /// A body read by calling `makeNext()` once per iteration and the returned function until it gives `nil`.
    public init(makeNext: @escaping @Sendable () -> (() async throws(UpstreamError) -> ByteBuffer?)) {
        self.makeNext = makeNext
    }

    /// A body of fixed buffers (tests, bodies already in memory).
    public init(buffers: [ByteBuffer]) {
        self.init(makeNext: {
            var remaining = buffers[...]
            return { () throws(UpstreamError) -> ByteBuffer? in remaining.popFirst() }
        })
    }

    /// The same body, calling `action` once when its last byte has been read (not when reading fails or stops
    /// early): the moment an upstream exchange is complete, for its total-time histogram.
    public func onComplete(_ action: @escaping @Sendable () -> Void) -> UpstreamBody {
        let makeNext = self.makeNext
        return UpstreamBody(makeNext: {
            let next = makeNext()
            var done = false
            return { () async throws(UpstreamError) -> ByteBuffer? in
                let buffer = try await next()
                if buffer == nil, !done {
                    done = true
                    action()
                }
                return buffer
            }
        })
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let nextBuffer: () async throws(UpstreamError) -> ByteBuffer?

        public mutating func next() async throws -> ByteBuffer? {
            try await nextBuffer()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(nextBuffer: makeNext())
    }
}
