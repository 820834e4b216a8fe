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
        /// After a spill failure: chunks every reader has passed are let go and the writer waits for the slowest
        /// reader beyond the window (`holdWithinWindow`), so memory stays bounded without a file.
        var passThrough = false
        /// A chunk was let go that is in no file: a new reader could not start at byte 0 (`joinableReader`).
        var droppedUnbacked = false
        /// Chunks before this index have been looked at by `dropRead`.
        var firstHeld = 0
        /// Each live reader's next chunk index, by reader id.
        var cursors: [Int: Int] = [:]
        var nextCursor = 0
        /// The writer, waiting in `holdWithinWindow` for a reader to move.
        var writerWaiter: CheckedContinuation<Bool, Never>?
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
        if state.withLock({ $0.passThrough }) {
            await holdWithinWindow(spill.window)
            return
        }
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
            // From here on the body is passed through, not stored: memory stays within the window because the
            // writer waits for the slowest reader, and no new reader joins once the start is let go.
            let first = state.withLock { state -> Bool in
                defer { state.spillFailed = true; state.passThrough = true }
                return !state.spillFailed
            }
            if first {
                spill.onFault?(error as? DiskTierError
                               ?? DiskTierError(kind: .other, operation: "write", path: spill.directory + "/edge-fill-*"))
            }
            await holdWithinWindow(spill.window)
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

    /// Pass-through (after a spill failure): lets go of the chunks every reader has passed and, while more than
    /// `window` bytes are still held, waits for a reader to move on (or leave). A reader that stops reading thus
    /// stops the fill, which is the price of bounded memory without a file; its client's idle timeout ends it.
    private func holdWithinWindow(_ window: Int) async {
        while true {
            let done = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    Self.dropRead(&state)
                    if state.memoryBytes <= window || state.failure != nil || state.finished { return true }
                    state.writerWaiter = continuation
                    return false
                }
                if resumeNow { continuation.resume(returning: true) }
            }
            if done { return }
        }
    }

    /// Lets go of the chunks before the slowest reader's position (all of them when no reader is left).
    private static func dropRead(_ state: inout State) {
        let upTo = state.cursors.values.min() ?? state.chunks.count
        guard upTo > state.firstHeld else { return }
        for index in state.firstHeld..<upTo {
            guard let chunk = state.chunks[index] else { continue }
            state.chunks[index] = nil
            state.memoryBytes -= chunk.readableBytes
            if state.spillFile == nil || index >= state.spilledCount { state.droppedUnbacked = true }
        }
        state.firstHeld = upTo
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
    public func makeReader() -> Reader {
        let id = state.withLock { state -> Int in
            defer { state.nextCursor += 1 }
            state.cursors[state.nextCursor] = 0
            return state.nextCursor
        }
        return Reader(body: self, cursor: Cursor(body: self, id: id))
    }

    /// A reader from byte 0, or nil when the body can no longer give one: a pass-through body (its spill failed)
    /// has let go of its start. A coalesced request then fetches on its own.
    public func joinableReader() -> Reader? {
        state.withLock { $0.droppedUnbacked } ? nil : makeReader()
    }

    /// Whether chunks that are in no file have been let go (see `joinableReader`).
    public var isPassingThrough: Bool { state.withLock { $0.passThrough } }

    /// A reader's registration: its position holds back `dropRead`; it leaves when the last copy of the reader
    /// is gone (a client that disconnected), so an abandoned reader never stops the writer.
    final class Cursor: Sendable {
        let body: SharedBody
        let id: Int

        init(body: SharedBody, id: Int) {
            self.body = body
            self.id = id
        }

        deinit { body.leave(id) }
    }

    fileprivate func leave(_ id: Int) {
        let writer = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            state.cursors[id] = nil
            defer { state.writerWaiter = nil }
            return state.writerWaiter
        }
        writer?.resume(returning: false)
    }

    fileprivate enum Step {
        case chunk(ByteBuffer)
        /// The chunk is only in the spill file now.
        case inFile(SpillFile, offset: Int, count: Int)
        case end
        case failed(any Error)
        case wait
    }

    fileprivate func step(at index: Int, cursor: Int) -> Step {
        let (step, writer) = state.withLock { state -> (Step, CheckedContinuation<Bool, Never>?) in
            var writer: CheckedContinuation<Bool, Never>?
            if let previous = state.cursors[cursor], previous != index {
                state.cursors[cursor] = index
                writer = state.writerWaiter
                state.writerWaiter = nil
            }
            return (Self.step(at: index, in: state), writer)
        }
        writer?.resume(returning: false)
        return step
    }

    private static func step(at index: Int, in state: State) -> Step {
        if index < state.chunks.count {
            if let chunk = state.chunks[index] { return .chunk(chunk) }
            if let file = state.spillFile, index < state.spilledCount {
                let end = index + 1 < state.offsets.count ? state.offsets[index + 1] : state.byteCount
                return .inFile(file, offset: state.offsets[index], count: end - state.offsets[index])
            }
            // Let go in pass-through and in no file: only a reader made after that could ask (`joinableReader`
            // keeps coalesced requests from doing so); it gets an error rather than a body with a hole.
            return .failed(LetGo())
        }
        if let failure = state.failure { return .failed(failure) }
        if state.finished { return .end }
        return .wait
    }

    /// The error of a reader that asked for a chunk a pass-through body had already let go.
    public struct LetGo: Error, CustomStringConvertible {
        public var description: String { "the shared body let go of this part (its spill to disk failed)" }
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
        let cursor: Cursor
        var index = 0

        init(body: SharedBody, cursor: Cursor) {
            self.body = body
            self.cursor = cursor
        }

        public mutating func next() async throws -> ByteBuffer? {
            while true {
                switch body.step(at: index, cursor: cursor.id) {
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
