import CZlib
import NIOCore

/// Streaming gzip decompression through the system zlib, with the gzip trailer (CRC-32 and length)
/// checked, so corruption and truncation are both detected.
///
/// Several concatenated gzip members decode to the concatenation of their contents, as RFC 1952 and the
/// `gzip` tool specify. Anything else after a member is ``CompressionError/trailingData(_:)``.
/// Not `Sendable` (one body, one task).
public final class GzipDecoder: StreamingDecoder {
    public let coding = ContentCoding.gzip
    /// The cap on total decoded bytes, or `nil` for none.
    public var maxOutputBytes: Int? { cap.limit }
    public var outputByteCount: Int { cap.produced }
    private var cap: OutputCap
    private let stream: ZlibStream
    private let pump: OutputPump
    private var lifecycle = CoderLifecycle()
    /// True between the end of a member and the first byte of the next one.
    private var memberEnded = false
    private var sawInput = false

    /// - Parameters:
    ///   - maxOutputBytes: total decoded bytes allowed; pass the largest body you are willing to hold.
    ///   - outputChunkSize: the largest output piece handed to `emit`.
    public init(
        maxOutputBytes: Int? = nil,
        outputChunkSize: Int = 64 * 1024,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) throws {
        self.cap = try OutputCap(maxOutputBytes)
        self.pump = try OutputPump(chunkSize: outputChunkSize, allocator: allocator)
        self.stream = try ZlibStream.inflating()
    }

    public func process(_ input: ByteBuffer, emit: (ByteBuffer) throws -> Void) throws {
        try lifecycle.process {
            guard input.readableBytes > 0 else { return }
            sawInput = true
            try decode(input, emit: emit)
        }
    }

    public func finish(emit: (ByteBuffer) throws -> Void) throws {
        try lifecycle.finish {
            // An empty body is accepted as empty content (see BrotliDecoder.finish).
            guard memberEnded || !sawInput else { throw CompressionError.truncatedInput(.gzip) }
        }
    }

    private func decode(_ input: ByteBuffer, emit: (ByteBuffer) throws -> Void) throws {
        let z = stream.pointer
        try withInputBytes(input) { base, count in
            z.pointee.next_in = UnsafeMutablePointer(mutating: base)
            z.pointee.avail_in = UInt32(truncatingIfNeeded: count)
            defer {
                z.pointee.next_in = nil
                z.pointee.next_out = nil
            }
            try pump.run(expectedOutput: count * 4 + 256, emit: emit) { space in
                if memberEnded {
                    guard z.pointee.avail_in > 0 else { return (0, true) }
                    guard let next = z.pointee.next_in, next.pointee == 0x1f else {
                        throw CompressionError.trailingData(.gzip)
                    }
                    guard inflateReset(z) == Z_OK else {
                        throw CompressionError.internalError(.gzip, detail: "inflateReset failed")
                    }
                    memberEnded = false
                }
                let usable = cap.usable(space.count)
                z.pointee.next_out = space.baseAddress?.assumingMemoryBound(to: UInt8.self)
                z.pointee.avail_out = UInt32(truncatingIfNeeded: usable)
                let result = inflate(z, Z_NO_FLUSH)
                let written = usable - Int(z.pointee.avail_out)
                try cap.record(written)
                switch result {
                case Z_STREAM_END:
                    memberEnded = true
                    return (written, z.pointee.avail_in == 0)
                case Z_OK:
                    return (written, z.pointee.avail_in == 0 && z.pointee.avail_out > 0)
                case Z_BUF_ERROR where z.pointee.avail_in == 0:
                    return (written, true)  // needs more input
                case Z_DATA_ERROR, Z_NEED_DICT:
                    throw CompressionError.corruptInput(.gzip, detail: stream.message ?? "invalid deflate data")
                case Z_MEM_ERROR:
                    throw CompressionError.outOfMemory(.gzip)
                default:
                    throw CompressionError.internalError(
                        .gzip, detail: "inflate returned \(result)\(stream.message.map { ": " + $0 } ?? "")"
                    )
                }
            }
        }
    }
}
