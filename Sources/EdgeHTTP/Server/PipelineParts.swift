import EdgeConnection
import EdgeCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTP2

/// What one accepted connection's pipeline is built from, so HTTP/1.1 (plain or after ALPN) and every HTTP/2
/// stream end in the same `HTTPRequestHandler`: caching, coalescing, compression, purge and Cache-Status do
/// not know which protocol carried the request.
struct PipelineParts: Sendable {
    let connection: EdgeServer.ConnectionLimits
    let engine: ProxyEngine
    let observer: RequestObserver
    let bodyTempDirectory: String
    let now: @Sendable () -> Double
    let logger: Logger
    /// Whether the connection came through TLS (HTTPS redirects and HSTS depend on it).
    var overTLS = false

    func makeRequestHandler(_ channel: any Channel, wire: ResponseWire? = nil) -> HTTPRequestHandler {
        HTTPRequestHandler(engine: engine, observer: observer, limits: connection.requestLimits,
                           bodyBufferBytes: connection.bodyBufferBytes, bodyTempDirectory: bodyTempDirectory,
                           now: now, eventLoop: channel.eventLoop, overTLS: overTLS, wire: wire)
    }

    /// `ConnectionGuardHandler → HTTP codec (limits, pipelining, 400 on parse errors) → RequestLifecycleHandler
    /// → HTTPRequestHandler`. The codec is NIO's parser and pipelining handlers with this node's response
    /// encoder (`HTTP1ResponseEncoder`), which writes a hit's stored fields as the bytes its template holds.
    func configureHTTP1(_ channel: any Channel) throws {
        let sync = channel.pipeline.syncOperations
        let guardState = ConnectionGuard(now: now(), limits: connection.guardLimits)
        let logger = self.logger
        try sync.addHandler(ConnectionGuardHandler(
            guardState: guardState, now: now,
            onClose: { [observer] reason in
                observer.metrics.connectionClosedByNode(reason: reason)
                logger.debug("closing connection", metadata: ["reason": "\(reason)"])
            }))
        // Outbound header validation is off: response fields come from upstream responses NIO's parser
        // already accepted, or from this node, which never puts CR/LF in a value (Cache-Status
        // details are sf-strings); validating them again on every hit costs ~8% of the hit path.
        // Extension methods (RFC 9110 §9.1) get past NIO's parser, which knows a fixed list only.
        let methods = ExtensionMethodQueue()
        try sync.addHandler(ExtensionMethodAdapter(queue: methods))
        let wire = ResponseWire()
        let decoder = ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes,
                                                              informationalResponseStrategy: .drop,
                                                              limitConfiguration: connection.decoderLimits))
        try sync.addHandler(HTTP1ResponseEncoder(wire: wire))
        try sync.addHandler(decoder)
        try sync.addHandler(ExtensionMethodRestorer(queue: methods, wire: wire))
        try sync.addHandler(HTTPServerPipelineHandler())
        try sync.addHandler(HTTPServerProtocolErrorHandler())
        try sync.addHandler(RequestLifecycleHandler())
        try sync.addHandler(makeRequestHandler(channel, wire: wire))
    }

    /// nio-http2's connection handler with `limits`, an idle timeout for the connection, and per stream
    /// `HTTP2EndStreamCoalescer → HTTP2FramePayloadToHTTP1ServerCodec → StreamDeadlineHandler →
    /// HTTPRequestHandler`.
    func configureHTTP2(_ channel: any Channel, limits: HTTP2Limits) throws {
        let sync = channel.pipeline.syncOperations
        let parts = self
        let timeouts = connection.guardLimits
        _ = try sync.configureHTTP2Pipeline(
            mode: .server, connectionConfiguration: limits.connectionConfiguration,
            streamConfiguration: limits.streamConfiguration
        ) { stream in
            stream.eventLoop.makeCompletedFuture {
                let streamSync = stream.pipeline.syncOperations
                try streamSync.addHandler(HTTP2EndStreamCoalescer())
                try streamSync.addHandler(HTTP2FramePayloadToHTTP1ServerCodec())
                try streamSync.addHandler(StreamDeadlineHandler(headerTimeout: timeouts.headerTimeout,
                                                                bodyTimeout: timeouts.bodyTimeout))
                try streamSync.addHandler(parts.makeRequestHandler(stream))
            }
        }
        try sync.addHandler(HTTP2IdleHandler(idleTimeout: timeouts.idleTimeout))
    }
}

/// Resets a stream whose request does not complete in time: the head within `headerTimeout` of the stream
/// opening, then a body that goes `bodyTimeout` without a byte. nio-http2 bounds frames, not time, so this is
/// what keeps a stream that stalls mid-request from holding a concurrency slot forever.
final class StreamDeadlineHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    private let headerTimeout: TimeAmount
    private let bodyTimeout: TimeAmount
    private var timer: Scheduled<Void>?

    init(headerTimeout: Double, bodyTimeout: Double) {
        self.headerTimeout = .milliseconds(Int64(headerTimeout * 1000))
        self.bodyTimeout = .milliseconds(Int64(bodyTimeout * 1000))
    }

    func handlerAdded(context: ChannelHandlerContext) {
        arm(context: context, headerTimeout)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) {
            timer?.cancel()
            timer = nil
        } else {
            arm(context: context, bodyTimeout)
        }
        context.fireChannelRead(data)
    }

    private func arm(context: ChannelHandlerContext, _ delay: TimeAmount) {
        timer?.cancel()
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: delay) { channel.close(promise: nil) }
    }
}

/// Closes an HTTP/2 connection that has had no open stream for `idleTimeout` (the HTTP/1.1 guard's idle
/// timeout, applied per connection as nginx's `keepalive_timeout` is to h2).
final class HTTP2IdleHandler: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame

    private let idleTimeout: TimeAmount
    private var openStreams = 0
    private var timer: Scheduled<Void>?

    init(idleTimeout: Double) {
        self.idleTimeout = .milliseconds(Int64(idleTimeout * 1000))
    }

    func handlerAdded(context: ChannelHandlerContext) {
        arm(context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is NIOHTTP2StreamCreatedEvent {
            openStreams += 1
            timer?.cancel()
            timer = nil
        } else if event is StreamClosedEvent {
            openStreams = max(0, openStreams - 1)
            if openStreams == 0 { arm(context: context) }
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func arm(context: ChannelHandlerContext) {
        timer?.cancel()
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: idleTimeout) { channel.close(promise: nil) }
    }
}
