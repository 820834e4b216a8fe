import EdgeConnection
import EdgeCore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization

/// The admin listener: HTTP/1.1 on its own address (loopback by default), apart from public traffic, serving
/// `AdminRouter`'s routes. A ServiceLifecycle `Service`, like the metrics endpoint: `run()` serves until
/// graceful shutdown; tests use `start()` (which returns the bound port) and `stop()`.
///
/// Request bodies are capped (`maxBodyBytes`, 64 KiB by default: a purge body is a few hundred bytes): a larger
/// declared or streamed body gets 413 and the connection is closed.
///
/// Every connection runs behind the same `ConnectionGuard` as the public listener (`connectionLimits`): a head
/// not complete within the header timeout or a body stalled past the body timeout gets 408 and is closed, an
/// oversized head 431, and an idle keep-alive connection is closed after the idle timeout, so a slow client
/// cannot hold the admin port's connections open forever.
public final class AdminServer: Service, Sendable {
    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    private struct State {
        var server: NIOAsyncChannel<Connection, Never>?
        var serving: Task<Void, Never>?
        var connections: [ObjectIdentifier: any Channel] = [:]
        var stopping = false
    }

    private let host: String
    private let port: Int
    private let router: AdminRouter
    private let group: any EventLoopGroup
    private let logger: Logger
    private let maxBodyBytes: Int
    private let connectionLimits: ConnectionGuard.Limits
    private let state = Mutex(State())

    public init(host: String, port: Int, router: AdminRouter,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                logger: Logger = Logger(label: "edge.admin"), maxBodyBytes: Int = 64 << 10,
                connectionLimits: ConnectionGuard.Limits = AdminServer.defaultConnectionLimits) {
        self.host = host
        self.port = port
        self.router = router
        self.group = group
        self.logger = logger
        self.maxBodyBytes = maxBodyBytes
        self.connectionLimits = connectionLimits
    }

    /// The public listener's built-in defaults; a head is at most the decoder's default header limits.
    public static let defaultConnectionLimits = ConnectionGuard.Limits(
        headerTimeout: 10, idleTimeout: 60, bodyTimeout: 20, maxHeadBytes: 80 << 10)

    /// Binds and starts accepting connections; returns the bound port (useful with port 0).
    @discardableResult
    public func start() async throws -> Int {
        let limits = connectionLimits
        let logger = self.logger
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    // Monotonic: timeouts must not jump with the wall clock.
                    let clock: @Sendable () -> Double = { Double(NIODeadline.now().uptimeNanoseconds) / 1e9 }
                    try sync.addHandler(ConnectionGuardHandler(
                        guardState: ConnectionGuard(now: clock(), limits: limits), now: clock,
                        onClose: { reason in
                            logger.debug("closing admin connection", metadata: ["reason": "\(reason)"])
                        }))
                    try sync.configureHTTPServerPipeline(withErrorHandling: true)
                    try sync.addHandler(RequestLifecycleHandler())
                    return try Connection(wrappingChannelSynchronously: channel)
                }
            }
        let task = Task { await self.serve(server) }
        state.withLock { state in
            state.server = server
            state.serving = task
            state.stopping = false
        }
        let boundPort = server.channel.localAddress?.port ?? port
        logger.info("admin listening", metadata: ["address": "\(host):\(boundPort)"])
        return boundPort
    }

    public var boundPort: Int? {
        state.withLock { $0.server?.channel.localAddress?.port }
    }

    public func run() async throws {
        try await start()
        try? await gracefulShutdown()
        await stop()
    }

    /// Stops accepting, closes open connections (an idle keep-alive connection would otherwise hold the server
    /// open) and waits for the accept loop to end.
    public func stop() async {
        let (server, connections, serving) = state.withLock { state in
            state.stopping = true
            defer {
                state.server = nil
                state.serving = nil
                state.connections = [:]
            }
            return (state.server, Array(state.connections.values), state.serving)
        }
        try? await server?.channel.close()
        for connection in connections { try? await connection.close() }
        await serving?.value
    }

    private func serve(_ server: NIOAsyncChannel<Connection, Never>) async {
        do {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { inbound in
                    for try await connection in inbound {
                        group.addTask { await self.handle(connection) }
                    }
                }
            }
        } catch {
            logger.debug("admin accept loop ended", metadata: ["error": "\(error)"])
        }
    }

    private func handle(_ connection: Connection) async {
        let channel = connection.channel
        let id = ObjectIdentifier(channel)
        let accepted = state.withLock { state -> Bool in
            guard !state.stopping else { return false }
            state.connections[id] = channel
            return true
        }
        guard accepted else {
            try? await channel.close()
            return
        }
        defer { _ = state.withLock { $0.connections.removeValue(forKey: id) } }
        let client = channel.remoteAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "unknown"
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                var body: [UInt8] = []
                for try await part in inbound {
                    switch part {
                    case .head(let requestHead):
                        head = requestHead
                        body = []
                        if let declared = requestHead.headers.first(name: "content-length").flatMap(Int.init),
                           declared > maxBodyBytes {
                            try await write(tooLarge(), for: requestHead, keepAlive: false, to: outbound)
                            return
                        }
                    case .body(let chunk):
                        guard let requestHead = head else { continue }
                        guard body.count + chunk.readableBytes <= maxBodyBytes else {
                            try await write(tooLarge(), for: requestHead, keepAlive: false, to: outbound)
                            return
                        }
                        body += chunk.readableBytesView
                    case .end:
                        guard let requestHead = head else { continue }
                        head = nil
                        let request = AdminRequest(method: requestHead.method, uri: requestHead.uri,
                                                   headers: requestHead.headers, body: body, clientAddress: client)
                        body = []
                        let response = await router.handle(request)
                        try await write(response, for: requestHead, keepAlive: requestHead.isKeepAlive, to: outbound)
                        if !requestHead.isKeepAlive { return }
                    }
                }
            }
        } catch {
            logger.debug("admin connection ended", metadata: ["client": "\(client)", "error": "\(error)"])
        }
    }

    private func tooLarge() -> AdminResponse {
        .error(.payloadTooLarge, "request body larger than \(maxBodyBytes) bytes")
    }

    private func write(_ response: AdminResponse, for head: HTTPRequestHead, keepAlive: Bool,
                       to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        var headers = response.headers
        headers.replaceOrAdd(name: "content-length", value: String(response.body.count))
        if !keepAlive { headers.replaceOrAdd(name: "connection", value: "close") }
        try await outbound.write(.head(HTTPResponseHead(version: head.version, status: response.status,
                                                         headers: headers)))
        if head.method != .HEAD, !response.body.isEmpty {
            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: response.body))))
        }
        try await outbound.write(.end(nil))
    }
}

