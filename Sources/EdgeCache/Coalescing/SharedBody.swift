import NIOCore
import Synchronization

/// A response body received once from upstream and read, as it arrives, by any number of clients.
///
/// This is what lets coalesced clients and the first client stream the same fetch (Varnish's busy object):
/// chunks are kept in order, each reader walks them at its own pace and waits for the next one when it has caught
/// up. The chunks are kept until the body is dropped, because the cache stores the whole object at the end.
public final class SharedBody: Sendable {
    private struct State {
        var chunks: [ByteBuffer] = []
        var byteCount = 0
        var finished = false
        var failure: (any Error)?
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Appends a chunk and wakes readers waiting for it.
    public func append(_ chunk: ByteBuffer) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.finished, state.failure == nil else { return [] }
            state.chunks.append(chunk)
            state.byteCount += chunk.readableBytes
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        waiters.forEach { $0.resume() }
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

    /// The whole body in one buffer, once finished without error.
    public func collected() -> ByteBuffer? {
        state.withLock { state -> ByteBuffer? in
            guard state.finished else { return nil }
            return Self.concatenate(state)
        }
    }

    /// Everything received so far in one buffer (nil after a failure). The fetch uses it to store the object
    /// *before* marking the body finished, so a client that has read the whole body always finds it cached.
    public func contents() -> ByteBuffer? {
        state.withLock { state -> ByteBuffer? in
            guard state.failure == nil else { return nil }
            return Self.concatenate(state)
        }
    }

    private static func concatenate(_ state: State) -> ByteBuffer {
        if state.chunks.count == 1 { return state.chunks[0] }
        var buffer = ByteBufferAllocator().buffer(capacity: state.byteCount)
        for var chunk in state.chunks { buffer.writeBuffer(&chunk) }
        return buffer
    }

    /// A reader that starts at the first byte.
    public func makeReader() -> Reader { Reader(body: self) }

    fileprivate enum Step {
        case chunk(ByteBuffer)
        case end
        case failed(any Error)
        case wait
    }

    fileprivate func step(at index: Int) -> Step {
        state.withLock { state in
            if index < state.chunks.count { return .chunk(state.chunks[index]) }
            if let failure = state.failure { return .failed(failure) }
            if state.finished { return .end }
            return .wait
        }
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
