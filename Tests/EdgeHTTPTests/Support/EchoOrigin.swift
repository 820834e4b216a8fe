import NIOCore
import NIOHTTP1
import NIOPosix

/// An origin written for the request-body tests: it answers every request with what it received (method,
/// body length and an FNV-1a hash of the body), uncacheable, so a test can check a body reached upstream
/// byte-exact however the edge buffered it.
final class EchoOrigin: Sendable {
    let channel: any Channel
    var port: Int { channel.localAddress?.port ?? 0 }

    static func start() async throws -> EchoOrigin {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(EchoHandler())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return EchoOrigin(channel: channel)
    }

    private init(channel: any Channel) { self.channel = channel }

    func stop() async { try? await channel.close() }

    /// The text the origin answers for `body`.
    static func summary(method: String, body: [UInt8]) -> String {
        var hash = Hash()
        hash.add(body[...])
        return "\(method) length=\(body.count) fnv=\(hash.value)"
    }

    struct Hash {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        mutating func add(_ bytes: some Sequence<UInt8>) {
            for byte in bytes {
                value ^= UInt64(byte)
                value &*= 0x100_0000_01b3
            }
        }
    }

    private final class EchoHandler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        private var method = ""
        private var length = 0
        private var hash = Hash()

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                method = head.method.rawValue
                length = 0
                hash = Hash()
            case .body(let chunk):
                length += chunk.readableBytes
                hash.add(chunk.readableBytesView)
            case .end:
                let text = "\(method) length=\(length) fnv=\(hash.value)"
                var headers = HTTPHeaders()
                headers.add(name: "content-length", value: String(text.utf8.count))
                headers.add(name: "cache-control", value: "no-store")
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok,
                                                                     headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
