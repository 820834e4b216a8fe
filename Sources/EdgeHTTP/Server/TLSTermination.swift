import EdgeTLS
import NIOCore
import NIOSSL
import NIOTLS

/// What turns an `EdgeServer` into an HTTPS listener: the certificate store its SNI callback reads, and the
/// HTTP/2 limits for connections that negotiate `h2` by ALPN.
public struct TLSTermination: Sendable {
    public let store: CertificateStore
    public let http2: HTTP2Limits
    /// Seconds a client has to finish the TLS handshake (a handshake that stalls holds a socket like slowloris).
    public let handshakeTimeout: Double

    public init(store: CertificateStore, http2: HTTP2Limits = HTTP2Limits(), handshakeTimeout: Double = 10) {
        self.store = store
        self.http2 = http2
        self.handshakeTimeout = handshakeTimeout
    }
}

/// Closes a connection whose TLS handshake has not completed within the timeout, then removes itself.
final class HandshakeTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?

    init(seconds: Double) {
        timeout = .milliseconds(Int64(seconds * 1000))
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        context.fireUserInboundEventTriggered(event)
        // Removed only after passing the event on: the ALPN handler behind waits for it to configure the pipeline.
        if case TLSUserEvent.handshakeCompleted = event {
            timer?.cancel()
            timer = nil
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }
}
