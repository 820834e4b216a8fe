import NIOCore
import NIOHTTP1

/// The methods `ExtensionMethodFramer` replaced, in request order, shared by the two handlers of one connection
/// (both run on its event loop). It holds at most the requests of one read: the parser turns them into heads,
/// and the restorer consumes them, before the next read arrives.
final class ExtensionMethodQueue {
    private var pending: [String?] = []
    private var head = 0

    func append(_ requests: [String?]) { pending += requests }

    /// The next request's replaced method, or `nil` when it was parsed as sent (or was not followed).
    func next() -> String? {
        guard head < pending.count else { return nil }
        let method = pending[head]
        head += 1
        if head == pending.count {
            pending.removeAll(keepingCapacity: true)
            head = 0
        }
        return method
    }
}

/// In front of the HTTP parser: replaces extension methods the parser cannot read (see `ExtensionMethodFramer`).
final class ExtensionMethodAdapter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private var framer = ExtensionMethodFramer()
    private let queue: ExtensionMethodQueue

    init(queue: ExtensionMethodQueue) { self.queue = queue }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if framer.hasStopped {
            context.fireChannelRead(data)
            return
        }
        let buffer = unwrapInboundIn(data)
        if framer.consumeBody(buffer.readableBytes) {
            // All of it is body: nothing to read or copy.
            context.fireChannelRead(data)
            return
        }
        let output = buffer.withUnsafeReadableBytes { framer.feed($0) }
        queue.append(output.requests)
        guard let bytes = output.bytes else {
            context.fireChannelRead(data)
            return
        }
        guard !bytes.isEmpty else { return }
        context.fireChannelRead(wrapInboundOut(context.channel.allocator.buffer(bytes: bytes)))
    }
}

/// Right after the HTTP parser: gives each request head back the method its client sent.
final class ExtensionMethodRestorer: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    private let queue: ExtensionMethodQueue
    /// Told each request's method, in order, for the response encoder (a response to HEAD has no body).
    private let wire: ResponseWire

    init(queue: ExtensionMethodQueue, wire: ResponseWire) {
        self.queue = queue
        self.wire = wire
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        guard let method = queue.next() else {
            wire.requestDecoded(head.method)
            context.fireChannelRead(data)
            return
        }
        head.method = HTTPMethod(rawValue: method)
        wire.requestDecoded(head.method)
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }
}
