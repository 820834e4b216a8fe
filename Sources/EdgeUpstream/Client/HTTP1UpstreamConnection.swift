import NIOCore
import NIOHTTP1

/// The head of an upstream's final response and its body, as one exchange hands them to `UpstreamClient`.
struct UpstreamResponseStart: Sendable {
    var head: HTTPResponseHead
    var body: UpstreamBody
}

/// Why an exchange failed, and whether it failed on a reused connection before any response byte: then the
/// server most likely closed the idle connection as the request went out, and an idempotent request may be
/// sent again on a fresh connection.
struct UpstreamExchangeFailure: Error {
    var error: UpstreamError
    var staleConnection: Bool
}

/// One keep-alive HTTP/1.1 connection to an upstream: the last handler of its channel, carrying one exchange at
/// a time (no pipelining).
///
/// Confined to its channel's event loop, like the pool that owns it. The channel's autoRead is off: the handler
/// reads while it waits for a response head, while the body's consumer has room (`UpstreamBodyStream`), and
/// while the connection idles in the pool (so a close by the server is noticed at once).
///
/// Timeouts: the first-byte deadline from the request to the final response head, and an idle timeout
/// between body reads that runs only while the handler is reading (a consumer that is slow is not the
/// upstream's fault).
final class HTTP1UpstreamConnection: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private enum State {
        /// No exchange: new, or parked in the pool.
        case idle
        case awaitingHead
        case streaming(UpstreamBodyStream)
        case closed
    }

    let key: UpstreamPoolKey
    let eventLoop: any EventLoop
    private unowned let pool: UpstreamConnectionPool
    private let idleTimeout: TimeAmount
    private var context: ChannelHandlerContext?
    private var state = State.idle

    /// Exchanges this connection completed: more than zero means a request on it reuses the connection.
    private(set) var completedExchanges = 0
    /// When the connection was last parked in the pool.
    var idleSince = NIODeadline.now()

    // The exchange in flight.
    private var upstream = ""
    private var promise: EventLoopPromise<UpstreamResponseStart>?
    private var interim: (@Sendable (HTTPResponseHead) -> Void)?
    private var responseHead: HTTPResponseHead?
    private var requestComplete = false
    private var firstByteTimer: Scheduled<Void>?
    private var idleTimer: Scheduled<Void>?
    private var lastActivity = NIODeadline.now()
    /// Reading stopped because the body's consumer has enough buffered.
    private var paused = false

    init(key: UpstreamPoolKey, eventLoop: any EventLoop, pool: UpstreamConnectionPool, idleTimeout: TimeAmount) {
        self.key = key
        self.eventLoop = eventLoop
        self.pool = pool
        self.idleTimeout = idleTimeout
    }

    /// Whether the connection can take a request now.
    var isUsable: Bool {
        guard case .idle = state, let context else { return false }
        return context.channel.isActive
    }

    // MARK: Requests

    /// Sends a request head (and a body in memory, if any) and returns the final response head once it arrives.
    /// With `bodyFollows`, the caller streams the body with `writeBodyChunk` and ends it with `endRequest`.
    func start(head: HTTPRequestHead, body: ByteBuffer?, bodyFollows: Bool, upstream: String,
               firstByteDeadline: NIODeadline, interim: (@Sendable (HTTPResponseHead) -> Void)?)
        -> EventLoopFuture<UpstreamResponseStart>
    {
        eventLoop.assertInEventLoop()
        guard case .idle = state, let context else {
            return eventLoop.makeFailedFuture(UpstreamExchangeFailure(
                error: UpstreamError(kind: .protocolError, upstream: upstream, message: "connection closed"),
                staleConnection: completedExchanges > 0))
        }
        let promise = eventLoop.makePromise(of: UpstreamResponseStart.self)
        self.promise = promise
        self.upstream = upstream
        self.interim = interim
        self.responseHead = nil
        self.requestComplete = false
        self.paused = false
        state = .awaitingHead
        firstByteTimer = eventLoop.scheduleTask(deadline: firstByteDeadline) { [self] in
            firstByteTimer = nil
            fail(UpstreamError(kind: .firstByteTimeout, upstream: upstream,
                               message: "no response head within the first-byte timeout"), stale: false)
        }
        context.write(wrapOutboundOut(.head(head))).whenFailure { [self] error in requestWriteFailed(error) }
        if let body, body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        if bodyFollows {
            context.flush()
        } else {
            endRequest()
        }
        context.read()
        return promise.futureResult
    }

    /// Writes one chunk of a streamed request body; the future completes once it is written, which is the
    /// caller's back-pressure.
    func writeBodyChunk(_ chunk: ByteBuffer) -> EventLoopFuture<Void> {
        eventLoop.assertInEventLoop()
        guard let context, !isClosed else { return eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel) }
        let written = context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(chunk))))
        written.whenFailure { [self] error in requestWriteFailed(error) }
        return written
    }

    /// Ends the request; the connection may be reused only once this write completed.
    func endRequest() {
        eventLoop.assertInEventLoop()
        guard let context, !isClosed else { return }
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { [self] result in
            switch result {
            case .success: requestComplete = true
            case .failure(let error): requestWriteFailed(error)
            }
        }
    }

    /// The request's body could not be sent (its spool file failed): the exchange ends with `error` and the
    /// connection closes, since the upstream holds half a request.
    func abortRequest(_ error: UpstreamError) {
        eventLoop.assertInEventLoop()
        fail(error, stale: false)
    }

    /// The caller's task was cancelled: an exchange still waiting for its head ends, and the connection closes.
    /// Once the head arrived the body is the caller's, and dropping it is what ends the exchange.
    func cancel(_ failure: UpstreamExchangeFailure) {
        eventLoop.assertInEventLoop()
        guard case .awaitingHead = state else { return }
        fail(failure.error, stale: false)
    }

    private var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    private func requestWriteFailed(_ error: any Error) {
        guard case .awaitingHead = state else { return }
        if let parserError = error as? HTTPParserError, parserError == .invalidHeaderToken {
            // The header validator refused a field: the request cannot be sent to any upstream.
            fail(UpstreamError(kind: .invalidRequest, upstream: upstream,
                               message: "a request header field is not valid HTTP"), stale: false)
        } else {
            fail(UpstreamError(kind: .protocolError, upstream: upstream, message: "sending the request: \(error)"),
                 stale: completedExchanges > 0)
        }
    }

    // MARK: Reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            guard case .awaitingHead = state else {
                fail(UpstreamError(kind: .protocolError, upstream: upstream, message: "unexpected response head"),
                     stale: false)
                return
            }
            if head.status.code < 200 {
                if UpstreamExchangeRules.relaysInterim(status: Int(head.status.code)) { interim?(head) }
                return
            }
            firstByteTimer?.cancel()
            firstByteTimer = nil
            responseHead = head
            let stream = UpstreamBodyStream(eventLoop: eventLoop, source: self)
            state = .streaming(stream)
            lastActivity = .now()
            armIdleTimer(in: idleTimeout)
            let handle = UpstreamBodyHandle(stream: stream)
            let promise = self.promise
            self.promise = nil
            promise?.succeed(UpstreamResponseStart(head: head, body: handle.body))
        case .body(let buffer):
            guard case .streaming(let stream) = state else { return }
            lastActivity = .now()
            stream.append(buffer)
        case .end:
            guard case .streaming(let stream) = state, let head = responseHead else { return }
            let reusable = UpstreamExchangeRules.isReusable(response: head, requestComplete: requestComplete,
                                                            responseComplete: true)
            idleTimer?.cancel()
            idleTimer = nil
            interim = nil
            completedExchanges += 1
            state = .idle
            stream.finish()
            if reusable {
                pool.release(self)
            } else {
                close()
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        switch state {
        case .idle, .awaitingHead:
            context.read()
        case .streaming(let stream):
            if stream.wantsMore {
                context.read()
            } else {
                paused = true
            }
        case .closed:
            break
        }
    }

    /// The body's consumer has room again.
    func resumeReading() {
        guard paused, case .streaming = state, let context else { return }
        paused = false
        lastActivity = .now()
        context.read()
    }

    /// Parked in the pool: keep a read pending, so a close by the server (or stray bytes) is seen at once.
    func parked() {
        idleSince = .now()
        context?.read()
    }

    /// The consumer dropped the body before its end.
    func bodyAbandoned() {
        guard case .streaming = state else { return }
        close()
    }

    private func armIdleTimer(in delay: TimeAmount) {
        idleTimer = eventLoop.scheduleTask(in: delay) { [self] in
            idleTimer = nil
            guard case .streaming = state else { return }
            if paused {
                armIdleTimer(in: idleTimeout)
                return
            }
            let silent = NIODeadline.now() - lastActivity
            if silent >= idleTimeout {
                fail(UpstreamError(kind: .idleTimeout, upstream: upstream,
                                   message: "no body bytes for \(idleTimeout.nanoseconds / 1_000_000) ms"),
                     stale: false)
            } else {
                armIdleTimer(in: idleTimeout - silent)
            }
        }
    }

    // MARK: Ending

    /// Ends the exchange in flight with `error` and closes the connection.
    private func fail(_ error: UpstreamError, stale: Bool) {
        switch state {
        case .awaitingHead:
            let promise = self.promise
            self.promise = nil
            close()
            promise?.fail(UpstreamExchangeFailure(error: error, staleConnection: stale))
        case .streaming(let stream):
            close()
            stream.fail(error)
        case .idle:
            close()
        case .closed:
            break
        }
    }

    func close() {
        guard !isClosed else { return }
        state = .closed
        firstByteTimer?.cancel()
        firstByteTimer = nil
        idleTimer?.cancel()
        idleTimer = nil
        interim = nil
        context?.close(promise: nil)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelInactive(context: ChannelHandlerContext) {
        switch state {
        case .awaitingHead:
            // No head and no parse error: the server closed without sending a byte.
            fail(UpstreamError(kind: .protocolError, upstream: upstream,
                               message: "the upstream closed the connection before responding"),
                 stale: completedExchanges > 0)
        case .streaming:
            fail(UpstreamError(kind: .protocolError, upstream: upstream,
                               message: "the upstream closed the connection mid-body"), stale: false)
        case .idle, .closed:
            state = .closed
        }
        self.context = nil
        pool.connectionClosed(self)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A parse error means response bytes arrived; an I/O error before any head on a reused connection is
        // the server having closed it while idle.
        let parsed = error is HTTPParserError || error is NIOHTTPDecoderError
        fail(UpstreamError(kind: .protocolError, upstream: upstream, message: "\(error)"),
             stale: !parsed && completedExchanges > 0)
    }
}
