import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// An origin that writes what it was sent into a cacheable body, as origins that build absolute links from
/// Host or `X-Forwarded-Host` do: the poisoning tests' target. It listens on 127.0.0.1 (an ephemeral port) and
/// counts every request it receives, so a test can also prove that a request never reached it.
final class ReflectingOrigin: Sendable {
    /// The request fields reflected, in this order, one `name: value` line each (`-` when absent).
    static let reflected = ["host", "x-forwarded-host", "x-original-url", "x-rewrite-url", "x-forwarded-proto",
                            "x-forwarded-for", "forwarded", "x-http-method-override"]

    /// Every request seen, as `METHOD target`, shared with the connections' handlers.
    private final class Log: Sendable {
        let entries = Mutex<[String]>([])
    }

    private let channel: any Channel
    private let received = Log()
    let port: Int

    /// Every request seen so far, as `METHOD target`.
    var requests: [String] { received.entries.withLock { $0 } }

    init() async throws {
        let received = self.received
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(received: received))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
    }

    func stop() async {
        try? await channel.close()
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        private let received: Log
        private var head: HTTPRequestHead?

        init(received: Log) {
            self.received = received
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let requestHead):
                head = requestHead
            case .body:
                break
            case .end:
                guard let request = head else { return }
                received.entries.withLock { $0.append("\(request.method.rawValue) \(request.uri)") }
                var text = "target: \(request.uri)\n"
                for name in ReflectingOrigin.reflected {
                    let values = request.headers[name]
                    text += "\(name): \(values.isEmpty ? "-" : values.joined(separator: ", "))\n"
                }
                let body = ByteBuffer(string: text)
                var headers = HTTPHeaders()
                headers.add(name: "content-type", value: "text/plain")
                headers.add(name: "content-length", value: String(body.readableBytes))
                headers.add(name: "cache-control", value: "public, max-age=300")
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok,
                                                                     headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
