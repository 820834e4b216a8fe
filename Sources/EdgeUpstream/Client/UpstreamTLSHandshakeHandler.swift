import NIOCore
import NIOTLS

/// Waits for a new upstream connection's TLS handshake, between the TLS handler and the HTTP codec.
///
/// The pool hands out a connection only once its handshake finished, so a handshake that fails (untrusted
/// certificate, name mismatch, no common version) fails the connect, before any request byte went out: it is
/// a connect failure of the upstream (counted by its circuit breaker, retried on the next upstream even for a
/// POST), not a protocol error of an exchange. `connect_timeout` bounds the handshake as it bounds the TCP
/// connect, so a server that accepts and never answers the client hello cannot hold a connection slot.
/// The pool removes it once the handshake succeeded; until then it only watches.
final class UpstreamTLSHandshakeHandler: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {  // confined to its channel's loop
    typealias InboundIn = ByteBuffer

    /// Why a handshake did not finish, with the reason nio-ssl gave.
    struct Failure: Error, CustomStringConvertible {
        var timedOut: Bool
        var reason: String
        var description: String { timedOut ? "TLS handshake timed out" : "TLS handshake failed: \(reason)" }
    }

    /// Completes once per channel: each connection attempt (happy eyeballs may make several) has its own.
    let done: EventLoopPromise<Void>
    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?
    private var finished = false

    init(eventLoop: any EventLoop, timeout: TimeAmount) {
        self.done = eventLoop.makePromise()
        self.timeout = timeout
    }

    func channelActive(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) {
            let (handler, context) = loopBound.value
            handler.finish(.failure(Failure(timedOut: true, reason: "no answer within the connect timeout")))
            context.close(promise: nil)
        }
        context.fireChannelActive()
        // The channel's autoRead is off (the connection reads only when it wants bytes): the handshake's
        // records are read here, one read at a time until it is done.
        context.read()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.fireChannelReadComplete()
        if !finished { context.read() }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        context.fireUserInboundEventTriggered(event)
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event {
            finish(.success(()))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(Failure(timedOut: false, reason: Self.reason(of: error))))
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(Failure(timedOut: false, reason: "the upstream closed the connection")))
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish(.failure(Failure(timedOut: false, reason: "the connection ended before the handshake")))
    }

    /// A short reason for logs: BoringSSL's reason codes (`BAD_SIGNATURE, CERTIFICATE_VERIFY_FAILED`) without
    /// the source paths nio-ssl's description carries; other errors as they describe themselves.
    static func reason(of error: any Error) -> String {
        let text = "\(error)"
        var codes: [Substring] = []
        var rest = text[...]
        while let marker = rest.range(of: "OPENSSL_internal:") {
            let code = rest[marker.upperBound...].prefix { $0.isUppercase || $0.isNumber || $0 == "_" }
            if !code.isEmpty { codes.append(code) }
            rest = rest[marker.upperBound...]
        }
        return codes.isEmpty ? text : codes.joined(separator: ", ")
    }

    private func finish(_ result: Result<Void, any Error>) {
        guard !finished else { return }
        finished = true
        timer?.cancel()
        timer = nil
        done.completeWith(result)
    }
}
