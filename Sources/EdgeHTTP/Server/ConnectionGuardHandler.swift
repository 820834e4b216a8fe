import NIOCore

/// Sits in front of the HTTP decoder and enforces `ConnectionGuard`'s verdicts on one connection.
///
/// It sees raw inbound bytes (so it can bound a head that never completes) and the request handler's
/// lifecycle events, which travel toward it as outbound user events.
final class ConnectionGuardHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var guardState: ConnectionGuard
    private var timer: RepeatedTask?
    private let checkInterval: TimeAmount
    private let now: @Sendable () -> Double
    private let onClose: @Sendable (String) -> Void

    init(guardState: ConnectionGuard, checkInterval: TimeAmount, now: @escaping @Sendable () -> Double,
         onClose: @escaping @Sendable (String) -> Void) {
        self.guardState = guardState
        self.checkInterval = checkInterval
        self.now = now
        self.onClose = onClose
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleRepeatedTask(initialDelay: checkInterval, delay: checkInterval) { _ in
            let (handler, context) = loopBound.value
            handler.apply(handler.guardState.check(now: handler.now()), context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data).readableBytes
        let verdict = guardState.bytesReceived(bytes, now: now())
        if case .close = verdict {
            apply(verdict, context: context)
            return
        }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        if let event = event as? RequestLifecycleEvent {
            switch event {
            case .headReceived: guardState.headReceived()
            case .responseCompleted: guardState.responseCompleted(now: now())
            }
            promise?.succeed(())
            return
        }
        context.triggerUserOutboundEvent(event, promise: promise)
    }

    private func apply(_ verdict: ConnectionGuard.Verdict, context: ChannelHandlerContext) {
        guard case .close(let status, let reason) = verdict, context.channel.isActive else { return }
        timer?.cancel()
        timer = nil
        onClose(reason)
        if let status {
            // Written as raw bytes below the HTTP encoder: no response is in progress in these phases.
            let text = status == 408 ? "Request Timeout" : "Request Header Fields Too Large"
            let response = "HTTP/1.1 \(status) \(text)\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: response)))
                .whenComplete { _ in context.close(promise: nil) }
        } else {
            context.close(promise: nil)
        }
    }
}
