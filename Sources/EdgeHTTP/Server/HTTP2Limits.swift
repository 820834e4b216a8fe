import NIOCore
import NIOHTTP2

/// The HTTP/2 limits and defences of one listener, mapped onto what nio-http2's `NIOHTTP2Handler` enforces.
///
/// nio-http2 1.46 already counts the abuse the issue names; we set its knobs rather than re-count:
/// - rapid reset (CVE-2023-44487): `streamResetFrameRateLimit`, RST_STREAM frames per window, then GOAWAY
///   (ENHANCE_YOUR_CALM); `maximumRecentlyResetStreams` bounds the state kept for reset streams;
/// - CONTINUATION flood: `maximumSequentialContinuationFrames`, and the header list size bounds the bytes;
/// - SETTINGS/PING/PRIORITY flood: `controlFrameRateLimit`, and `maximumBufferedControlFrames` bounds the
///   replies queued for a peer that does not read;
/// - window-update abuse and empty DATA floods: window overflows are protocol errors; `maximumSequentialEmptyDataFrames`;
/// - any other protocol misstep counts as a glitch; past `maximumConnectionGlitches` the connection closes.
public struct HTTP2Limits: Sendable, Equatable {
    public var maxConcurrentStreams = 100
    public var maxHeaderListSize = 16 << 10
    public var maxResetsPerWindow = 100
    public var windowSeconds = 30
    public var maxContinuationFrames = 5
    public var maxControlFramesPerWindow = 200
    /// Per-stream flow-control window we grant (bytes a client may send before we read them).
    public var streamWindow = 65_535
    /// Bytes a stream may have queued for a slow client before its channel turns unwritable and the response
    /// body waits: what keeps a slow reader from making us buffer whole objects.
    public var outboundHighWatermark = 64 << 10

    public init(maxConcurrentStreams: Int = 100, maxHeaderListSize: Int = 16 << 10, maxResetsPerWindow: Int = 100,
                windowSeconds: Int = 30, maxContinuationFrames: Int = 5, maxControlFramesPerWindow: Int = 200) {
        self.maxConcurrentStreams = maxConcurrentStreams
        self.maxHeaderListSize = maxHeaderListSize
        self.maxResetsPerWindow = maxResetsPerWindow
        self.windowSeconds = windowSeconds
        self.maxContinuationFrames = maxContinuationFrames
        self.maxControlFramesPerWindow = maxControlFramesPerWindow
    }

    var connectionConfiguration: NIOHTTP2Handler.ConnectionConfiguration {
        var connection = NIOHTTP2Handler.ConnectionConfiguration()
        connection.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: maxConcurrentStreams),
            HTTP2Setting(parameter: .maxHeaderListSize, value: maxHeaderListSize),
            HTTP2Setting(parameter: .initialWindowSize, value: streamWindow),
        ]
        connection.maximumSequentialContinuationFrames = maxContinuationFrames
        connection.maximumRecentlyResetStreams = 32
        connection.maximumBufferedControlFrames = 1000
        connection.maximumSequentialEmptyDataFrames = 1
        var control = NIOHTTP2Handler.ControlFrameRateLimitConfiguration()
        control.maximumCount = maxControlFramesPerWindow
        control.windowLength = .seconds(Int64(windowSeconds))
        connection.controlFrameRateLimit = control
        return connection
    }

    var streamConfiguration: NIOHTTP2Handler.StreamConfiguration {
        var stream = NIOHTTP2Handler.StreamConfiguration()
        stream.targetWindowSize = streamWindow
        stream.outboundBufferSizeHighWatermark = outboundHighWatermark
        stream.outboundBufferSizeLowWatermark = outboundHighWatermark / 2
        var resets = NIOHTTP2Handler.StreamResetFrameRateLimitConfiguration()
        resets.maximumCount = maxResetsPerWindow
        resets.windowLength = .seconds(Int64(windowSeconds))
        stream.streamResetFrameRateLimit = resets
        var errors = NIOHTTP2Handler.StreamErrorRateLimitConfiguration()
        errors.maximumCount = maxResetsPerWindow
        errors.windowLength = .seconds(Int64(windowSeconds))
        stream.streamErrorRateLimit = errors
        return stream
    }
}
