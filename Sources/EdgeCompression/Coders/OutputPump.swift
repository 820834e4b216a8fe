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

/// Where a coder is in its stream, and the rules every coder follows around its native state: nothing is
/// processed after `finish`, and a failure is final (the native state may be half-updated, so it is never
/// touched again).
struct CoderLifecycle {
    private enum State {
        case open
        case finished
        case failed
    }

    private var state = State.open

    /// Runs one `process` step. Throws ``CompressionError/alreadyFinished`` or
    /// ``CompressionError/streamFailed`` instead when the stream is over; a step that throws fails the stream.
    mutating func process(_ step: () throws -> Void) throws {
        switch state {
        case .open: break
        case .finished: throw CompressionError.alreadyFinished
        case .failed: throw CompressionError.streamFailed
        }
        try run(step)
    }

    /// Runs the `finish` step once: again after success it does nothing; after a failure it throws
    /// ``CompressionError/streamFailed``.
    mutating func finish(_ step: () throws -> Void) throws {
        switch state {
        case .open: break
        case .finished: return
        case .failed: throw CompressionError.streamFailed
        }
        try run(step)
        state = .finished
    }

    private mutating func run(_ step: () throws -> Void) throws {
        do {
            try step()
        } catch {
            state = .failed
            throw error
        }
    }
}

/// A decoder's cap on the total bytes it produces, which is what makes a decompression bomb harmless.
struct OutputCap {
    /// The cap, or `nil` for none.
    let limit: Int?
    private(set) var produced = 0

    init(_ limit: Int?) throws {
        if let limit, limit < 0 {
            throw CompressionError.invalidParameter("maximum output must be >= 0, got \(limit)")
        }
        self.limit = limit
    }

    /// How much of an output space of `available` bytes to offer the library: one byte past the cap is enough
    /// to know the cap is exceeded, and no more is produced.
    func usable(_ available: Int) -> Int {
        limit.map { min(available, $0 - produced + 1) } ?? available
    }

    /// Counts `written` bytes; throws ``CompressionError/outputLimitExceeded(limit:)`` past the cap.
    mutating func record(_ written: Int) throws {
        produced += written
        if let limit, produced > limit {
            throw CompressionError.outputLimitExceeded(limit: limit)
        }
    }
}
