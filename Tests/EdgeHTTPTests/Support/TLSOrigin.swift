import EdgeTLS
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOTLS
import Synchronization

/// An HTTPS origin in this process: NIO with nio-ssl's server handler, on 127.0.0.1 and an ephemeral port,
/// answering every request with a short body and `Cache-Control` from `cacheControl(path)`. It counts
/// accepted connections, completed handshakes and requests, and the certificate it presents can be swapped
/// (`present`), e.g. for one signed by a CA the edge does not trust.
final class TLSOrigin: Sendable {
    struct Counts: Sendable, Equatable {
        var accepted = 0
        var handshakes = 0
        var requests = 0
    }

    final class State: Sendable {
        let context = Mutex<NIOSSLContext?>(nil)
        let counts = Mutex(Counts())
        /// The SNI names clients sent (`nil` for none), one per client hello.
        let serverNames = Mutex<[String?]>([])
    }

    let port: Int
    private let channel: any Channel
    private let state: State

    /// A server context presenting the chain and key at `paths`, TLS 1.2+, ALPN `http/1.1`, recording each
    /// client hello's SNI name in `state`.
    static func context(_ paths: DemoCertificateAuthority.Paths, state: State) throws -> NIOSSLContext {
        let chain = try NIOSSLCertificate.fromPEMFile(paths.certificate).map { NIOSSLCertificateSource.certificate($0) }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: paths.key, format: .pem)))
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = ["http/1.1"]
        configuration.sslContextCallback = { values, promise in
            state.serverNames.withLock { $0.append(values.serverHostname) }
            promise.succeed(NIOSSLContextConfigurationOverride())
        }
        return try NIOSSLContext(configuration: configuration)
    }

    /// - Parameter keepAlive: `false` answers with `Connection: close`, so every request makes a new connection
    ///   (and handshake).
    init(presenting paths: DemoCertificateAuthority.Paths, keepAlive: Bool = true,
         cacheControl: @escaping @Sendable (String) -> String = { _ in "public, max-age=300" }) async throws {
        let state = State()
        let initial = try Self.context(paths, state: state)
        state.context.withLock { $0 = initial }
        self.state = state
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                state.counts.withLock { $0.accepted += 1 }
                let current = state.context.withLock { $0 } ?? initial
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(NIOSSLServerHandler(context: current))
                    try pipeline.addHandler(HandshakeWatcher(state: state))
                    try pipeline.configureHTTPServerPipeline()
                    try pipeline.addHandler(Responder(state: state, keepAlive: keepAlive, cacheControl: cacheControl))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
    }

    var counts: Counts { state.counts.withLock { $0 } }
    var serverNames: [String?] { state.serverNames.withLock { $0 } }

    /// New connections get the certificate at `paths`; open ones keep theirs.
    func present(_ paths: DemoCertificateAuthority.Paths) throws {
        let context = try Self.context(paths, state: state)
        state.context.withLock { $0 = context }
    }

    func stop() async {
        try? await channel.close()
    }

    /// Counts completed handshakes and records the SNI name each carried.
    private final class HandshakeWatcher: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let state: State

        init(state: State) { self.state = state }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if let event = event as? TLSUserEvent, case .handshakeCompleted = event {
                state.counts.withLock { $0.handshakes += 1 }
            }
            context.fireUserInboundEventTriggered(event)
        }
    }

    /// `200` with a fixed body for every request, keep-alive.
    private final class Responder: ChannelInboundHandler, Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let state: State
        let keepAlive: Bool
        let cacheControl: @Sendable (String) -> String

        init(state: State, keepAlive: Bool, cacheControl: @escaping @Sendable (String) -> String) {
            self.state = state
            self.keepAlive = keepAlive
            self.cacheControl = cacheControl
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .head(let head) = unwrapInboundIn(data) else { return }
            state.counts.withLock { $0.requests += 1 }
            let body = ByteBuffer(string: "tls origin \(head.uri)")
            var headers = HTTPHeaders()
            headers.add(name: "content-type", value: "text/plain")
            headers.add(name: "content-length", value: "\(body.readableBytes)")
            headers.add(name: "cache-control", value: cacheControl(head.uri))
            if !keepAlive { headers.add(name: "connection", value: "close") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok,
                                                                  headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !keepAlive {
                let channel = context.channel
                done.whenComplete { _ in channel.close(promise: nil) }
            }
        }
    }
}
