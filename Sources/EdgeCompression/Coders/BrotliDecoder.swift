import CBrotli
import NIOCore

/// Streaming brotli decompression through the system libbrotlidec.
///
/// Brotli has no checksum, so corruption is detected only when it breaks the format; truncation and
/// trailing bytes are always detected. Not `Sendable` (one body, one task).
public final class BrotliDecoder: StreamingDecoder {
    public let coding = ContentCoding.brotli
    /// The cap on total decoded bytes, or `nil` for none.
    public var maxOutputBytes: Int? { cap.limit }
    public var outputByteCount: Int { cap.produced }
    private var cap: OutputCap
    private let state: OpaquePointer
    private let pump: OutputPump
    private var lifecycle = CoderLifecycle()
    private var streamEnded = false
    private var sawInput = false

    /// - Parameters:
    ///   - maxOutputBytes: total decoded bytes allowed; pass the largest body you are willing to hold.
    ///   - outputChunkSize: the largest output piece handed to `emit`.
    public init(
        maxOutputBytes: Int? = nil,
        outputChunkSize: Int = 64 * 1024,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) throws {
        let cap = try OutputCap(maxOutputBytes)
        let pump = try OutputPump(chunkSize: outputChunkSize, allocator: allocator)
        guard let state = BrotliDecoderCreateInstance(nil, nil, nil) else {
            throw CompressionError.outOfMemory(.brotli)
        }
        self.cap = cap
        self.state = state
        self.pump = pump
    }

    deinit {
        BrotliDecoderDestroyInstance(state)
    }

    public func process(_ input: ByteBuffer, emit: (ByteBuffer) throws -> Void) throws {
        try lifecycle.process {
            guard input.readableBytes > 0 else { return }
            sawInput = true
            guard !streamEnded else { throw CompressionError.trailingData(.brotli) }
            try decode(input, emit: emit)
        }
    }

    public func finish(emit: (ByteBuffer) throws -> Void) throws {
        try lifecycle.finish {
            // An empty body is accepted as empty content: origins send `Content-Encoding: br` on empty
            // responses, and failing them would turn a harmless quirk into an error page.
            guard streamEnded || !sawInput else { throw CompressionError.truncatedInput(.brotli) }
        }
    }

    private func decode(_ input: ByteBuffer, emit: (ByteBuffer) throws -> Void) throws {
        let state = self.state
        try withInputBytes(input) { base, count in
            var availableIn = count
            var nextIn: UnsafePointer<UInt8>? = base
            try pump.run(expectedOutput: count * 4 + 256, emit: emit) { space in
                let usable = cap.usable(space.count)
                var availableOut = usable
                var nextOut = space.baseAddress?.assumingMemoryBound(to: UInt8.self)
                let result = BrotliDecoderDecompressStream(
                    state, &availableIn, &nextIn, &availableOut, &nextOut, nil
                )
                let written = usable - availableOut
                try cap.record(written)
                switch result {
                case BROTLI_DECODER_RESULT_SUCCESS:
                    streamEnded = true
                    if availableIn > 0 { throw CompressionError.trailingData(.brotli) }
                    return (written, true)
                case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT:
                    return (written, true)
                case BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT:
                    return (written, false)
                default:
                    let code = BrotliDecoderGetErrorCode(state)
                    let detail = BrotliDecoderErrorString(code).map { String(cString: $0) } ?? "error \(code)"
                    throw CompressionError.corruptInput(.brotli, detail: detail)
                }
            }
        }
    }
}
