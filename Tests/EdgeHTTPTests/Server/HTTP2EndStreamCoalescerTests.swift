@testable import EdgeHTTP
import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import Testing

/// A response's last DATA frame carries END_STREAM instead of being followed by an empty one; nothing else
/// about the frames changes, and nothing is held across a flush.
@Suite("HTTP/2 END_STREAM coalescing")
struct HTTP2EndStreamCoalescerTests {
    static func data(_ text: String, end: Bool = false) -> HTTP2Frame.FramePayload {
        .data(.init(data: .byteBuffer(ByteBuffer(string: text)), endStream: end))
    }

    /// The frames that reached the stream, as (kind, bytes, endStream).
    static func written(_ channel: EmbeddedChannel) throws -> [(String, String, Bool)] {
        var frames: [(String, String, Bool)] = []
        while let payload = try channel.readOutbound(as: HTTP2Frame.FramePayload.self) {
            switch payload {
            case .data(let data):
                guard case .byteBuffer(let buffer) = data.data else { continue }
                frames.append(("data", String(buffer: buffer), data.endStream))
            case .headers(let headers): frames.append(("headers", "", headers.endStream))
            default: frames.append(("other", "", false))
            }
        }
        return frames
    }

    @Test func aBodyAndAnEmptyEndBecomeOneFrameAndBothWritesComplete() throws {
        let channel = EmbeddedChannel(handler: HTTP2EndStreamCoalescer())
        defer { _ = try? channel.finish() }
        let headers = HTTP2Frame.FramePayload.headers(.init(headers: HPACKHeaders([(":status", "200")])))
        try channel.writeOutbound(headers)
        let body = channel.eventLoop.makePromise(of: Void.self)
        let end = channel.eventLoop.makePromise(of: Void.self)
        channel.write(Self.data("hello"), promise: body)
        channel.writeAndFlush(Self.data("", end: true), promise: end)
        let frames = try Self.written(channel)
        #expect(frames.map(\.0) == ["headers", "data"])
        #expect(frames.last?.1 == "hello" && frames.last?.2 == true)
        #expect(throws: Never.self) { try body.futureResult.wait() }
        #expect(throws: Never.self) { try end.futureResult.wait() }
    }

    @Test func aFlushSendsAHeldFrameAsItWas() throws {
        let channel = EmbeddedChannel(handler: HTTP2EndStreamCoalescer())
        defer { _ = try? channel.finish() }
        channel.writeAndFlush(Self.data("chunk 1"), promise: nil)
        #expect(try Self.written(channel).map(\.1) == ["chunk 1"])
        channel.write(Self.data("chunk 2"), promise: nil)
        channel.write(Self.data("chunk 3"), promise: nil)
        channel.writeAndFlush(Self.data("", end: true), promise: nil)
        let frames = try Self.written(channel)
        #expect(frames.map(\.1) == ["chunk 2", "chunk 3"])
        #expect(frames.map(\.2) == [false, true])
    }

    @Test func trailersFollowTheHeldDataUnchanged() throws {
        let channel = EmbeddedChannel(handler: HTTP2EndStreamCoalescer())
        defer { _ = try? channel.finish() }
        channel.write(Self.data("body"), promise: nil)
        let trailers = HTTP2Frame.FramePayload.headers(.init(headers: HPACKHeaders([("x-sum", "1")]), endStream: true))
        channel.writeAndFlush(trailers, promise: nil)
        let frames = try Self.written(channel)
        #expect(frames.map(\.0) == ["data", "headers"])
        #expect(frames.map(\.2) == [false, true])
    }
}
