import NIOCore

/// One TCP connection: answers every framed query in order (several per connection, pipelined), closes on
/// idle timeout, oversize frames or errors, and stops reading while the client is not reading its answers.
final class DNSTCPHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let processor: DNSQueryProcessor
    private var client: DNSClientAddress?
    private var pendingFlush = false
    private var readSuppressed = false
    private var lastWrite: EventLoopFuture<Void>?

    init(processor: DNSQueryProcessor) {
        self.processor = processor
    }

    func channelActive(context: ChannelHandlerContext) {
        client = context.remoteAddress.flatMap(DNSClientAddress.init)
        if client == nil { context.close(promise: nil) }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard let client, let response = processor.process(Array(frame.readableBytesView), from: client,
                                                            transport: .tcp) else { return }
        var buffer = context.channel.allocator.buffer(capacity: 2 + response.count)
        buffer.writeInteger(UInt16(truncatingIfNeeded: response.count))
        buffer.writeBytes(response)
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.write(wrapOutboundOut(buffer), promise: promise)
        lastWrite = promise.futureResult
        pendingFlush = true
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if pendingFlush {
            pendingFlush = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    /// Back-pressure: while the socket's send buffer is full, stop asking for more queries.
    func read(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            context.read()
        } else {
            readSuppressed = true
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, readSuppressed {
            readSuppressed = false
            context.read()
        }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            processor.counters.countIdleTimeout()
            context.close(promise: nil)
        } else if let channelEvent = event as? ChannelEvent, channelEvent == .inputClosed {
            // The client finished sending: answer what it asked, then close.
            context.flush()
            if let lastWrite {
                let channel = context.channel
                lastWrite.whenComplete { _ in channel.close(promise: nil) }
            } else {
                context.close(promise: nil)
            }
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if error is DNSTCPFrameError {
            processor.counters.countOversize()
        } else {
            processor.logger.debug("DNS TCP connection error", metadata: ["error": "\(error)"])
        }
        context.close(promise: nil)
    }
}
