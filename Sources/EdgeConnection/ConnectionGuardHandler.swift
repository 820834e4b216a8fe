import EdgeCore
import NIOCore

/// Sits in front of the HTTP decoder and enforces `ConnectionGuard`'s verdicts on one connection.
///
/// It sees raw inbound bytes (so it can bound a head that never completes, and notice a body making progress)
/// and the lifecycle events `RequestLifecycleHandler` sends toward it as outbound user events.
///
/// Timing costs one scheduled task per connection, armed for the guard's `deadline` and re-armed only when a
/// phase change brings the deadline earlier or when it fires early (the client made progress meanwhile): an
/// idle connection costs no CPU until its idle timeout, however many there are.
public final class ConnectionGuardHandler: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private var guardState: ConnectionGuard
    private var timer: Scheduled<Void>?
    /// When the armed timer fires, in the guard's clock.
    private var armedFor: Double?
    private var context: ChannelHandlerContext?
    private let now: @Sendable () -> Double
    private let onClose: @Sendable (String) -> Void

    public init(guardState: ConnectionGuard, now: @escaping @Sendable () -> Double,
                onClose: @escaping @Sendable (String) -> Void) {
        self.guardState = guardState
        self.now = now
        self.onClose = onClose
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        rearm(context: context)
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
        self.context = nil
    }

    public func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data).readableBytes
        let before = guardState.phase
        let verdict = guardState.bytesReceived(bytes, now: now())
        if case .close = verdict {
            apply(verdict, context: context)
            return
        }
        if case .idle = before { rearm(context: context) }  // the head timeout is shorter than the idle timeout
        context.fireChannelRead(data)
    }

    public func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any,
                                         promise: EventLoopPromise<Void>?) {
        if let event = event as? RequestLifecycleEvent {
            switch event {
            case .headReceived: guardState.headReceived(now: now())
            case .requestReceived: guardState.requestReceived()
            case .responseCompleted: guardState.responseCompleted(now: now())
            }
            rearm(context: context)
            promise?.succeed(())
            return
        }
        context.triggerUserOutboundEvent(event, promise: promise)
    }

    /// Arms the timer for the guard's deadline unless one already fires no later than that (an early firing
    /// re-checks and re-arms, so a deadline that moved later needs no new task). A busy connection has no
    /// deadline, but its pending timer is left alone rather than cancelled: it fires harmlessly, and on a
    /// keep-alive connection it usually still covers the next request, so requests in quick succession
    /// schedule nothing at all.
    private func rearm(context: ChannelHandlerContext) {
        guard let deadline = guardState.deadline else { return }
        if let armedFor, armedFor <= deadline, timer != nil { return }
        cancelTimer()
        let delay = max(0, deadline - now())
        armedFor = deadline
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: .nanoseconds(Int64(delay * 1e9) + 1_000_000)) {
            loopBound.value.fire()
        }
    }

    private func fire() {
        timer = nil
        armedFor = nil
        guard let context else { return }
        let verdict = guardState.check(now: now())
        if case .close = verdict {
            apply(verdict, context: context)
        } else {
            rearm(context: context)
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
        armedFor = nil
    }

    private func apply(_ verdict: ConnectionGuard.Verdict, context: ChannelHandlerContext) {
        guard case .close(let status, let reason) = verdict, context.channel.isActive else { return }
        cancelTimer()
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
