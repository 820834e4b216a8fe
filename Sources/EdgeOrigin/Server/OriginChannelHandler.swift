import NIOCore
import NIOHTTP1

/// Collects each request and hands it to the responder once it is complete.
///
/// NIO's pipelining helper sits in front, so the next request on a keep-alive connection is only delivered after
/// the previous response ended: one request at a time per connection, which keeps this handler trivial.
final class OriginChannelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let responder: OriginResponder
    private var head: HTTPRequestHead?

    init(responder: OriginResponder) {
        self.responder = responder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            // Request bodies mean nothing to this server; the decoder still frames them for keep-alive.
            break
        case .end:
            guard let head else { return }
            self.head = nil
            responder.respond(to: head, on: context.channel)
        }
    }

    /// A malformed request (NIO's error handler has already answered 400) or a socket error: the connection's
    /// framing can no longer be trusted, so it is closed rather than left for the client to time out.
    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
