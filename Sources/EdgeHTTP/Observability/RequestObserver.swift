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

    public init(metrics: EdgeMetrics, load: LoadCounters = LoadCounters(), accessLog: AccessLog?, logger: Logger,
                now: @escaping @Sendable () -> Double, live: LiveTraffic = LiveTraffic()) {
        self.live = live
        self.metrics = metrics
        self.load = load
        self.accessLog = accessLog
        self.logger = logger
        self.now = now
    }

    func responded(request: ProxyRequest, response: ProxyResponse, bytes: Int) {
        metrics.responded(phase: response.phase, tier: response.tier, bodyBytes: bytes)
        load.requestServed()
        let phase = response.phase
        load.responded(cacheable: phase != .bypass && phase != .error,
                       hit: phase == .hit || phase == .stale || phase == .staleUpdating || phase == .revalidated,
                       bytes: bytes)
        live.record(target: request.head.uri, status: Int(response.status.code), phase: phase, bytes: bytes,
                    upstreamSeconds: response.upstreamSeconds)
        // Health probes from other tiers arrive every few seconds from every node: counted, not logged.
        guard let accessLog, !request.head.uri.hasPrefix("/.well-known/edge/health") else { return }
        let time = now()
        accessLog.record(AccessLog.Entry(
            client: request.clientAddress, method: request.head.method.rawValue, target: request.head.uri,
            version: "HTTP/\(request.head.version.major).\(request.head.version.minor)",
            status: Int(response.status.code), bytes: bytes,
            referer: request.head.headers.first(name: "referer"),
            userAgent: request.head.headers.first(name: "user-agent"),
            cacheStatus: response.phase.rawValue, tier: response.tier.map { "\($0)" },
            upstreamSeconds: response.upstreamSeconds, totalSeconds: max(0, time - request.receivedAt), time: time))
    }

    func rejected(head: HTTPRequestHead, status: HTTPResponseStatus, reason: String, client: String) {
        logger.info("request rejected", metadata: [
            "client": "\(client)", "status": "\(status.code)", "reason": "\(reason)",
        ])
        metrics.responded(phase: .error, tier: nil, bodyBytes: 0)
    }

    func connectionError(_ error: any Error) {
        logger.debug("connection error", metadata: ["error": "\(error)"])
    }
}
