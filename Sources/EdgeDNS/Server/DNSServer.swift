import Foundation
import Logging
import NIOCore
import NIOPosix

/// The NIO shell around `DNSResponder`: one UDP socket and one TCP listener on the same host and port.
///
/// Everything protocol-related happens in the pure responder; this type owns sockets, framing, limits and
/// counters. Input never crashes it: bad packets become FORMERR or drops, bad TCP streams close their
/// connection.
public final class DNSServer: @unchecked Sendable {
    public let host: String
    public let port: Int
    public let settings: DNSServerSettings
    private let group: EventLoopGroup
    private let logger: Logger
    private let processor: DNSQueryProcessor
    private let counters = DNSServerCounters()
    private let connections = DNSConnectionRegistry()
    // Guarded by `lock`.
    private let lock = NSLock()
    private var udpChannel: Channel?
    private var tcpChannel: Channel?

    /// `route` answers A/AAAA questions for the zone's service names; it runs on the event loops, so it must
    /// be quick and thread-safe (`EdgeRouteResolver.answer` is).
    public init(host: String, port: Int, zone: DNSZoneSettings, settings: DNSServerSettings = DNSServerSettings(),
                group: EventLoopGroup, logger: Logger,
                route: @escaping @Sendable (RouteQuery) -> RouteAnswer) {
        self.host = host
        self.port = port
        self.settings = settings
        self.group = group
        self.logger = logger
        processor = DNSQueryProcessor(responder: DNSResponder(zone: zone), route: route, counters: counters,
                                      logger: logger)
    }

    /// Answers from `zone` from the next query on (configuration reload: records, TTLs, name servers, service
    /// names); the sockets, their connections and the routing stay as they are.
    public func updateZone(_ zone: DNSZoneSettings) {
        processor.responder = DNSResponder(zone: zone)
    }

    /// Binds both sockets and returns their ports. With port 0 the UDP socket takes an ephemeral port and TCP
    /// binds the same number, retrying with a fresh UDP port if that TCP port is taken.
    @discardableResult
    public func start() async throws -> DNSServerPorts {
        guard withLock({ udpChannel == nil && tcpChannel == nil }) else { throw DNSServerError.alreadyStarted }
        let attempts = port == 0 ? max(settings.bindAttempts, 1) : 1
        var lastError: Error = DNSServerError.bindFailed(host: host, port: port)
        for _ in 0..<attempts {
            let udp = try await bindUDP(port: port)
            guard let udpPort = udp.localAddress?.port else {
                try? await udp.close()
                throw DNSServerError.bindFailed(host: host, port: port)
            }
            do {
                let tcp = try await bindTCP(port: udpPort)
                let tcpPort = tcp.localAddress?.port ?? udpPort
                withLock {
                    udpChannel = udp
                    tcpChannel = tcp
                }
                logger.info("DNS server listening", metadata: [
                    "host": "\(host)", "udpPort": "\(udpPort)", "tcpPort": "\(tcpPort)",
                ])
                return DNSServerPorts(udp: udpPort, tcp: tcpPort)
            } catch {
                lastError = error
                try? await udp.close()
            }
        }
        throw lastError
    }

    /// Closes the listeners and every open TCP connection.
    public func stop() async {
        let channels = withLock {
            defer {
                udpChannel = nil
                tcpChannel = nil
            }
            return [udpChannel, tcpChannel].compactMap { $0 }
        } + connections.removeAll()
        for channel in channels {
            try? await channel.close()
        }
    }

    /// Counters since start.
    public func stats() -> DNSServerStats {
        counters.snapshot()
    }

    private func bindUDP(port: Int) async throws -> Channel {
        let processor = processor
        return try await DatagramBootstrap(group: group)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: settings.maxUDPQueryBytes))
            .channelOption(.datagramVectorReadMessageCount, value: 16)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DNSUDPHandler(processor: processor))
                }
            }
            .bind(host: host, port: port).get()
    }

    private func bindTCP(port: Int) async throws -> Channel {
        let processor = processor
        let settings = settings
        let counters = counters
        let connections = connections
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                guard counters.openConnection(limit: settings.maxTCPConnections) else {
                    return channel.eventLoop.makeFailedFuture(DNSServerError.tooManyConnections)
                }
                connections.insert(channel)
                channel.closeFuture.whenComplete { _ in
                    counters.closeConnection()
                    connections.remove(channel)
                }
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(IdleStateHandler(readTimeout: settings.tcpIdleTimeout))
                    try pipeline.addHandler(ByteToMessageHandler(
                        DNSTCPFrameDecoder(maxMessageBytes: settings.maxTCPMessageBytes)))
                    try pipeline.addHandler(DNSTCPHandler(processor: processor))
                }
            }
            .bind(host: host, port: port).get()
    }

    private func withLock<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}

/// The ports the server is listening on (the same number unless the OS got in the way).
public struct DNSServerPorts: Hashable, Sendable {
    public var udp: Int
    public var tcp: Int

    public init(udp: Int, tcp: Int) {
        self.udp = udp
        self.tcp = tcp
    }
}

public enum DNSServerError: Error, Hashable, Sendable, CustomStringConvertible {
    case bindFailed(host: String, port: Int)
    case alreadyStarted
    /// A TCP connection arrived while `maxTCPConnections` were open; it is closed at once.
    case tooManyConnections

    public var description: String {
        switch self {
        case .bindFailed(let host, let port): "could not bind the DNS server to \(host):\(port)"
        case .alreadyStarted: "the DNS server is already running"
        case .tooManyConnections: "too many DNS TCP connections"
        }
    }
}
