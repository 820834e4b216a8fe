import EdgeConnection
import EdgeCore
import EdgeUpstream
import Foundation
import Logging
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOTLS
import ServiceLifecycle
import Synchronization

/// The public HTTP/1.1 listener: a SwiftNIO server whose pipeline is
/// `ConnectionGuardHandler → HTTP codec (limits, pipelining, 400 on parse errors) → RequestLifecycleHandler
/// → HTTPRequestHandler`, behind a `ConnectionLimiter` that closes connections past `maxConnections` at once.
/// With `h2c` set, an `H2CDetectionHandler` first tells HTTP/2 clients with prior knowledge from the rest; with
/// `tls`, TLS and ALPN come first (HTTPS, h2 or HTTP/1.1).
///
/// As a ServiceLifecycle service it stops accepting on graceful shutdown (SIGTERM/SIGINT), lets in-flight
/// requests finish for up to `drainTimeout` seconds, then closes what is left.
public final class EdgeServer: Service, Sendable {
    private let settings: ServerSettings
    /// The per-connection limits, replaced on reload (`updateLimits`): each new connection takes the limits
    /// current when it is accepted; connections already open keep theirs.
    private let liveSettings: LiveSettings
    private let engine: ProxyEngine
    private let observer: RequestObserver
    private let group: any EventLoopGroup
    private let logger: Logger
    private let quiesce: ServerQuiescingHelper
    private let channel = Mutex<(any Channel)?>(nil)
    /// The listener's connection cap, kept for reloads of `limits.max_connections`; set by `start`.
    private let limiter = Mutex<ConnectionLimiter?>(nil)
    private let now: @Sendable () -> Double
    /// Set for an HTTPS listener: TLS with SNI, then h2 or HTTP/1.1 by ALPN.
    public let tls: TLSTermination?

    public init(settings: ServerSettings, engine: ProxyEngine, observer: RequestObserver, group: any EventLoopGroup,
                logger: Logger, tls: TLSTermination? = nil, now: @escaping @Sendable () -> Double = wallClockSeconds) {
        self.settings = settings
        self.tls = tls
        self.liveSettings = LiveSettings(settings)
        self.engine = engine
        self.observer = observer
        self.group = group
        self.logger = logger
        self.quiesce = ServerQuiescingHelper(group: group)
        self.now = now
    }

    /// Binds the listener; returns the bound port.
    @discardableResult
    public func start() async throws -> Int {
        if let existing = channel.withLock({ $0 }), let port = existing.localAddress?.port { return port }
        let settings = self.settings
        let engine = self.engine
        let observer = self.observer
        let now = self.now
        let logger = self.logger
        let quiesce = self.quiesce
        let liveSettings = self.liveSettings
        let tls = self.tls
        // Built now so a broken set fails the start, not the first connection; each connection then takes the
        // store's current context (a reload installs a new one).
        _ = try tls.map { try $0.store.serverContext() }
        let bodyTempDirectory = Self.prepareBodyTempDirectory(settings: settings, logger: logger)
        let fileLimit = FileDescriptorLimit.current()?.soft ?? 1024
        let maxConnections = Self.maxConnections(settings)
        let metrics = observer.metrics
        let limiter = ConnectionLimiter(maxConnections: maxConnections, now: now) { logRefusals in
            metrics.connectionRefused()
            if let logRefusals {
                logger.warning("connection limit reached; refusing new connections", metadata: [
                    "refused": "\(logRefusals)"])
            }
        }
        self.limiter.withLock { $0 = limiter }

        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiesce.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                // Past the limit the initializer fails, and the bootstrap closes the connection at once.
                guard limiter.admit(channel) else {
                    return channel.eventLoop.makeFailedFuture(ConnectionLimiter.Refused())
                }
                metrics.connectionOpened()
                channel.closeFuture.whenComplete { _ in metrics.connectionClosed() }
                let parts = PipelineParts(connection: ConnectionLimits(liveSettings.current), engine: engine,
                                          observer: observer, bodyTempDirectory: bodyTempDirectory, now: now,
                                          logger: logger, overTLS: tls != nil)
                return channel.eventLoop.makeCompletedFuture {
                    guard let tls else {
                        guard let h2c = settings.h2c else {
                            try parts.configureHTTP1(channel)
                            return
                        }
                        // h2c: the first bytes say whether this is an HTTP/2 client with prior knowledge.
                        let timeouts = parts.connection.guardLimits
                        try channel.pipeline.syncOperations.addHandler(H2CDetectionHandler(
                            idleTimeout: timeouts.idleTimeout, headerTimeout: timeouts.headerTimeout
                        ) { channel, detected in
                            switch detected {
                            case .http1: try parts.configureHTTP1(channel)
                            case .http2: try parts.configureHTTP2(channel, limits: h2c)
                            }
                        })
                        return
                    }
                    // HTTPS: TLS first (SNI picks the certificate from the store), then ALPN picks h2 or HTTP/1.1.
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(NIOSSLServerHandler(context: tls.store.serverContext()))
                    try sync.addHandler(HandshakeTimeoutHandler(seconds: tls.handshakeTimeout))
                    try sync.addHandler(ApplicationProtocolNegotiationHandler { result, channel in
                        channel.eventLoop.makeCompletedFuture {
                            if case .negotiated("h2") = result {
                                try parts.configureHTTP2(channel, limits: tls.http2)
                            } else {
                                try parts.configureHTTP1(channel)
                            }
                        }
                    })
                }
            }
        let bound = try await bootstrap.bind(host: settings.host, port: settings.port).get()
        channel.withLock { $0 = bound }
        let port = bound.localAddress?.port ?? settings.port
        logger.info("listening", metadata: ["address": "\(settings.host):\(port)",
                                            "scheme": "\(tls == nil ? "http" : "https")",
                                            "max_connections": "\(maxConnections)",
                                            "open_file_limit": "\(fileLimit)"])
        return port
    }

    /// Replaces the limits new connections get (header, request line and body sizes, header/idle/body
    /// timeouts, body buffer), the connection cap and the drain timeout, for a configuration reload. The listen
    /// address and spool directory stay as they were at start. A lowered cap cuts no open connection: new ones
    /// are refused until enough have closed.
    public func updateLimits(_ settings: ServerSettings) {
        liveSettings.current = settings
        let maxConnections = Self.maxConnections(settings)
        limiter.withLock { $0?.maxConnections = maxConnections }
    }

    /// The connection cap in force, once started.
    public var maxConnections: Int? { limiter.withLock { $0?.maxConnections } }

    /// `limits.max_connections`, or the default derived from the open-file limit.
    static func maxConnections(_ settings: ServerSettings) -> Int {
        settings.maxConnections
            ?? ConnectionAdmission.defaultMaxConnections(fileDescriptorLimit: FileDescriptorLimit.current()?.soft ?? 1024)
    }

    /// The settings new connections read, shared by the accept path and `updateLimits`.
    final class LiveSettings: Sendable {
        private let value: Mutex<ServerSettings>
        init(_ settings: ServerSettings) { value = Mutex(settings) }
        var current: ServerSettings {
            get { value.withLock { $0 } }
            set { value.withLock { $0 = newValue } }
        }
    }

    /// What one connection's pipeline is built with, derived from the settings current at accept time.
    struct ConnectionLimits {
        var decoderLimits = NIOHTTPDecoderLimitConfiguration()
        var requestLimits: RequestLimits
        var guardLimits: ConnectionGuard.Limits
        var bodyBufferBytes: Int

        init(_ settings: ServerSettings) {
            decoderLimits.maxHeaderListSize = settings.maxHeaderBytes
            decoderLimits.maxHeaderFieldSize = settings.maxHeaderBytes
            decoderLimits.maxHeaderFieldCount = settings.maxHeaderCount
            requestLimits = RequestLimits(maxRequestLineBytes: settings.maxRequestLineBytes,
                                          maxRequestBodyBytes: settings.maxRequestBodyBytes)
            // Headers plus request line plus line endings: beyond this a head can only be abuse.
            let maxHeadBytes = settings.maxHeaderBytes + settings.maxRequestLineBytes + 2 * settings.maxHeaderCount
                + 64
            guardLimits = ConnectionGuard.Limits(headerTimeout: settings.headerTimeout,
                                                 idleTimeout: settings.idleTimeout,
                                                 bodyTimeout: settings.bodyTimeout, maxHeadBytes: maxHeadBytes)
            bodyBufferBytes = settings.bodyBufferBytes
        }
    }

    /// The configured spool directory, swept of leftovers; if it cannot be created (a read-only or missing
    /// parent), one under the system temporary directory, so a bad directory never keeps the node from serving.
    /// If neither works the node still starts, and bodies beyond the in-memory bound get 503.
    private static func prepareBodyTempDirectory(settings: ServerSettings, logger: Logger) -> String {
        let fallback = "\(NSTemporaryDirectory())/edge-body-temp-\(settings.host)-\(settings.port)"
        for directory in [settings.bodyTempDirectory, fallback].compactMap({ $0 }) {
            do {
                try SpooledBody.prepareDirectory(directory)
                return directory
            } catch {
                logger.warning("request body spool directory unusable", metadata: [
                    "directory": "\(directory)", "error": "\(error)"])
            }
        }
        return fallback
    }

    public var boundPort: Int? { channel.withLock { $0?.localAddress?.port } }

    public func run() async throws {
        try await start()
        // Serve until a graceful shutdown is requested (or the task is cancelled), then drain.
        try? await gracefulShutdown()
        await drain()
    }

    /// Stops accepting, waits for in-flight requests to finish (bounded by `drainTimeout`), closes the rest.
    public func drain() async {
        guard channel.withLock({ $0 }) != nil else { return }
        // The drain timeout as last reloaded.
        let drainTimeout = liveSettings.current.drainTimeout
        logger.info("draining connections", metadata: ["timeout": "\(drainTimeout)s"])
        let promise = group.next().makePromise(of: Void.self)
        quiesce.initiateShutdown(promise: promise)
        let drained = await promise.futureResult.completes(within: drainTimeout)
        if !drained {
            logger.warning("drain timeout reached; remaining connections close with the event loops")
        }
        channel.withLock { $0 = nil }
    }
}

extension EventLoopFuture {
    /// Waits for the future, at most `seconds`; whether it completed in time.
    func completes(within seconds: Double) async -> Bool {
        let once = OnceFlag()
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            func finish(_ value: Bool) {
                if once.claim() { continuation.resume(returning: value) }
            }
            let timeout = eventLoop.scheduleTask(in: .milliseconds(Int64(seconds * 1000))) { finish(false) }
            whenComplete { _ in
                timeout.cancel()
                finish(true)
            }
        }
    }
}

/// True for the first caller of `claim()` only.
final class OnceFlag: Sendable {
    private let claimed = Atomic<Bool>(false)
    func claim() -> Bool { claimed.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged }
}
