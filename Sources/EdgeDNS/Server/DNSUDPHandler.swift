import NIOCore

/// One handler on the UDP socket: each datagram is a query, each response goes back to its sender.
final class DNSUDPHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let processor: DNSQueryProcessor
    private var pendingFlush = false

    init(processor: DNSQueryProcessor) {
        self.processor = processor
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let client = DNSClientAddress(envelope.remoteAddress) else { return }
        let packet = Array(envelope.data.readableBytesView)
        guard let response = processor.process(packet, from: client, transport: .udp) else { return }
        let buffer = context.channel.allocator.buffer(bytes: response)
        context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: buffer)),
                      promise: nil)
        pendingFlush = true
    }

    /// Responses to one batch of reads go out together.
    func channelReadComplete(context: ChannelHandlerContext) {
        if pendingFlush {
            pendingFlush = false
            context.flush()
        }
    }

    /// A UDP socket reports things like ICMP port unreachable for earlier replies as errors; none of them
    /// concern other clients, so the socket stays open.
    func errorCaught(context: ChannelHandlerContext, error: Error) {
        processor.logger.debug("DNS UDP socket error", metadata: ["error": "\(error)"])
    }
}
