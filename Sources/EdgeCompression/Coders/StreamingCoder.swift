import NIOCore

/// A compressor fed a body piece by piece.
///
/// Memory stays bounded whatever the body size: output is produced in pieces of at most the coder's
/// `outputChunkSize`, and each call holds only the input it was given plus the library's window.
///
/// Implementations are final classes that own native state (freed in `deinit`). They are not `Sendable`:
/// use one from a single task or event loop, as a response body is. `mutating` lets a value type conform.
public protocol StreamingEncoder {
    var coding: ContentCoding { get }

    /// Compresses `input`, handing each finished output piece to `emit` (possibly none: encoders buffer).
    /// With `flush`, everything given so far is made decodable before returning
    /// (BROTLI_OPERATION_FLUSH / Z_SYNC_FLUSH), so a client can render the start of a page while the rest
    /// is still coming from upstream; it costs a few bytes, so flush when upstream pauses, not per byte.
    mutating func process(_ input: ByteBuffer, flush: Bool, emit: (ByteBuffer) throws -> Void) throws

    /// Ends the stream (trailer, checksum) and emits the remaining output. Calling it again does nothing;
    /// `process` after it throws ``CompressionError/alreadyFinished``.
    mutating func finish(emit: (ByteBuffer) throws -> Void) throws
}

/// A decompressor fed a body piece by piece.
///
/// Output is emitted in pieces of at most `outputChunkSize`; with `maxOutputBytes` set, a decoder never
/// produces more than that many bytes in total (it stops one byte past the cap and throws
/// ``CompressionError/outputLimitExceeded(limit:)``), which is what makes a decompression bomb harmless.
public protocol StreamingDecoder {
    var coding: ContentCoding { get }
    /// Bytes decoded so far.
    var outputByteCount: Int { get }

    mutating func process(_ input: ByteBuffer, emit: (ByteBuffer) throws -> Void) throws

    /// Checks that the compressed stream was complete (throws ``CompressionError/truncatedInput(_:)``
    /// otherwise). Decoders emit everything during `process`, so nothing is usually emitted here.
    mutating func finish(emit: (ByteBuffer) throws -> Void) throws
}

extension StreamingEncoder {
    /// Compresses `input` without flushing; returns the output produced so far, often empty.
    public mutating func process(_ input: ByteBuffer) throws -> ByteBuffer {
        try process(input, flush: false)
    }

    /// Compresses `input`; returns the output produced (all of it made decodable when `flush`).
    public mutating func process(_ input: ByteBuffer, flush: Bool) throws -> ByteBuffer {
        var collector = OutputCollector()
        try process(input, flush: flush) { collector.append($0) }
        return collector.buffer
    }

    /// Ends the stream; returns the last output.
    public mutating func finish() throws -> ByteBuffer {
        var collector = OutputCollector()
        try finish { collector.append($0) }
        return collector.buffer
    }
}

extension StreamingDecoder {
    /// Decodes `input`; returns the output produced (possibly empty while headers are still arriving).
    public mutating func process(_ input: ByteBuffer) throws -> ByteBuffer {
        var collector = OutputCollector()
        try process(input) { collector.append($0) }
        return collector.buffer
    }

    /// Checks the stream was complete; returns any last output (normally empty).
    public mutating func finish() throws -> ByteBuffer {
        var collector = OutputCollector()
        try finish { collector.append($0) }
        return collector.buffer
    }
}

/// Joins emitted pieces into one buffer, keeping the first piece as is (the common single-piece case
/// costs no copy).
struct OutputCollector {
    private(set) var buffer = ByteBuffer()

    mutating func append(_ piece: ByteBuffer) {
        if buffer.readableBytes == 0 {
            buffer = piece
        } else {
            buffer.writeImmutableBuffer(piece)
        }
    }
}
