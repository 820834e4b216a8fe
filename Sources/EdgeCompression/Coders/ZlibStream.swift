import CZlib

/// Owns a heap-allocated `z_stream`: zlib keeps pointers into it between calls, so it must never move,
/// which a Swift stored struct would not guarantee.
final class ZlibStream {
    let pointer: UnsafeMutablePointer<z_stream>
    private let isDeflate: Bool

    /// gzip framing (header + CRC-32/length trailer): zlib's window bits plus 16.
    static let gzipWindowBits: Int32 = 15 + 16

    private init(pointer: UnsafeMutablePointer<z_stream>, isDeflate: Bool) {
        self.pointer = pointer
        self.isDeflate = isDeflate
    }

    static func deflating(level: Int, memoryLevel: Int) throws -> ZlibStream {
        let pointer = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        pointer.initialize(to: z_stream())
        let result = edge_deflateInit2(pointer, Int32(level), gzipWindowBits, Int32(memoryLevel), Z_DEFAULT_STRATEGY)
        guard result == Z_OK else {
            pointer.deinitialize(count: 1)
            pointer.deallocate()
            throw initError(result)
        }
        return ZlibStream(pointer: pointer, isDeflate: true)
    }

    static func inflating() throws -> ZlibStream {
        let pointer = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        pointer.initialize(to: z_stream())
        let result = edge_inflateInit2(pointer, gzipWindowBits)
        guard result == Z_OK else {
            pointer.deinitialize(count: 1)
            pointer.deallocate()
            throw initError(result)
        }
        return ZlibStream(pointer: pointer, isDeflate: false)
    }

    deinit {
        if isDeflate { deflateEnd(pointer) } else { inflateEnd(pointer) }
        pointer.deinitialize(count: 1)
        pointer.deallocate()
    }

    /// zlib's message for the last error, if it set one.
    var message: String? { pointer.pointee.msg.map { String(cString: $0) } }

    private static func initError(_ code: Int32) -> CompressionError {
        code == Z_MEM_ERROR
            ? .outOfMemory(.gzip)
            : .internalError(.gzip, detail: "zlib init returned \(code)")
    }
}
