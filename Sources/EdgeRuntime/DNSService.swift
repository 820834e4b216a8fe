import EdgeDNS
import Logging
import ServiceLifecycle

/// Runs a node's DNS responder (UDP and TCP) beside its HTTP service until graceful shutdown.
final class DNSService: Service, Sendable {
    private let server: DNSServer
    private let logger: Logger

    init(server: DNSServer, logger: Logger) {
        self.server = server
        self.logger = logger
    }

    func run() async throws {
        let ports = try await server.start()
        logger.info("dns responder listening", metadata: ["udp": "\(ports.udp)", "tcp": "\(ports.tcp)"])
        try? await gracefulShutdown()
        await server.stop()
    }
}
