import NIOCore

/// The first handler of a plain connection when h2c is on: holds the connection's first bytes (at most the
/// 24 of the HTTP/2 preface; `HTTP2PrefaceDetector` decides), then builds the HTTP/2 pipeline for a client
/// with prior knowledge or the HTTP/1.1 pipeline for anything else, replays what it held, and leaves.
///
/// Until it has decided, nothing behind it guards the connection, so it keeps its own deadline: the idle
/// timeout until the first byte (as the HTTP/1.1 guard would), then the header timeout for the rest of the
/// preface, so a client cannot hold a socket by trickling a prefix of the preface.
final class H2CDetectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// What the detector saw: the pipeline to build.
    enum Detected {
        case http1
        case http2
    }

    private var detector = HTTP2PrefaceDetector()
    /// The bytes read while undecided (fewer than 24), plus the read that decided.
    private var held: ByteBuffer?
    private var timer: Scheduled<Void>?
    private let idleTimeout: TimeAmount
    private let headerTimeout: TimeAmount
    private let configure: (any Channel, Detected) throws -> Void

    init(idleTimeout: Double, headerTimeout: Double, configure: @escaping (any Channel, Detected) throws -> Void) {
        self.idleTimeout = .milliseconds(Int64(idleTimeout * 1000))
        self.headerTimeout = .milliseconds(Int64(headerTimeout * 1000))
        self.configure = configure
    }

    func handlerAdded(context: ChannelHandlerContext) {
        arm(context: context, idleTimeout)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if held == nil { arm(context: context, headerTimeout) }
        let verdict = detector.feed(bytes.readableBytesView)
        if held == nil {
            held = bytes
        } else {
            held?.writeBuffer(&bytes)
        }
        let detected: Detected
        switch verdict {
        case .needMoreBytes: return
        case .http1: detected = .http1
        case .http2: detected = .http2
        }
        timer?.cancel()
        timer = nil
        do {
            try configure(context.channel, detected)
        } catch {
            context.close(promise: nil)
            return
        }
        // Replays the held bytes to the pipeline just built (see `removeHandler`), then leaves it.
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func removeHandler(context: ChannelHandlerContext, removalToken: ChannelHandlerContext.RemovalToken) {
        if let held {
            self.held = nil
            context.fireChannelRead(wrapInboundOut(held))
            context.fireChannelReadComplete()
        }
        context.leavePipeline(removalToken: removalToken)
    }

    private func arm(context: ChannelHandlerContext, _ delay: TimeAmount) {
        timer?.cancel()
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: delay) { channel.close(promise: nil) }
    }
}
