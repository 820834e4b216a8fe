import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// A request to send to an upstream: the proxy has already set Host, Via, X-Forwarded-For and removed
/// hop-by-hop fields.
public struct UpstreamRequest: Sendable {
    public var method: HTTPMethod
    /// Origin-form target: path and query.
    public var target: String
    public var headers: HTTPHeaders
    public var body: RequestBody?

    public init(method: HTTPMethod, target: String, headers: HTTPHeaders, body: RequestBody? = nil) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
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
}

/// The body of an upstream response as an async sequence of buffers; errors arrive as `UpstreamError`.
public struct UpstreamBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    let base: HTTPClientResponse.Body
    let upstream: String

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: HTTPClientResponse.Body.AsyncIterator
        let upstream: String

        public mutating func next() async throws -> ByteBuffer? {
            do {
                return try await base.next()
            } catch {
                throw UpstreamClient.classify(error, upstream: upstream, phase: .body)
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), upstream: upstream)
    }
}
