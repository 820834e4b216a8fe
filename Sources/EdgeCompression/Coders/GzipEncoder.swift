import CZlib
import NIOCore

/// Streaming gzip (RFC 1952: header, deflate data, CRC-32 and length trailer) through the system zlib.
///
/// zlib is used directly rather than through compress-nio 1.5.0: that package's stream decoder does not
/// report the end of a gzip member, so it cannot tell a cut-off body from a complete one. Not `Sendable`.
public final class GzipEncoder: StreamingEncoder {
    /// zlib levels that compress (0 would only store).
    public static let levelRange = 1...9
    public static let defaultLevel = 6

    public let coding = ContentCoding.gzip
    public let level: Int
    private let stream: ZlibStream
    private let pump: OutputPump
    private var lifecycle = CoderLifecycle()

    /// - Parameters:
    ///   - level: 1 (fastest) ... 9 (smallest).
    ///   - outputChunkSize: the largest output piece handed to `emit`.
    public init(
        level: Int = GzipEncoder.defaultLevel,
        outputChunkSize: Int = 64 * 1024,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) throws {
        guard Self.levelRange.contains(level) else {
            throw CompressionError.invalidParameter("gzip level must be 1...9, got \(level)")
        }
        self.pump = try OutputPump(chunkSize: outputChunkSize, allocator: allocator)
        self.stream = try ZlibStream.deflating(level: level, memoryLevel: 8)
        self.level = level
    }

    public func process(_ input: ByteBuffer, flush: Bool, emit: (ByteBuffer) throws -> Void) throws {
        try lifecycle.process { try run(input, mode: flush ? Z_SYNC_FLUSH : Z_NO_FLUSH, emit: emit) }
    }

    public func finish(emit: (ByteBuffer) throws -> Void) throws {
        try lifecycle.finish { try run(ByteBuffer(), mode: Z_FINISH, emit: emit) }
    }

    private func run(_ input: ByteBuffer, mode: Int32, emit: (ByteBuffer) throws -> Void) throws {
        let z = stream.pointer
        try withInputBytes(input) { base, count in
            // ByteBuffer is limited to UInt32 capacity, so a readable region always fits avail_in.
            z.pointee.next_in = UnsafeMutablePointer(mutating: base)
            z.pointee.avail_in = UInt32(truncatingIfNeeded: count)
            defer {
                z.pointee.next_in = nil
                z.pointee.next_out = nil
            }
            try pump.run(expectedOutput: count / 2 + 128, emit: emit) { space in
                z.pointee.next_out = space.baseAddress?.assumingMemoryBound(to: UInt8.self)
                z.pointee.avail_out = UInt32(truncatingIfNeeded: space.count)
                let result = deflate(z, mode)
                let written = space.count - Int(z.pointee.avail_out)
                switch result {
                case Z_STREAM_END:
                    return (written, true)
                case Z_OK:
                    // Finishing goes on until Z_STREAM_END; otherwise done once all input is taken and
                    // the output was not filled (a full output may mean more is pending).
                    if mode == Z_FINISH { return (written, false) }
                    return (written, z.pointee.avail_in == 0 && z.pointee.avail_out > 0)
                case Z_BUF_ERROR where z.pointee.avail_in == 0 && mode != Z_FINISH:
                    return (written, true)  // nothing left to do: zlib's "no progress possible"
                default:
                    throw CompressionError.internalError(
                        .gzip, detail: "deflate returned \(result)\(stream.message.map { ": " + $0 } ?? "")"
                    )
                }
            }
        }
    }
}
