import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// A small HTTP/1.1 origin for developing and testing the edge: static files under a root, response headers from
/// a rules file, request counting, and hooks (delay, rate) that make cache behaviour observable.
///
/// It serves as soon as `start()` returns, so tests can drive it without a service group; `run()` adds the
/// ServiceLifecycle contract (serve until graceful shutdown or cancellation, then close everything).
public final class DevOriginServer: Service, Sendable {
    public let settings: DevOriginSettings
    /// The rules in force, as parsed from `settings.rulesPath`.
    public let rules: OriginRules

    private let logger: Logger
    private let responder: OriginResponder
    private let stats: RequestStats
    private let connections = ConnectionRegistry()
    private let state = Locked(ServerState.idle)
    private let group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton

    private enum ServerState {
        case idle
        case starting(EventLoopFuture<Channel>)
        case running(Channel, port: Int)
        case stopped
    }

    /// Checks the root and parses the rules up front, so a typo fails at launch with a located message
    /// (`RulesError`, `DevOriginError`) rather than on the first request.
    public init(settings: DevOriginSettings, logger: Logger) throws {
        guard (0...65_535).contains(settings.port) else { throw DevOriginError.invalidPort(settings.port) }
        let resolver = try FileResolver(root: settings.root)
        let rules = try settings.rulesPath.map { try OriginRules.load(path: $0) } ?? .builtIn
        let stats = RequestStats()
        self.settings = settings
        self.rules = rules
        self.logger = logger
        self.stats = stats
        self.responder = OriginResponder(
            resolver: resolver, rules: rules, stats: stats,
            fileIO: NonBlockingFileIO(threadPool: .singleton), threadPool: .singleton, logger: logger,
            clock: { Int64(Date().timeIntervalSince1970.rounded(.down)) })
    }

    /// The port listened on while running; `nil` before `start()` and after `stop()`.
    public var boundPort: Int? {
        state.withLock { state in
            if case .running(_, let port) = state { return port }
            return nil
        }
    }

    /// How many requests arrived for `path` (percent-decoded, query removed, e.g. `/css/site.css`), whatever
    /// their outcome. The `/__origin/` control paths are not counted.
    public func requestCount(path: String) -> Int { stats.count(path: path) }

    /// How many requests arrived in all, control paths excepted.
    public var totalRequests: Int { stats.total }

    /// Forgets all counts, like `POST /__origin/reset`.
    public func resetCounts() { stats.reset() }

    /// Binds and starts serving; returns the bound port (the ephemeral one when `settings.port` is 0).
    /// Calling it again while running returns the same port.
    public func start() async throws -> Int {
        enum Next {
            case running(Int)
            case wait(EventLoopFuture<Channel>)
            case bind
        }
        let next: Next = state.withLock { state in
            switch state {
            case .running(_, let port): return .running(port)
            case .starting(let future): return .wait(future)
            case .idle, .stopped: return .bind
            }
        }
        let pending: EventLoopFuture<Channel>
        switch next {
        case .running(let port):
            return port
        case .wait(let future):
            pending = future
        case .bind:
            prepareLargeFile()
            let future = bind()
            pending = state.withLock { state in
                if case .starting(let other) = state { return other }
                state = .starting(future)
                return future
            }
            if pending !== future { future.whenSuccess { $0.close(promise: nil) } }
        }

        let channel: Channel
        do {
            channel = try await pending.get()
        } catch {
            state.withLock { state in
                if case .starting(let failed) = state, failed === pending { state = .idle }
            }
            throw DevOriginError.bindFailed(host: settings.host, port: settings.port, reason: "\(error)")
        }
        let port = channel.localAddress?.port ?? settings.port
        let stillStarting = state.withLock { state -> Bool in
            switch state {
            case .starting(let current) where current === pending:
                state = .running(channel, port: port)
                return true
            case .running(let current, _):
                return current === channel
            default:
                return false
            }
        }
        guard stillStarting else {
            try? await channel.close()
            throw DevOriginError.stoppedWhileStarting
        }
        logger.info("dev origin listening", metadata: [
            "address": "\(settings.host):\(port)", "root": "\(responder.resolver.root)",
            "rules": "\(settings.rulesPath ?? "built-in")",
        ])
        return port
    }

    /// Serves until graceful shutdown or task cancellation, then closes the listener and every connection.
    public func run() async throws {
        _ = try await start()
        let listener: Channel? = state.withLock { state in
            if case .running(let channel, _) = state { return channel }
            return nil
        }
        guard let listener else { return }
        let connections = self.connections
        await withTaskCancellationOrGracefulShutdownHandler {
            try? await listener.closeFuture.get()
        } onCancelOrGracefulShutdown: {
            listener.close(promise: nil)
            connections.beginClosingAll()
        }
        try await stop()
    }

    /// Stops listening and closes every open connection. Safe to call more than once.
    public func stop() async throws {
        enum Taken {
            case channel(Channel)
            case pending(EventLoopFuture<Channel>)
            case nothing
        }
        let taken: Taken = state.withLock { state in
            let taken: Taken
            switch state {
            case .running(let channel, _): taken = .channel(channel)
            case .starting(let future): taken = .pending(future)
            case .idle, .stopped: taken = .nothing
            }
            state = .stopped
            return taken
        }
        switch taken {
        case .channel(let channel):
            try? await channel.close()
        case .pending(let future):
            if let channel = try? await future.get() { try? await channel.close() }
        case .nothing:
            break
        }
        await connections.closeAll()
    }

    private func bind() -> EventLoopFuture<Channel> {
        let responder = self.responder
        let connections = self.connections
        return ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                connections.add(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(OriginChannelHandler(responder: responder))
                }
            }
            .bind(host: settings.host, port: settings.port)
    }

    /// Generates the large download when it is missing. A failure is logged, not thrown: the rest of the site
    /// is still worth serving from a read-only checkout.
    private func prepareLargeFile() {
        guard let relative = settings.largeFile else { return }
        let path = settings.root + "/" + relative
        do {
            if try LargeFile.ensure(at: path) {
                logger.info("generated large download", metadata: ["path": "\(path)", "bytes": "\(LargeFile.defaultSize)"])
            }
        } catch {
            logger.warning("cannot generate large download", metadata: ["path": "\(path)", "error": "\(error)"])
        }
    }
}
