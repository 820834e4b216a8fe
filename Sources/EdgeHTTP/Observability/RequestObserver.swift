import Logging
import NIOHTTP1

/// Where each finished request is reported: the access log and the metrics.
public final class RequestObserver: Sendable {
    let metrics: EdgeMetrics
    let load: LoadCounters
    let live: LiveTraffic
    let accessLog: AccessLog?
    let logger: Logger
    let now: @Sendable () -> Double
    /// The id a request that never went upstream is logged under (`RequestID`: a trusted tier's, or new).
    let requestID: @Sendable (HTTPHeaders) -> String

    public init(metrics: EdgeMetrics, load: LoadCounters = LoadCounters(), accessLog: AccessLog?, logger: Logger,
                now: @escaping @Sendable () -> Double,
                requestID: @escaping @Sendable (HTTPHeaders) -> String = { _ in RequestID.generate() },
                live: LiveTraffic = LiveTraffic()) {
        self.live = live
        self.metrics = metrics
        self.requestID = requestID
        self.load = load
        self.accessLog = accessLog
        self.logger = logger
        self.now = now
    }

    func responded(request: ProxyRequest, response: ProxyResponse, bytes: Int) {
        // Health probes from other tiers and load balancers arrive every few seconds from every node: counted
        // apart, never as client traffic (requests, hit ratio, bytes served) and never logged.
        if request.head.uri.hasPrefix(Self.healthPath) {
            metrics.probeAnswered()
            return
        }
        let time = now()
        metrics.responded(phase: response.phase, tier: response.tier, bodyBytes: bytes)
        metrics.responded(status: Int(response.status.code), method: request.head.method.rawValue,
                          phase: response.phase, protocolName: Self.protocolName(request.head.version),
                          seconds: time - request.receivedAt, requestBodyBytes: request.body?.length ?? 0)
        load.requestServed()
        let phase = response.phase
        load.responded(cacheable: phase != .bypass && phase != .error,
                       hit: phase == .hit || phase == .stale || phase == .staleUpdating || phase == .revalidated,
                       bytes: bytes)
        live.record(target: request.head.uri, status: Int(response.status.code), phase: phase, bytes: bytes,
                    upstreamSeconds: response.upstreamSeconds)
        guard let accessLog else { return }
        accessLog.record(AccessLog.Entry(
            client: request.clientAddress, method: request.head.method.rawValue, target: request.head.uri,
            version: "HTTP/\(request.head.version.major).\(request.head.version.minor)",
            status: Int(response.status.code), bytes: bytes,
            referer: request.head.headers.first(name: "referer"),
            userAgent: request.head.headers.first(name: "user-agent"),
            cacheStatus: response.phase.rawValue, tier: response.tier.map { "\($0)" },
            upstreamSeconds: response.upstreamSeconds, totalSeconds: max(0, time - request.receivedAt), time: time,
            host: request.head.headers.first(name: "host"), protocolName: Self.protocolName(request.head.version),
            requestID: request.trace?.requestID ?? requestID(request.head.headers),
            upstream: request.trace?.upstream, upstreamStatus: request.trace?.status))
    }

    static let healthPath = LocalEndpoints.prefix + "health"

    /// `http/1.1`, `http/1.0`, `h2`: the protocol label of the responses family.
    static func protocolName(_ version: HTTPVersion) -> String {
        switch (version.major, version.minor) {
        case (1, 1): return "http/1.1"  // literals: no string built per request
        case (1, 0): return "http/1.0"
        case (2, _): return "h2"
        default: return "http/\(version.major).\(version.minor)"
        }
    }

    func rejected(head: HTTPRequestHead, status: HTTPResponseStatus, reason: String, client: String) {
        logger.info("request rejected", metadata: [
            "client": "\(client)", "status": "\(status.code)", "reason": "\(reason)",
        ])
        metrics.responded(phase: .error, tier: nil, bodyBytes: 0)
        metrics.responded(status: Int(status.code), method: head.method.rawValue, phase: .error,
                          protocolName: Self.protocolName(head.version), seconds: 0, requestBodyBytes: 0)
    }

    func connectionError(_ error: any Error) {
        logger.debug("connection error", metadata: ["error": "\(error)"])
    }
}
