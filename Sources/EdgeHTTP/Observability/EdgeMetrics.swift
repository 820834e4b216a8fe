import CoreMetrics
import EdgeCache
import Metrics
import Synchronization

/// The node's metrics, created once so the hit path only increments pre-built counters.
///
/// Names follow Prometheus conventions (`edge_` prefix, `_total` counters, `_seconds` / `_bytes` units); the
/// executable bootstraps swift-metrics with swift-prometheus, so these appear on `/metrics`.
public final class EdgeMetrics: Sendable {
    private let requestsByPhase: [CachePhase: Counter]
    private let hitsByTier: [TierHit: Counter]
    private let responseBytes: Counter
    private let collapsedRequests: Counter
    private let staleResponses: Counter
    private let loopsRefused: Counter
    private let connectionsRefused: Counter
    /// Requests for hosts outside the service names, refused with 421 (a scanner, or a misrouted name).
    private let misdirectedRequests: Counter
    private let upstreamLatency: Metrics.Timer
    private let upstreamErrors: Mutex<[String: Counter]>
    private let tierGauges: [String: Gauge]
    private let factory: any MetricsFactory
    /// Bytes coded, variants stored, hot recompressions.
    public let compression: CompressionMetrics

    /// `factory` is the node's own metrics backend (one Prometheus registry per node), so several nodes in one
    /// test process do not mix their numbers.
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        var byPhase: [CachePhase: Counter] = [:]
        for phase in CachePhase.allCases {
            byPhase[phase] = Counter(label: "edge_requests_total", dimensions: [("cache", phase.rawValue)], factory: factory)
        }
        requestsByPhase = byPhase
        hitsByTier = [
            .memory: Counter(label: "edge_cache_hits_total", dimensions: [("tier", "memory")], factory: factory),
            .disk: Counter(label: "edge_cache_hits_total", dimensions: [("tier", "disk")], factory: factory),
        ]
        responseBytes = Counter(label: "edge_response_body_bytes_total", factory: factory)
        collapsedRequests = Counter(label: "edge_collapsed_requests_total", factory: factory)
        staleResponses = Counter(label: "edge_stale_served_total", factory: factory)
        loopsRefused = Counter(label: "edge_loops_refused_total", factory: factory)
        connectionsRefused = Counter(label: "edge_connections_refused_total", factory: factory)
        misdirectedRequests = Counter(label: "edge_misdirected_requests_total", factory: factory)
        upstreamLatency = Metrics.Timer(label: "edge_upstream_first_byte_seconds", dimensions: [], factory: factory)
        upstreamErrors = Mutex([:])
        var gauges: [String: Gauge] = [:]
        for tier in ["memory", "disk"] {
            gauges["\(tier).objects"] = Gauge(label: "edge_cache_objects", dimensions: [("tier", tier)], factory: factory)
            gauges["\(tier).bytes"] = Gauge(label: "edge_cache_bytes", dimensions: [("tier", tier)], factory: factory)
            gauges["\(tier).capacity"] = Gauge(label: "edge_cache_capacity_bytes", dimensions: [("tier", tier)], factory: factory)
        }
        tierGauges = gauges
        compression = CompressionMetrics(factory: factory)
    }

    /// Counts one delivered response.
    public func responded(phase: CachePhase, tier: TierHit?, bodyBytes: Int) {
        requestsByPhase[phase]?.increment()
        if let tier, phase == .hit { hitsByTier[tier]?.increment() }
        if bodyBytes > 0 { responseBytes.increment(by: bodyBytes) }
    }

    func collapsed() { collapsedRequests.increment() }

    /// A client connection closed on accept because `limits.max_connections` were already open.
    func connectionRefused() { connectionsRefused.increment() }
    func staleServed() { staleResponses.increment() }
    func loopRefused() { loopsRefused.increment() }
    func misdirected() { misdirectedRequests.increment() }

    func upstreamResponse(seconds: Double, upstream: String) {
        upstreamLatency.recordNanoseconds(Int64(seconds * 1e9))
    }

    func upstreamError(kind: String, upstream: String) {
        let key = "\(upstream)|\(kind)"
        let counter = upstreamErrors.withLock { counters -> Counter in
            if let existing = counters[key] { return existing }
            let counter = Counter(label: "edge_upstream_errors_total",
                                  dimensions: [("upstream", upstream), ("kind", kind)], factory: factory)
            counters[key] = counter
            return counter
        }
        counter.increment()
    }

    /// Refreshes the per-tier gauges from the store; called just before metrics are exported.
    public func updateStorageGauges(_ stats: (memory: TierStats, disk: TierStats?)) {
        tierGauges["memory.objects"]?.record(stats.memory.objects)
        tierGauges["memory.bytes"]?.record(stats.memory.bytes)
        tierGauges["memory.capacity"]?.record(stats.memory.capacityBytes)
        if let disk = stats.disk {
            tierGauges["disk.objects"]?.record(disk.objects)
            tierGauges["disk.bytes"]?.record(disk.bytes)
            tierGauges["disk.capacity"]?.record(disk.capacityBytes)
        }
    }
}
