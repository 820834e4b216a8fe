import NIOCore
import Synchronization

/// One upstream response body between the connection that reads it and the task that consumes it.
///
/// Confined to the connection's event loop: every method runs there, so nothing is locked. The connection
/// appends what it decodes; the consumer takes buffers out. Reads from the socket are issued only while less
/// than `highWatermark` is buffered (the channel's autoRead is off), so a slow consumer slows the upstream read
/// and at most one socket read beyond the high watermark is ever held here. (When the upstream closes the
/// connection, NIO drains what the kernel still holds to find the end of the stream: at most one socket
/// receive buffer more, once.)
final class UpstreamBodyStream: @unchecked Sendable {
    /// Above this many buffered bytes the connection stops reading from the socket.
    static let highWatermark = 256 << 10
    /// Once the consumer has drained the buffer to this many bytes, reading resumes.
    static let lowWatermark = 64 << 10

    enum Outcome {
        case finished
        case failed(UpstreamError)
    }

    let eventLoop: any EventLoop
    private var chunks = CircularBuffer<ByteBuffer>(initialCapacity: 4)
    private(set) var bufferedBytes = 0
    /// The most ever buffered at once, for tests of back-pressure.
    private(set) var peakBufferedBytes = 0
    private var outcome: Outcome?
    private var waiter: UnsafeContinuation<Result<ByteBuffer?, UpstreamError>, Never>?
    /// The connection still reading this body; `nil` once it ended, failed or was abandoned.
    var source: HTTP1UpstreamConnection?

    init(eventLoop: any EventLoop, source: HTTP1UpstreamConnection) {
        self.eventLoop = eventLoop
        self.source = source
    }

    // MARK: Producer (the connection)

    var wantsMore: Bool { bufferedBytes < Self.highWatermark }

    func append(_ buffer: ByteBuffer) {
        if let waiter {
            self.waiter = nil
            waiter.resume(returning: .success(buffer))
            return
        }
        chunks.append(buffer)
        bufferedBytes += buffer.readableBytes
        if bufferedBytes > peakBufferedBytes {
            peakBufferedBytes = bufferedBytes
            #if DEBUG
            Self.recordPeak(bufferedBytes)
            #endif
        }
    }

    #if DEBUG
    /// The most any body stream of this process has buffered, for the back-pressure test (debug builds only:
    /// release builds keep the hot path free of shared atomics).
    static let peakBufferedBytesObserved = Atomic<Int>(0)

    private static func recordPeak(_ bytes: Int) {
        var current = peakBufferedBytesObserved.load(ordering: .relaxed)
        while bytes > current {
            let (exchanged, original) = peakBufferedBytesObserved.compareExchange(
                expected: current, desired: bytes, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }
    #endif

    func finish() {
        source = nil
        outcome = .finished
        if let waiter {
            self.waiter = nil
            waiter.resume(returning: .success(nil))
        }
    }

    /// The body broke off: what is buffered is dropped, since the consumer cannot use a partial body anyway.
    func fail(_ error: UpstreamError) {
        source = nil
        outcome = .failed(error)
        chunks.removeAll()
        bufferedBytes = 0
        if let waiter {
            self.waiter = nil
            waiter.resume(returning: .failure(error))
        }
    }

    // MARK: Consumer

    /// The next buffer, the end (`.success(nil)`) or the failure, when one is ready; `nil` when the consumer
    /// must wait. Taking a buffer below the low watermark asks the connection for more.
    func poll() -> Result<ByteBuffer?, UpstreamError>? {
        if let chunk = chunks.popFirst() {
            bufferedBytes -= chunk.readableBytes
            if bufferedBytes <= Self.lowWatermark { source?.resumeReading() }
            return .success(chunk)
        }
        switch outcome {
        case .finished: return .success(nil)
        case .failed(let error): return .failure(error)
        case nil:
            source?.resumeReading()
            return nil
        }
    }

    func wait(_ continuation: UnsafeContinuation<Result<ByteBuffer?, UpstreamError>, Never>) {
        if let ready = poll() {
            continuation.resume(returning: ready)
        } else {
            waiter = continuation
        }
    }

    /// The consumer let go of the body before its end: the connection cannot be reused (the rest of the
    /// response would still arrive on it), so it is closed.
    func abandon() {
        chunks.removeAll()
        bufferedBytes = 0
        if let source {
            self.source = nil
            source.bodyAbandoned()
        }
    }
}

/// What an `UpstreamBody` holds: the consumer's end of one `UpstreamBodyStream`. When the last copy of the
/// body goes away (iterated to its end or dropped midway), the stream is told, so an unfinished body closes
/// its connection instead of leaving it half-read in the pool.
final class UpstreamBodyHandle: Sendable {
    let stream: UpstreamBodyStream
    private let iterated = Atomic<Bool>(false)

    init(stream: UpstreamBodyStream) {
        self.stream = stream
    }

    deinit {
        let stream = self.stream
        if stream.eventLoop.inEventLoop {
            stream.abandon()
        } else {
            stream.eventLoop.execute { stream.abandon() }
        }
    }

    /// The body as `UpstreamBody`; it can be iterated once (it is read from the socket as it is consumed).
    var body: UpstreamBody {
        UpstreamBody(makeNext: { [self] in
            guard !iterated.exchange(true, ordering: .relaxed) else {
                return { () throws(UpstreamError) -> ByteBuffer? in
                    throw UpstreamError(kind: .protocolError, upstream: "",
                                        message: "an upstream response body can be read only once")
                }
            }
            return { () async throws(UpstreamError) -> ByteBuffer? in try await self.next() }
        })
    }

    func next() async throws(UpstreamError) -> ByteBuffer? {
        let stream = self.stream
        // On the connection's loop (the proxy's request tasks run there) a buffered chunk is taken without a
        // suspension.
        if stream.eventLoop.inEventLoop, let ready = stream.poll() { return try ready.get() }
        let result = await withUnsafeContinuation { continuation in
            if stream.eventLoop.inEventLoop {
                stream.wait(continuation)
            } else {
                stream.eventLoop.execute { stream.wait(continuation) }
            }
        }
        return try result.get()
    }
}
