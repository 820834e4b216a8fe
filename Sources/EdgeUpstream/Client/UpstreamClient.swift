import Logging
import Synchronization
import NIOCore
import NIOHTTP1
import NIOPosix

/// Timeouts for upstream requests, in seconds.
public struct UpstreamTimeouts: Sendable, Equatable {
    /// To establish a TCP connection.
    public var connect: Double
    /// From sending the request to receiving the response head.
    public var firstByte: Double
    /// Longest silence allowed between body bytes.
    public var idle: Double

    public init(connect: Double = 2, firstByte: Double = 10, idle: Double = 30) {
        self.connect = connect
        self.firstByte = firstByte
        self.idle = idle
    }
}

/// The proxy's HTTP/1.1 client for upstreams, on SwiftNIO, with keep-alive connections pooled per event loop
/// and per upstream.
///
/// A request uses the pool of the event loop it runs on (the server runs request tasks on their client
/// connection's loop), so a miss never changes threads; from elsewhere (health probes) it uses `group.next()`'s.
/// Per request there is no URL string, no task and no lock: the request head is built once from
/// `UpstreamRequest`, the exchange is a chain of futures on the loop, and the caller awaits only the response
/// head. Bodies stream both ways with back-pressure (`UpstreamBodyStream`, `SpooledBody.chunks()`).
///
/// Interim 1xx responses (102, 103, …) are handed to `interim` as they arrive, before the final head; `100
/// Continue` is consumed here.
public final class UpstreamClient: UpstreamTransport {
    /// Read per request, so a reload (`updateTimeouts`) reaches the next request's first-byte deadline.
    public var timeouts: UpstreamTimeouts { liveTimeouts.withLock { $0 } }
    private let liveTimeouts: Mutex<UpstreamTimeouts>
    private let group: any EventLoopGroup
    /// One pool per loop of the group, keyed by the loop's identity; fixed at init, so read without a lock.
    private let pools: [ObjectIdentifier: UpstreamConnectionPool]

    public convenience init(eventLoopGroup: any EventLoopGroup, timeouts: UpstreamTimeouts,
                            maxConnectionsPerHost: Int = 64) {
        self.init(eventLoopGroup: eventLoopGroup, timeouts: timeouts, maxConnectionsPerHost: maxConnectionsPerHost,
                  maxWaitersPerLoop: nil)
    }

    /// - Parameters:
    ///   - maxWaitersPerLoop: requests that may wait for a connection of one upstream on one loop; `nil`: the
    ///     default of `UpstreamExchangeRules.waitersPerLoop`.
    ///   - keepAlive: how long an idle pooled connection stays open.
    init(eventLoopGroup: any EventLoopGroup, timeouts: UpstreamTimeouts, maxConnectionsPerHost: Int,
         maxWaitersPerLoop: Int?, keepAlive: TimeAmount = .seconds(60)) {
        self.group = eventLoopGroup
        self.liveTimeouts = Mutex(timeouts)
        let loops = Array(eventLoopGroup.makeIterator())
        let perLoop = UpstreamExchangeRules.connectionsPerLoop(maxConnectionsPerHost: maxConnectionsPerHost,
                                                              loops: loops.count)
        let settings = UpstreamConnectionPool.Settings(
            connectTimeout: Self.amount(timeouts.connect),
            bodyIdleTimeout: Self.amount(timeouts.idle),
            maxConnections: perLoop,
            maxWaiters: maxWaitersPerLoop ?? UpstreamExchangeRules.waitersPerLoop(connectionsPerLoop: perLoop),
            keepAlive: keepAlive)
        var pools: [ObjectIdentifier: UpstreamConnectionPool] = [:]
        for loop in loops {
            pools[ObjectIdentifier(loop)] = UpstreamConnectionPool(eventLoop: loop, settings: settings)
        }
        self.pools = pools
    }

    /// Takes new timeouts (configuration reload): the first-byte timeout from the next request on, the connect
    /// and body idle timeouts for connections opened from now on. Requests in flight keep their deadlines.
    public func updateTimeouts(_ new: UpstreamTimeouts) {
        liveTimeouts.withLock { $0 = new }
        let connect = Self.amount(new.connect)
        let idle = Self.amount(new.idle)
        for pool in pools.values {
            pool.eventLoop.execute { pool.updateTimeouts(connect: connect, bodyIdle: idle) }
        }
    }

    private static func amount(_ seconds: Double) -> TimeAmount {
        .nanoseconds(Int64(max(0.001, seconds) * 1e9))
    }

    /// The pool of the calling thread's event loop when it is one of ours, else the next loop's.
    private func currentPool() -> UpstreamConnectionPool? {
        if let loop = MultiThreadedEventLoopGroup.currentEventLoop, let pool = pools[ObjectIdentifier(loop)] {
            return pool
        }
        return pools[ObjectIdentifier(group.next())]
    }

    /// Sends `request` to `upstream` and returns once the final response head has arrived.
    ///
    /// - Parameter timeLimit: seconds allowed for the response head, when less than the first-byte timeout
    ///   (what is left of a client request's time budget, or a health probe's timeout).
    public func send(_ request: UpstreamRequest, to upstream: Upstream, logger: Logger, timeLimit: Double?,
                     interim: (@Sendable (HTTPResponseHead) -> Void)?) async throws(UpstreamError) -> UpstreamResponse
    {
        switch (upstream.scheme, upstream.tls) {
        case ("http", nil), ("https", .some): break
        default:
            // An https upstream gets its context at start (NodeSettingsMapper); one without is a wiring error,
            // and never sent in the clear.
            throw UpstreamError(kind: .invalidRequest, upstream: upstream.name,
                                message: "\(upstream.scheme) upstream without matching TLS settings")
        }
        guard let pool = currentPool() else {
            throw UpstreamError(kind: .localLimit, upstream: upstream.name, message: "no event loop")
        }
        let started = NIODeadline.now()
        let firstByte = firstByteTimeout(for: upstream)
        let deadline = started + Self.amount(min(firstByte, timeLimit ?? firstByte))
        let head = UpstreamExchangeRules.requestHead(for: request)
        let key = UpstreamPoolKey(host: upstream.host, port: upstream.port, tls: upstream.tls)
        let exchange = Exchange(pool: pool, key: key, head: head, body: request.body, upstream: upstream.name,
                                deadline: deadline, interim: interim, cancellation: UpstreamExchangeCancellation())
        var start: UpstreamResponseStart
        do throws(UpstreamExchangeFailure) {
            start = try await exchange.run(fresh: false)
        } catch {
            // A reused connection the server had closed while idle: the request never reached it, so an
            // idempotent one is sent once more, on a new connection.
            guard error.staleConnection, request.isIdempotent else { throw error.error }
            logger.debug("retrying on a fresh connection", metadata: ["upstream": "\(upstream.name)"])
            do throws(UpstreamExchangeFailure) {
                start = try await exchange.run(fresh: true)
            } catch {
                throw error.error
            }
        }
        return UpstreamResponse(status: Int(start.head.status.code), headers: start.head.headers, body: start.body,
                                upstream: upstream,
                                firstByteSeconds: Double((NIODeadline.now() - started).nanoseconds) / 1e9)
    }

    /// One attempt at sending a request on a connection of `pool`.
    private struct Exchange {
        let pool: UpstreamConnectionPool
        let key: UpstreamPoolKey
        let head: HTTPRequestHead
        let body: RequestBody?
        let upstream: String
        let deadline: NIODeadline
        let interim: (@Sendable (HTTPResponseHead) -> Void)?
        /// Lets the caller's task, when cancelled, end the exchange while it waits for the response head.
        let cancellation: UpstreamExchangeCancellation

        func run(fresh: Bool) async throws(UpstreamExchangeFailure) -> UpstreamResponseStart {
            if case .file(let file) = body, file.length > 0 {
                return try await runStreaming(file, fresh: fresh)
            }
            var buffer: ByteBuffer?
            if case .buffer(let bytes) = body { buffer = bytes }
            let started = onLoop { [self, buffer] in
                @Sendable func start(_ connection: HTTP1UpstreamConnection) -> EventLoopFuture<UpstreamResponseStart> {
                    guard cancellation.attach(connection, pool: pool) else {
                        return pool.eventLoop.makeFailedFuture(cancelled)
                    }
                    return connection.start(head: head, body: buffer, bodyFollows: false, upstream: upstream,
                                            firstByteDeadline: deadline, interim: interim)
                }
                // The common case, an idle pooled connection, without an intermediate future.
                if !fresh, let idle = pool.takeIdle(key) { return start(idle) }
                return pool.acquire(key, upstream: upstream, deadline: deadline, fresh: fresh).flatMap(start)
            }
            return try await awaitHead(started)
        }

        private var cancelled: UpstreamExchangeFailure {
            UpstreamExchangeFailure(error: UpstreamError(kind: .cancelled, upstream: upstream, message: "cancelled"),
                                    staleConnection: false)
        }

        /// The response head; a cancellation of the calling task meanwhile ends the exchange with `.cancelled`
        /// and closes its connection (the upstream may still answer on it).
        private func awaitHead(_ started: EventLoopFuture<UpstreamResponseStart>)
            async throws(UpstreamExchangeFailure) -> UpstreamResponseStart
        {
            let cancellation = self.cancellation
            let loop = pool.eventLoop
            let failure = cancelled
            do {
                return try await withTaskCancellationHandler {
                    try await started.get()
                } onCancel: {
                    loop.execute { cancellation.cancel(failure) }
                }
            } catch let failure as UpstreamExchangeFailure {
                throw failure
            } catch {
                throw UpstreamExchangeFailure(error: classify(error, upstream: upstream, phase: .head),
                                              staleConnection: false)
            }
        }

        /// A spooled request body, chunk by chunk: each chunk is read from the file once the previous one was
        /// written to the socket, so the body is never whole in memory and a slow upstream slows the reads.
        private func runStreaming(_ file: SpooledBody, fresh: Bool) async throws(UpstreamExchangeFailure)
            -> UpstreamResponseStart
        {
            let connection = try await Self.value(of: onLoop { [self] in
                pool.acquire(key, upstream: upstream, deadline: deadline, fresh: fresh)
            }, upstream: upstream)
            let loop = pool.eventLoop
            let started = onLoop { [self] () -> EventLoopFuture<UpstreamResponseStart> in
                guard cancellation.attach(connection, pool: pool) else {
                    return pool.eventLoop.makeFailedFuture(cancelled)
                }
                return connection.start(head: head, body: nil, bodyFollows: true, upstream: upstream,
                                        firstByteDeadline: deadline, interim: interim)
            }
            var chunks = file.chunks().makeAsyncIterator()
            while true {
                let chunk: ByteBuffer?
                do {
                    chunk = try await chunks.next()
                } catch {
                    let failure = UpstreamError(kind: .requestBody, upstream: upstream,
                                                message: "reading the spooled request body: \(error)")
                    loop.execute { connection.abortRequest(failure) }
                    break
                }
                guard let chunk else {
                    onLoop { connection.endRequest() }
                    break
                }
                // A failed write ends the exchange with the connection's own error, awaited below.
                do { try await onLoop { connection.writeBodyChunk(chunk) }.get() } catch { break }
            }
            return try await awaitHead(started)
        }

        private func onLoop<T: Sendable>(_ work: @escaping @Sendable () -> EventLoopFuture<T>) -> EventLoopFuture<T> {
            pool.eventLoop.inEventLoop ? work() : pool.eventLoop.flatSubmit(work)
        }

        private func onLoop(_ work: @escaping @Sendable () -> Void) {
            if pool.eventLoop.inEventLoop { work() } else { pool.eventLoop.execute(work) }
        }

        private static func value<T: Sendable>(of future: EventLoopFuture<T>, upstream: String)
            async throws(UpstreamExchangeFailure) -> T
        {
            do {
                return try await future.get()
            } catch let failure as UpstreamExchangeFailure {
                throw failure
            } catch {
                throw UpstreamExchangeFailure(error: classify(error, upstream: upstream, phase: .head),
                                              staleConnection: false)
            }
        }
    }

    /// Extra time a shield gets for its response head beyond `first_byte_timeout`.
    ///
    /// A shield asked about a hung origin waits its own first-byte timeout and then answers (stale, or 504
    /// marked as its origin's failure). If the edge gave up at the same moment, it would count the timeout
    /// against a shield that works and open its circuit; with the allowance it hears the shield's answer.
    public static let shieldFirstByteAllowance: Double = 1

    /// The first-byte timeout for `upstream`: `first_byte_timeout`, plus the allowance for a shield.
    public func firstByteTimeout(for upstream: Upstream) -> Double {
        upstream.tier == .shield ? timeouts.firstByte + Self.shieldFirstByteAllowance : timeouts.firstByte
    }

    /// Closes idle connections and fails waiting requests; later requests fail with `.localLimit`.
    public func shutdown() async throws {
        for pool in pools.values {
            try await pool.eventLoop.submit { pool.shutdown() }.get()
        }
    }

    /// For tests: connections of one pool's upstream, open and idle.
    func connectionCounts(on loop: any EventLoop, host: String, port: Int) async throws -> (open: Int, idle: Int) {
        guard let pool = pools[ObjectIdentifier(loop)] else { return (0, 0) }
        return try await loop.submit { pool.counts(UpstreamPoolKey(host: host, port: port)) }.get()
    }

    enum Phase { case head, body }

    /// Maps NIO's errors (connecting, I/O, parsing) onto the proxy's error kinds, and so onto their source: only
    /// the upstream's own behaviour may count against its health (see `UpstreamError.source`). Errors of an
    /// exchange already in progress are classified where they happen (`HTTP1UpstreamConnection`).
    static func classify(_ error: any Error, upstream: String, phase: Phase) -> UpstreamError {
        if let error = error as? UpstreamError { return error }
        if let failure = error as? UpstreamExchangeFailure { return failure.error }
        if error is CancellationError {
            return UpstreamError(kind: .cancelled, upstream: upstream, message: "cancelled")
        }
        if let error = error as? ChannelError, case .connectTimeout = error {
            return UpstreamError(kind: .connectTimeout, upstream: upstream, message: "\(error)")
        }
        if error is HTTPParserError || error is NIOHTTPDecoderError {
            return UpstreamError(kind: .protocolError, upstream: upstream, message: "\(error)")
        }
        // Refused, reset, unreachable, or no address: no exchange could start.
        return UpstreamError(kind: phase == .head ? .connect : .protocolError, upstream: upstream,
                             message: "\(error)")
    }
}

/// What a cancelled task needs to end its exchange: the connection carrying it, once there is one. Confined to
/// the pool's loop.
final class UpstreamExchangeCancellation: @unchecked Sendable {
    private var isCancelled = false
    private var connection: HTTP1UpstreamConnection?

    /// Records the exchange's connection; `false` (and the connection goes back to the pool unused) when the
    /// task was cancelled while the request waited for it.
    func attach(_ connection: HTTP1UpstreamConnection, pool: UpstreamConnectionPool) -> Bool {
        guard !isCancelled else {
            pool.release(connection)
            return false
        }
        self.connection = connection
        return true
    }

    func cancel(_ failure: UpstreamExchangeFailure) {
        isCancelled = true
        connection?.cancel(failure)
    }
}
