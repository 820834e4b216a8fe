import NIOCore

/// The loop every coder runs: give the library an output window, let it write, hand full pieces on.
///
/// Output goes into a buffer that grows (doubling from a guess) up to `chunkSize` and is then emitted and
/// replaced, so one call never holds more than one piece of output, however much the input expands.
struct OutputPump {
    let chunkSize: Int
    let allocator: ByteBufferAllocator

    init(chunkSize: Int, allocator: ByteBufferAllocator) throws {
        guard chunkSize >= 64 else {
            throw CompressionError.invalidParameter("output chunk size must be >= 64 bytes, got \(chunkSize)")
        }
        self.chunkSize = chunkSize
        self.allocator = allocator
    }

    /// Calls `step` with output space until it reports `done`. `step` returns how many bytes it wrote
    /// at the start of the space it was given.
    func run(
        expectedOutput: Int,
        emit: (ByteBuffer) throws -> Void,
        step: (UnsafeMutableRawBufferPointer) throws -> (written: Int, done: Bool)
    ) throws {
        var output = allocator.buffer(capacity: min(chunkSize, max(64, expectedOutput)))
        while true {
            if output.readableBytes >= chunkSize {
                try emit(output)
                output = allocator.buffer(capacity: chunkSize)
            }
            let room = chunkSize - output.readableBytes
            let minimum = output.writableBytes > 0 ? 1 : min(room, max(output.readableBytes, 4096))
            var done = false
            try output.writeWithUnsafeMutableBytes(minimumWritableBytes: minimum) { space in
                let window = UnsafeMutableRawBufferPointer(rebasing: space.prefix(room))
                let result = try step(window)
                done = result.done
                return result.written
            }
            if done { break }
        }
        if output.readableBytes > 0 { try emit(output) }
    }
}

/// Runs `body` with a pointer to `input`'s readable bytes and their count. The pointer is never nil (an
/// empty input gets a dummy byte), because the C libraries reject a null `next_in` in some states.
func withInputBytes<Result>(
    _ input: ByteBuffer,
    _ body: (UnsafePointer<UInt8>, Int) throws -> Result
) throws -> Result {
    try input.withUnsafeReadableBytes { raw in
        if let base = raw.baseAddress, raw.count > 0 {
            return try body(base.assumingMemoryBound(to: UInt8.self), raw.count)
        }
        let placeholder: UInt8 = 0
        return try withUnsafePointer(to: placeholder) { try body($0, 0) }
    }
}

/// Where a coder is in its life: native state is only touched while `open`.
enum CoderState {
    case open
    case finished
    case failed
}
