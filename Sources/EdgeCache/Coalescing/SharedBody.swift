import NIOCore
import Synchronization

/// A response body received once from upstream and read, as it arrives, by any number of clients.
///
/// This is what lets coalesced clients and the first client stream the same fetch (Varnish's busy object):
/// chunks are kept in order, each reader walks them at its own pace and waits for the next one when it has caught
/// up. The chunks are kept until the body is dropped, because the cache stores the whole object at the end.
///
/// With a `BodySpill`, a body that grows past `spill.above` goes to an unlinked temporary file as it arrives
/// (ATS's read-while-writer, Varnish's streaming object): only the last `spill.window` bytes stay in memory,
/// readers behind them (slow clients, late joiners) read from the file, and the finished file is the body the
/// cache stores (`spilledBody`). The writer waits for each write, so a full disk slows the fill rather than
/// letting memory grow; if the file cannot be made or written, the rest of the body stays in memory and the
/// object is not stored.
public final class SharedBody: Sendable {
    private struct State {
        /// nil: only in the spill file (behind the window).
        var chunks: [ByteBuffer?] = []
        /// Each chunk's first byte's offset in the body.
        var offsets: [Int] = []
        var byteCount = 0
        var finished = false
        var failure: (any Error)?
        var waiters: [CheckedContinuation<Void, Never>] = []
        var spillFile: SpillFile?
        /// Chunks `0..<spilledCount` are in the file.
        var spilledCount = 0
        /// Bytes of the chunks still held in memory.
        var memoryBytes = 0
        var spillFailed = false
    }

    private let state = Mutex(State())
    private let spill: BodySpill?

    public init(spill: BodySpill? = nil) {
        self.spill = spill
    }

    /// Appends a chunk and wakes readers waiting for it.
    public func append(_ chunk: ByteBuffer) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.finished, state.failure == nil else { return [] }
            Self.add(chunk, to: &state)
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        waiters.forEach { $0.resume() }
    }

    /// Appends a chunk as `append` does and, past the spill threshold, writes what is not yet in the spill file
    /// before returning (so the caller, the fill's pump, reads upstream no faster than the disk takes it), then
    /// lets go of chunks behind the window.
    public func appendSpilling(_ chunk: ByteBuffer) async {
        append(chunk)
        guard let spill else { return }
        let pending = state.withLock { state -> (SpillFile?, [(Int, ByteBuffer)], Int)? in
            guard !state.spillFailed, state.failure == nil,
                  state.spillFile != nil || state.byteCount > spill.above else { return nil }
            let pending = (state.spilledCount..<state.chunks.count).compactMap { index in
                state.chunks[index].map { (state.offsets[index], $0) }
            }
            return (state.spillFile, pending, state.chunks.count)
        }
        guard let (existing, writes, upTo) = pending else { return }
        var file = existing
        do {
            if file == nil {
                let made = try await Self.makeFile(spill)
                state.withLock { $0.spillFile = made }
                file = made
            }
            guard let file else { return }
            for (offset, buffer) in writes {
                _ = try await spill.offload { try file.write(buffer, at: offset); return ByteBuffer() }
            }
        } catch {
            // Memory keeps the rest; the object will not be stored (see `spilledBody`).
            let first = state.withLock { state -> Bool in
                defer { state.spillFailed = true }
                return !state.spillFailed
            }
            if first {
                spill.onFault?(error as? DiskTierError
                               ?? DiskTierError(kind: .other, operation: "write", path: spill.directory + "/edge-fill-*"))
            }
            return
        }
        state.withLock { state in
            state.spilledCount = max(state.spilledCount, upTo)
            var index = 0
            while state.memoryBytes > spill.window, index < state.spilledCount {
                if let dropped = state.chunks[index] {
                    state.chunks[index] = nil
                    state.memoryBytes -= dropped.readableBytes
                }
                index += 1
            }
        }
    }

    private static func makeFile(_ spill: BodySpill) async throws -> SpillFile {
        let made = Mutex<SpillFile?>(nil)
        _ = try await spill.offload {
            let file = try SpillFile.create(in: spill.directory)
            made.withLock { $0 = file }
            return ByteBuffer()
        }
        guard let file = made.withLock({ $0 }) else { throw DiskTierError(kind: .other, operation: "create",
                                                                          path: spill.directory) }
        return file
    }

    private static func add(_ chunk: ByteBuffer, to state: inout State) {
        state.offsets.append(state.byteCount)
        state.chunks.append(chunk)
        state.byteCount += chunk.readableBytes
        state.memoryBytes += chunk.readableBytes
    }

    /// Marks the body complete.
    public func finish() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard state.failure == nil else { return [] }
            state.finished = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        waiters.forEach { $0.resume() }
    }

    /// Ends the body with an error: readers that have not reached the end get it (their client's response is cut
    /// short, which a client detects from the Content-Length or the missing last chunk).
    public func fail(_ error: any Error) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.finished, state.failure == nil else { return [] }
            state.failure = error
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        waiters.forEach { $0.resume() }
    }

    public var receivedBytes: Int { state.withLock { $0.byteCount } }
    public var isFinished: Bool { state.withLock { $0.finished } }
    /// Bytes of the body held in memory now (all of it, unless it spilled).
    public var bytesInMemory: Int { state.withLock { $0.memoryBytes } }
    /// Whether the body went to a spill file.
    public var hasSpilled: Bool { state.withLock { $0.spillFile != nil && !$0.spillFailed } }

    /// The whole body in one buffer, once finished without error (nil for a spilled body: see `spilledBody`).
    public func collected() -> ByteBuffer? {
        state.withLock { state -> ByteBuffer? in
            guard state.finished else { return nil }
            return Self.concatenate(state)
        }
    }

    /// Everything received so far in one buffer (nil after a failure, and for a body that spilled, which is not
    /// in memory: see `spilledBody`). The fetch uses it to store the object *before* marking the body finished,
    /// so a client that has read the whole body always finds it cached.
    public func contents() -> ByteBuffer? {
        state.withLock { state -> ByteBuffer? in
            guard state.failure == nil, state.spillFile == nil else { return nil }
            return Self.concatenate(state)
        }
    }

    /// The body received so far as its spill file, to store it without reading it into memory; nil unless the
    /// body spilled and every byte reached the file.
    public func spilledBody(storageKey: String) -> FileBody? {
        state.withLock { state -> FileBody? in
            guard state.failure == nil, !state.spillFailed, let file = state.spillFile,
                  state.spilledCount == state.chunks.count else { return nil }
            return file.body(length: state.byteCount, storageKey: storageKey)
        }
    }

    private static func concatenate(_ state: State) -> ByteBuffer? {
        if state.chunks.count == 1, let only = state.chunks[0] { return only }
        var buffer = ByteBufferAllocator().buffer(capacity: state.byteCount)
        for chunk in state.chunks {
            guard var chunk else { return nil }
            buffer.writeBuffer(&chunk)
        }
        return buffer
    }

    /// A reader that starts at the first byte.
    public func makeReader() -> Reader { Reader(body: self) }

    fileprivate enum Step {
        case chunk(ByteBuffer)
        /// The chunk is only in the spill file now.
        case inFile(SpillFile, offset: Int, count: Int)
        case end
        case failed(any Error)
        case wait
    }

    fileprivate func step(at index: Int) -> Step {
        state.withLock { state in
            if index < state.chunks.count {
                if let chunk = state.chunks[index] { return .chunk(chunk) }
                if let file = state.spillFile {
                    let end = index + 1 < state.offsets.count ? state.offsets[index + 1] : state.byteCount
                    return .inFile(file, offset: state.offsets[index], count: end - state.offsets[index])
                }
            }
            if let failure = state.failure { return .failed(failure) }
            if state.finished { return .end }
            return .wait
        }
    }

    /// Reads a chunk back from the spill file, off the event loop.
    fileprivate func readBack(_ file: SpillFile, offset: Int, count: Int) async throws -> ByteBuffer {
        guard let spill else { throw DiskTierError(kind: .other, operation: "read", path: "edge-fill") }
        return try await spill.offload { try file.read(at: offset, count: count) }
    }

    /// Waits until there is something new after `index`: registers under the lock, so a chunk appended between
    /// the check and the registration is never missed.
    fileprivate func waitForChange(after index: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                if index < state.chunks.count || state.finished || state.failure != nil { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Reads a shared body from the start; an async sequence of chunks.
    public struct Reader: AsyncSequence, AsyncIteratorProtocol, Sendable {
        public typealias Element = ByteBuffer
        let body: SharedBody
        var index = 0

        init(body: SharedBody) { self.body = body }

        public mutating func next() async throws -> ByteBuffer? {
            while true {
                switch body.step(at: index) {
                case .chunk(let chunk):
                    index += 1
                    return chunk
                case .inFile(let file, let offset, let count):
                    let chunk = try await body.readBack(file, offset: offset, count: count)
                    index += 1
                    return chunk
                case .end:
                    return nil
                case .failed(let error):
                    throw error
                case .wait:
                    await body.waitForChange(after: index)
                }
            }
        }

        public func makeAsyncIterator() -> Reader { self }
    }
}
