import NIOCore
import NIOHTTP2

/// Sends a response's last body bytes and its end in one DATA frame on an HTTP/2 stream.
///
/// `HTTP2FramePayloadToHTTP1ServerCodec` turns a response's `.body` into a DATA frame and its `.end` into a
/// second, empty DATA frame with END_STREAM, so a cache hit (head, body, end written in one event-loop turn)
/// costs three frames where two do: every frame runs nio-http2's stream state machine, flow control and frame
/// encoder. Sitting between the stream channel and the codec, this handler holds a DATA frame back until the
/// next write or flush: an empty END_STREAM frame right behind it is folded into it; anything else sends it
/// as it was. Nothing is held across a flush, so streamed bodies go out as before.
final class HTTP2EndStreamCoalescer: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    private var held: (data: HTTP2Frame.FramePayload.Data, promise: EventLoopPromise<Void>?)?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let payload = unwrapOutboundIn(data)
        if case .data(let frame) = payload, !frame.endStream, frame.paddingBytes == nil {
            releaseHeld(context: context)
            held = (frame, promise)
            return
        }
        if case .data(let frame) = payload, frame.endStream, frame.data.readableBytes == 0,
           frame.paddingBytes == nil, var merged = held {
            held = nil
            merged.data.endStream = true
            if let promise {
                if let first = merged.promise { promise.futureResult.cascade(to: first) }
                merged.promise = promise
            }
            context.write(wrapOutboundOut(.data(merged.data)), promise: merged.promise)
            return
        }
        releaseHeld(context: context)
        context.write(data, promise: promise)
    }

    func flush(context: ChannelHandlerContext) {
        releaseHeld(context: context)
        context.flush()
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        releaseHeld(context: context)
        context.close(mode: mode, promise: promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        releaseHeld(context: context)
    }

    private func releaseHeld(context: ChannelHandlerContext) {
        guard let (frame, promise) = held else { return }
        held = nil
        context.write(wrapOutboundOut(.data(frame)), promise: promise)
    }
}
