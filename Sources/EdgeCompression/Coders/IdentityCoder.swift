import NIOCore

/// The `identity` coding as a coder: bytes pass through unchanged. It lets the proxy drive every body
/// through the same encoder/decoder path whatever was negotiated.
public struct IdentityCoder: StreamingEncoder, StreamingDecoder {
    public let coding = ContentCoding.identity
    /// The cap on total bytes passed through, or `nil` for none (the same guard the real decoders offer).
    public let maxOutputBytes: Int?
    public private(set) var outputByteCount = 0

    public init(maxOutputBytes: Int? = nil) {
        self.maxOutputBytes = maxOutputBytes
    }

    public mutating func process(_ input: ByteBuffer, flush: Bool, emit: (ByteBuffer) throws -> Void) throws {
        try process(input, emit: emit)
    }

    public mutating func process(_ input: ByteBuffer, emit: (ByteBuffer) throws -> Void) throws {
        guard input.readableBytes > 0 else { return }
        outputByteCount += input.readableBytes
        if let maxOutputBytes, outputByteCount > maxOutputBytes {
            throw CompressionError.outputLimitExceeded(limit: maxOutputBytes)
        }
        try emit(input)
    }

    public mutating func finish(emit: (ByteBuffer) throws -> Void) throws {}
}
