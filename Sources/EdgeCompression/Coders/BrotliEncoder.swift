import CBrotli
import NIOCore

/// Streaming brotli compression through the system libbrotlienc.
///
/// Not `Sendable`: one encoder belongs to one response body, used from one task or event loop.
public final class BrotliEncoder: StreamingEncoder {
    /// BROTLI_MIN_QUALITY ... BROTLI_MAX_QUALITY.
    public static let qualityRange = 0...11
    /// BROTLI_MIN_WINDOW_BITS ... BROTLI_MAX_WINDOW_BITS (without the non-standard large-window mode,
    /// which browsers do not decode).
    public static let windowRange = 10...24
    public static let defaultQuality = 5
    public static let defaultWindow = 22

    public let coding = ContentCoding.brotli
    public let quality: Int
    /// The window actually used: the requested one, narrowed to the body when `expectedSize` is known.
    public let window: Int
    private let state: OpaquePointer
    private let pump: OutputPump
    private var lifecycle = CoderLifecycle()

    /// - Parameters:
    ///   - quality: 0 (fastest) ... 11 (smallest; ~10-50x slower, for background recompression).
    ///   - window: log2 of the sliding window in bytes, 10...24.
    ///   - expectedSize: the body length when known. It is passed on as `BROTLI_PARAM_SIZE_HINT` and
    ///     narrows the window to the smallest that covers the body, as the `brotli` tool does for files:
    ///     the output is as small, but the encoder's window-sized tables and the client's decoding window
    ///     shrink with it. A body longer than announced still encodes correctly, with the narrower window.
    ///   - outputChunkSize: the largest output piece handed to `emit`.
    public init(
        quality: Int = BrotliEncoder.defaultQuality,
        window: Int = BrotliEncoder.defaultWindow,
        expectedSize: Int? = nil,
        outputChunkSize: Int = 64 * 1024,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) throws {
        guard Self.qualityRange.contains(quality) else {
            throw CompressionError.invalidParameter("brotli quality must be 0...11, got \(quality)")
        }
        guard Self.windowRange.contains(window) else {
            throw CompressionError.invalidParameter("brotli window must be 10...24, got \(window)")
        }
        let pump = try OutputPump(chunkSize: outputChunkSize, allocator: allocator)
        var window = window
        if let expectedSize, expectedSize > 0 {
            window = min(window, Self.windowBits(covering: expectedSize))
        }
        guard let state = BrotliEncoderCreateInstance(nil, nil, nil) else {
            throw CompressionError.outOfMemory(.brotli)
        }
        var configured = BrotliEncoderSetParameter(state, BROTLI_PARAM_QUALITY, UInt32(quality)) == BROTLI_TRUE
        configured = configured && BrotliEncoderSetParameter(state, BROTLI_PARAM_LGWIN, UInt32(window)) == BROTLI_TRUE
        if let expectedSize, expectedSize > 0 {
            let hint = UInt32(clamping: min(expectedSize, 1 << 30))
            configured = configured && BrotliEncoderSetParameter(state, BROTLI_PARAM_SIZE_HINT, hint) == BROTLI_TRUE
        }
        guard configured else {
            BrotliEncoderDestroyInstance(state)
            throw CompressionError.internalError(.brotli, detail: "BrotliEncoderSetParameter refused a value")
        }
        self.quality = quality
        self.window = window
        self.state = state
        self.pump = pump
    }

    deinit {
        BrotliEncoderDestroyInstance(state)
    }

    /// The smallest window (log2 bytes, 10...24) that holds `size` bytes; brotli's usable window is
    /// 2^bits - 16 bytes.
    public static func windowBits(covering size: Int) -> Int {
        var bits = windowRange.lowerBound
        while bits < windowRange.upperBound && (1 << bits) - 16 < size { bits += 1 }
        return bits
    }

    public func process(_ input: ByteBuffer, flush: Bool, emit: (ByteBuffer) throws -> Void) throws {
        let operation = flush ? BROTLI_OPERATION_FLUSH : BROTLI_OPERATION_PROCESS
        try lifecycle.process { try run(input, operation: operation, emit: emit) }
    }

    public func finish(emit: (ByteBuffer) throws -> Void) throws {
        try lifecycle.finish { try run(ByteBuffer(), operation: BROTLI_OPERATION_FINISH, emit: emit) }
    }

    private func run(
        _ input: ByteBuffer,
        operation: BrotliEncoderOperation,
        emit: (ByteBuffer) throws -> Void
    ) throws {
        let state = self.state
        try withInputBytes(input) { base, count in
            var availableIn = count
            var nextIn: UnsafePointer<UInt8>? = base
            try pump.run(expectedOutput: count / 2 + 128, emit: emit) { space in
                var availableOut = space.count
                var nextOut = space.baseAddress?.assumingMemoryBound(to: UInt8.self)
                guard BrotliEncoderCompressStream(
                    state, operation, &availableIn, &nextIn, &availableOut, &nextOut, nil
                ) == BROTLI_TRUE else {
                    throw CompressionError.internalError(.brotli, detail: "BrotliEncoderCompressStream failed")
                }
                let done = operation == BROTLI_OPERATION_FINISH
                    ? BrotliEncoderIsFinished(state) == BROTLI_TRUE
                    : availableIn == 0 && BrotliEncoderHasMoreOutput(state) == BROTLI_FALSE
                return (space.count - availableOut, done)
            }
        }
    }
}
