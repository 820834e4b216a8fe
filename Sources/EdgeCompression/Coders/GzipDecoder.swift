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
    public let maxOutputBytes: Int?
    public private(set) var outputByteCount = 0
    private let stream: ZlibStream
    private let pump: OutputPump
    private var lifecycle = CoderState.open
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
        if let maxOutputBytes, maxOutputBytes < 0 {
            throw CompressionError.invalidParameter("maximum output must be >= 0, got \(maxOutputBytes)")
        }
        self.pump = try OutputPump(chunkSize: outputChunkSize, allocator: allocator)
        self.stream = try ZlibStream.inflating()
        self.maxOutputBytes = maxOutputBytes
    }

    public func process(_ input: ByteBuffer, emit: (ByteBuffer) throws -> Void) throws {
        switch lifecycle {
        case .open: break
        case .finished: throw CompressionError.alreadyFinished
        case .failed: throw CompressionError.streamFailed
        }
        guard input.readableBytes > 0 else { return }
        sawInput = true
        do {
            try decode(input, emit: emit)
        } catch {
            lifecycle = .failed
            throw error
        }
    }

    public func finish(emit: (ByteBuffer) throws -> Void) throws {
        switch lifecycle {
        case .open: break
        case .finished: return
        case .failed: throw CompressionError.streamFailed
        }
        // An empty body is accepted as empty content (see BrotliDecoder.finish).
        guard memberEnded || !sawInput else {
            lifecycle = .failed
            throw CompressionError.truncatedInput(.gzip)
        }
        lifecycle = .finished
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
                // One byte past the cap is enough to know the cap is exceeded, and no more is produced.
                let usable = maxOutputBytes.map { min(space.count, $0 - outputByteCount + 1) } ?? space.count
                z.pointee.next_out = space.baseAddress?.assumingMemoryBound(to: UInt8.self)
                z.pointee.avail_out = UInt32(truncatingIfNeeded: usable)
                let result = inflate(z, Z_NO_FLUSH)
                let written = usable - Int(z.pointee.avail_out)
                outputByteCount += written
                if let maxOutputBytes, outputByteCount > maxOutputBytes {
                    throw CompressionError.outputLimitExceeded(limit: maxOutputBytes)
                }
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
