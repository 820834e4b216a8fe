import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import ServiceLifecycle
import Synchronization

/// A response an operator route produces: content type and body.
public struct OperatorResponse: Sendable {
    public var contentType: String
    public var body: String

    public init(contentType: String, body: String) {
        self.contentType = contentType
        self.body = body
    }
}

/// An extra `GET` path on the operator listener; receives the query string (without "?").
public typealias OperatorRoute = @Sendable (_ query: String) -> OperatorResponse

/// A small HTTP listener that serves `GET /metrics` in Prometheus text format, plus any operator routes.
///
/// It listens on its own (loopback by default) address, apart from public traffic, so scraping never
/// competes with clients and internal numbers are never exposed on the public port.
public final class MetricsEndpoint: Service, Sendable {
    private let host: String
    private let port: Int
    private let registry: PrometheusCollectorRegistry
    private let beforeScrape: @Sendable () -> Void
    private let routes: [String: OperatorRoute]
    private let group: any EventLoopGroup
    private let logger: Logger
    private let channel = Mutex<(any Channel)?>(nil)

    public init(host: String, port: Int, registry: PrometheusCollectorRegistry, group: any EventLoopGroup,
                logger: Logger, routes: [String: OperatorRoute] = [:],
                beforeScrape: @escaping @Sendable () -> Void = {}) {
        self.routes = routes
        self.host = host
        self.port = port
        self.registry = registry
        self.beforeScrape = beforeScrape
        self.group = group
        self.logger = logger
    }

    @discardableResult
    public func start() async throws -> Int {
        let registry = self.registry
        let beforeScrape = self.beforeScrape
        let routes = self.routes
        let bound = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        MetricsHandler(registry: registry, routes: routes, beforeScrape: beforeScrape))
                }
            }
            .bind(host: host, port: port).get()
        channel.withLock { $0 = bound }
        let boundPort = bound.localAddress?.port ?? port
        logger.info("metrics listening", metadata: ["address": "\(host):\(boundPort)"])
        return boundPort
    }

    public var boundPort: Int? { channel.withLock { $0?.localAddress?.port } }

    public func run() async throws {
        try await start()
        try? await gracefulShutdown()
        await stop()
    }

    public func stop() async {
        let bound = channel.withLock { channel -> (any Channel)? in
            defer { channel = nil }
            return channel
        }
        try? await bound?.close()
    }
}

private final class MetricsHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let registry: PrometheusCollectorRegistry
    private let beforeScrape: @Sendable () -> Void
    private let routes: [String: OperatorRoute]
    private var head: HTTPRequestHead?

    init(registry: PrometheusCollectorRegistry, routes: [String: OperatorRoute],
         beforeScrape: @escaping @Sendable () -> Void) {
        self.registry = registry
        self.routes = routes
        self.beforeScrape = beforeScrape
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            let status: HTTPResponseStatus
            var body: ByteBuffer
            var contentType = "text/plain; version=0.0.4"
            let parts = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            let path = parts.first.map(String.init) ?? head.uri
            let query = parts.count > 1 ? String(parts[1]) : ""
            let readable = head.method == .GET || head.method == .HEAD
            if path == "/metrics" && readable {
                beforeScrape()
                status = .ok
                body = ByteBuffer(bytes: registry.emitToBuffer())
            } else if readable, let route = routes[path] {
                let response = route(query)
                status = .ok
                contentType = response.contentType
                body = ByteBuffer(string: response.body)
            } else {
                status = .notFound
                body = ByteBuffer(string: "not found: this listener serves GET /metrics\n")
            }
            var headers = HTTPHeaders()
            headers.add(name: "content-type", value: status == .ok ? contentType : "text/plain")
            headers.add(name: "content-length", value: String(body.readableBytes))
            if !head.isKeepAlive { headers.add(name: "connection", value: "close") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status,
                                                                 headers: headers))), promise: nil)
            if head.method != .HEAD { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
            let keepAlive = head.isKeepAlive
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                if !keepAlive { context.close(promise: nil) }
            }
            body.clear()
        }
    }
}
