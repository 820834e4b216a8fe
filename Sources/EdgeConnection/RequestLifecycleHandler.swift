import EdgeCore
import NIOCore
import NIOHTTP1

/// Tells the `ConnectionGuardHandler` at the front of the pipeline where the current request stands, by
/// watching the parsed request parts go in and the response's end go out.
///
/// Placed between the HTTP codec and the application handler, so any HTTP/1.1 server (public or admin) gets
/// the guard's phases without its own code having to report them.
public final class RequestLifecycleHandler: ChannelDuplexHandler {
    public typealias InboundIn = HTTPServerRequestPart
    public typealias InboundOut = HTTPServerRequestPart
    public typealias OutboundIn = HTTPServerResponsePart
    public typealias OutboundOut = HTTPServerResponsePart

    public init() {}

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: context.triggerUserOutboundEvent(RequestLifecycleEvent.headReceived, promise: nil)
        case .body: break
        case .end: context.triggerUserOutboundEvent(RequestLifecycleEvent.requestReceived, promise: nil)
        }
        context.fireChannelRead(data)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            context.triggerUserOutboundEvent(RequestLifecycleEvent.responseCompleted, promise: nil)
        }
        context.write(data, promise: promise)
    }
}
