import EdgeCache
import EdgeCore
import NIOCore
import NIOHTTP1
import Synchronization

/// Paths under `/.well-known/edge/` that a node answers itself on its public listener, never from cache or
/// upstream: the health endpoint load balancers and other tiers probe, and (registered by the executable)
/// routing answers. RFC 8615 reserves `/.well-known/` for exactly this kind of site-wide metadata, so these
/// paths cannot collide with a customer's content.
public final class LocalEndpoints: Sendable {
    public typealias Handler = @Sendable (ProxyRequest) -> ProxyResponse

    public static let prefix = "/.well-known/edge/"

    private let handlers = Mutex<[String: Handler]>([:])

    public init() {}

    /// Serves `prefix + name` (query strings are ignored when matching).
    public func register(_ name: String, handler: @escaping Handler) {
        handlers.withLock { $0[name] = handler }
    }

    /// Whether `target` is a local endpoint path (cheap: checked on every request).
    @inline(__always)
    static func isLocal(_ target: String) -> Bool {
        target.utf8.count > 18 && target.hasPrefix(prefix)
    }

    func respond(to request: ProxyRequest) -> ProxyResponse {
        let target = request.head.uri
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
            ?? target
        let name = String(path.dropFirst(Self.prefix.count))
        guard let handler = handlers.withLock({ $0[name] }) else {
            return Self.text(.notFound, "no such node endpoint: \(path)\n")
        }
        return handler(request)
    }

    /// A small uncacheable response, for handlers.
    public static func text(_ status: HTTPResponseStatus, _ body: String,
                            contentType: String = "text/plain; charset=utf-8",
                            extraHeaders: [(String, String)] = []) -> ProxyResponse {
        let buffer = ByteBuffer(string: body)
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: contentType)
        headers.add(name: "content-length", value: String(buffer.readableBytes))
        headers.add(name: "cache-control", value: "no-store")
        for (name, value) in extraHeaders { headers.add(name: name, value: value) }
        return ProxyResponse(status: status, headers: headers, body: .buffer(buffer), phase: .bypass)
    }
}
