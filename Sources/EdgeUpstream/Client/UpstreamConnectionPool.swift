import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Which upstream server a connection goes to, and over what: with `tls`, connections are TLS with that
/// context and verification name, and never shared with plain ones to the same address.
struct UpstreamPoolKey: Hashable, Sendable {
    var host: String
    var port: Int
    var tls: UpstreamTLS? = nil
}

/// One event loop's keep-alive connections to every upstream.
///
/// Each loop of the group owns one pool, and a request uses the pool of the loop it runs on, so a miss never
/// leaves its client connection's thread. All state is confined to the loop: no locks. Per upstream, at most
/// `maxConnections` are open (connecting, busy or idle); beyond them requests wait in a bounded FIFO until one
/// is released or closed, and beyond that they fail at once with `.localLimit`. An idle connection is closed
/// after `keepAlive`.
final class UpstreamConnectionPool: @unchecked Sendable {
    struct Settings: Sendable {
        var connectTimeout: TimeAmount
        var bodyIdleTimeout: TimeAmount
        var maxConnections: Int
        var maxWaiters: Int
        var keepAlive: TimeAmount
    }

    /// A request waiting for a connection.
    private final class Waiter: @unchecked Sendable {  // confined to the pool's loop
        let promise: EventLoopPromise<HTTP1UpstreamConnection>
        let upstream: String
        var timer: Scheduled<Void>?
        var done = false

        init(promise: EventLoopPromise<HTTP1UpstreamConnection>, upstream: String) {
            self.promise = promise
            self.upstream = upstream
        }
    }

    private final class Host: @unchecked Sendable {  // confined to the pool's loop
        /// Most recently used last: taken from the end, so the warmest connection serves first and the oldest
        /// ones age out.
        var idle: [HTTP1UpstreamConnection] = []
        /// Connections connecting, busy or idle.
        var open = 0
        var waiters = CircularBuffer<Waiter>()
        /// The address when the host is an IP literal: resolved once, not per connection.
        let address: SocketAddress?

        init(key: UpstreamPoolKey) {
            address = try? SocketAddress(ipAddress: key.host, port: key.port)
        }
    }

    let eventLoop: any EventLoop
    /// Changed on the loop by `UpstreamClient.updateTimeouts` (reload): connections opened afterwards get the
    /// new connect and body idle timeouts; open ones keep theirs.
    private(set) var settings: Settings
    private var hosts: [UpstreamPoolKey: Host] = [:]
    private var isShutDown = false
    private var sweep: Scheduled<Void>?

    init(eventLoop: any EventLoop, settings: Settings) {
        self.eventLoop = eventLoop
        self.settings = settings
    }

    /// Takes new connect and body idle timeouts for the connections opened from now on; on the pool's loop.
    func updateTimeouts(connect: TimeAmount, bodyIdle: TimeAmount) {
        eventLoop.assertInEventLoop()
        settings.connectTimeout = connect
        settings.bodyIdleTimeout = bodyIdle
    }

    private func host(_ key: UpstreamPoolKey) -> Host {
        if let host = hosts[key] { return host }
        let host = Host(key: key)
        hosts[key] = host
        return host
    }

    // MARK: Taking a connection

    /// An idle connection to `key`, a new one, or one released later while the request waits (until
    /// `deadline`). With `fresh`, idle connections are passed over: the retry of a request that met a stale one.
    func acquire(_ key: UpstreamPoolKey, upstream: String, deadline: NIODeadline, fresh: Bool)
        -> EventLoopFuture<HTTP1UpstreamConnection>
    {
        eventLoop.assertInEventLoop()
        guard !isShutDown else {
            return eventLoop.makeFailedFuture(failure(.localLimit, upstream, "the upstream client is shut down"))
        }
        let host = self.host(key)
        if fresh {
            if host.open >= settings.maxConnections, !host.idle.isEmpty {
                // The oldest idle connection makes room: its close frees a slot for this request, which waits.
                host.idle.removeFirst().close()
            }
        } else if let connection = takeIdle(key) {
            return eventLoop.makeSucceededFuture(connection)
        }
        if host.open < settings.maxConnections {
            return connect(key, host: host, upstream: upstream)
        }
        while let first = host.waiters.first, first.done { host.waiters.removeFirst() }
        guard host.waiters.count < settings.maxWaiters else {
            return eventLoop.makeFailedFuture(failure(
                .localLimit, upstream,
                "\(settings.maxConnections) connections busy and \(settings.maxWaiters) requests waiting"))
        }
        let waiter = Waiter(promise: eventLoop.makePromise(), upstream: upstream)
        waiter.timer = eventLoop.scheduleTask(deadline: deadline) { [weak waiter] in
            guard let waiter, !waiter.done else { return }
            waiter.done = true
            waiter.promise.fail(Self.failure(.localLimit, upstream, "no connection became free in time"))
        }
        host.waiters.append(waiter)
        return waiter.promise.futureResult
    }

    /// The most recently parked usable connection to `key`, if any.
    func takeIdle(_ key: UpstreamPoolKey) -> HTTP1UpstreamConnection? {
        eventLoop.assertInEventLoop()
        guard !isShutDown, let host = hosts[key] else { return nil }
        while let connection = host.idle.popLast() {
            if connection.isUsable { return connection }
        }
        return nil
    }

    private func connect(_ key: UpstreamPoolKey, host: Host, upstream: String)
        -> EventLoopFuture<HTTP1UpstreamConnection>
    {
        host.open += 1
        let connection = HTTP1UpstreamConnection(key: key, eventLoop: eventLoop, pool: self,
                                                 idleTimeout: settings.bodyIdleTimeout)
        let connectTimeout = settings.connectTimeout
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.autoRead, value: false)
            // One socket read per read(): what a slow body consumer holds stays bounded.
            .channelOption(.maxMessagesPerRead, value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try Self.addHandlers(to: channel.pipeline.syncOperations, key: key, connection: connection,
                                         eventLoop: channel.eventLoop, handshakeTimeout: connectTimeout)
                }
            }
        let connected = host.address.map { bootstrap.connect(to: $0) }
            ?? bootstrap.connect(host: key.host, port: key.port)
        return connected.flatMapError { [self] error in
            // Never became a connection: its slot is free again for whoever waits.
            host.open -= 1
            serveWaiters(key, host: host)
            return eventLoop.makeFailedFuture(UpstreamExchangeFailure(
                error: UpstreamClient.classify(error, upstream: upstream, phase: .head), staleConnection: false))
        }.flatMap { [eventLoop] channel in
            guard key.tls != nil,
                  let watcher = try? channel.pipeline.syncOperations.handler(type: UpstreamTLSHandshakeHandler.self)
            else { return eventLoop.makeSucceededFuture(connection) }
            // The channel exists, so its close (by nio-ssl after a failed handshake, or here) frees the slot
            // through `connectionClosed`.
            return watcher.done.futureResult.map {
                channel.pipeline.syncOperations.removeHandler(watcher, promise: nil)
                return connection
            }.flatMapErrorThrowing { error in
                channel.close(promise: nil)
                let timedOut = (error as? UpstreamTLSHandshakeHandler.Failure)?.timedOut ?? false
                throw UpstreamExchangeFailure(
                    error: UpstreamError(kind: timedOut ? .connectTimeout : .connect, upstream: upstream,
                                         message: "\(error)"),
                    staleConnection: false)
            }
        }
    }

    /// The channel's handlers, in order: for `https` upstreams the TLS client handler and the handshake
    /// waiter first, then the HTTP/1.1 codec and the connection.
    private static func addHandlers(to pipeline: ChannelPipeline.SynchronousOperations, key: UpstreamPoolKey,
                                    connection: HTTP1UpstreamConnection, eventLoop: any EventLoop,
                                    handshakeTimeout: TimeAmount) throws {
        if let tls = key.tls {
            let name = UpstreamTLS.verificationName(host: key.host, serverName: tls.serverName)
            try pipeline.addHandler(NIOSSLClientHandler(context: tls.context, serverHostname: name))
            try pipeline.addHandler(UpstreamTLSHandshakeHandler(eventLoop: eventLoop, timeout: handshakeTimeout))
        }
        try pipeline.addHandler(HTTPRequestEncoder())
        try pipeline.addHandler(ByteToMessageHandler(HTTPResponseDecoder(
            leftOverBytesStrategy: .dropBytes, informationalResponseStrategy: .forward)))
        try pipeline.addHandler(NIOHTTPRequestHeadersValidator())
        try pipeline.addHandler(connection)
    }

    // MARK: Giving connections back

    /// A connection finished an exchange and may be reused: the first waiter gets it, or it is parked.
    func release(_ connection: HTTP1UpstreamConnection) {
        eventLoop.assertInEventLoop()
        guard !isShutDown else {
            connection.close()
            return
        }
        let host = self.host(connection.key)
        if let waiter = nextWaiter(host) {
            waiter.promise.succeed(connection)
            return
        }
        host.idle.append(connection)
        connection.parked()
        scheduleSweep()
    }

    /// A connection's channel closed (by either side): its slot is free for a waiter.
    func connectionClosed(_ connection: HTTP1UpstreamConnection) {
        eventLoop.assertInEventLoop()
        guard let host = hosts[connection.key] else { return }
        if let index = host.idle.firstIndex(where: { $0 === connection }) {
            host.idle.remove(at: index)
        }
        host.open -= 1
        serveWaiters(connection.key, host: host)
    }

    private func nextWaiter(_ host: Host) -> Waiter? {
        while let waiter = host.waiters.popFirst() {
            guard !waiter.done else { continue }
            waiter.done = true
            waiter.timer?.cancel()
            return waiter
        }
        return nil
    }

    /// Opens a connection for the first waiter when a slot is free.
    private func serveWaiters(_ key: UpstreamPoolKey, host: Host) {
        guard !isShutDown, host.open < settings.maxConnections, let waiter = nextWaiter(host) else { return }
        connect(key, host: host, upstream: waiter.upstream).cascade(to: waiter.promise)
    }

    // MARK: Idle connections

    /// Closes connections idle for `keepAlive`, checking again when the oldest remaining one is due.
    private func scheduleSweep(at deadline: NIODeadline? = nil) {
        guard sweep == nil else { return }
        sweep = eventLoop.scheduleTask(deadline: deadline ?? .now() + settings.keepAlive) { [self] in
            sweep = nil
            let expired = NIODeadline.now() - settings.keepAlive
            var oldestRemaining: NIODeadline?
            for host in hosts.values {
                while let oldest = host.idle.first, oldest.idleSince <= expired {
                    host.idle.removeFirst()
                    oldest.close()
                }
                if let oldest = host.idle.first {
                    oldestRemaining = min(oldestRemaining ?? oldest.idleSince, oldest.idleSince)
                }
            }
            if let oldestRemaining { scheduleSweep(at: oldestRemaining + settings.keepAlive) }
        }
    }

    /// Closes every idle connection and fails the waiters; busy connections close when their exchange ends.
    func shutdown() {
        eventLoop.assertInEventLoop()
        isShutDown = true
        sweep?.cancel()
        sweep = nil
        for host in hosts.values {
            let idle = host.idle
            host.idle.removeAll()
            for connection in idle { connection.close() }
            while let waiter = nextWaiter(host) {
                waiter.promise.fail(failure(.localLimit, waiter.upstream, "the upstream client is shut down"))
            }
        }
    }

    private func failure(_ kind: UpstreamError.Kind, _ upstream: String, _ message: String) -> UpstreamExchangeFailure {
        Self.failure(kind, upstream, message)
    }

    private static func failure(_ kind: UpstreamError.Kind, _ upstream: String, _ message: String)
        -> UpstreamExchangeFailure
    {
        UpstreamExchangeFailure(error: UpstreamError(kind: kind, upstream: upstream, message: message),
                                staleConnection: false)
    }
}

extension UpstreamConnectionPool {
    /// Connections to `key`, open (connecting, busy or idle) and idle; for tests.
    func counts(_ key: UpstreamPoolKey) -> (open: Int, idle: Int) {
        eventLoop.assertInEventLoop()
        guard let host = hosts[key] else { return (0, 0) }
        return (host.open, host.idle.count)
    }
}
