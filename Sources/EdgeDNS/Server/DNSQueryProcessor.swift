import Logging
import NIOCore
import Synchronization

/// What both transports do with one query: run the pure responder, count, log. Shared by all handlers.
final class DNSQueryProcessor: Sendable {
    /// Replaced on reload (`DNSServer.updateZone`); each query reads it once, so it is answered from one zone.
    private let currentResponder: Mutex<DNSResponder>
    var responder: DNSResponder {
        get { currentResponder.withLock { $0 } }
        set { currentResponder.withLock { $0 = newValue } }
    }
    let route: @Sendable (RouteQuery) -> RouteAnswer
    let counters: DNSServerCounters
    let logger: Logger

    init(responder: DNSResponder, route: @escaping @Sendable (RouteQuery) -> RouteAnswer,
         counters: DNSServerCounters, logger: Logger) {
        self.currentResponder = Mutex(responder)
        self.route = route
        self.counters = counters
        self.logger = logger
    }

    /// The response bytes, or nil to send nothing.
    func process(_ packet: [UInt8], from client: DNSClientAddress, transport: DNSTransport) -> [UInt8]? {
        let result = responder.handle(packet, from: client, transport: transport, route: route)
        counters.record(result, transport: transport)
        if let routed = result.route, routed.fromLastKnown,
           counters.shouldLogLastKnown(nowNanoseconds: NIODeadline.now().uptimeNanoseconds) {
            logger.warning("no healthy edge: answering with the last known set", metadata: [
                "name": "\(result.question?.name.description ?? "?")",
                "ipv4": "\(routed.ipv4.map(\.description).joined(separator: ","))",
                "ipv6": "\(routed.ipv6.map(\.description).joined(separator: ","))",
            ])
        }
        if let error = result.decodeError {
            logger.debug("malformed DNS query", metadata: [
                "client": "\(client)", "transport": "\(transport.rawValue)", "error": "\(error)",
            ])
        }
        return result.response
    }
}
