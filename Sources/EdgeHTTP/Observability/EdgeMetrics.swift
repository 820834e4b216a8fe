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
    private let upstreamLatency: Mutex<[String: Metrics.Timer]>
    private let upstreamErrors: Mutex<[String: Counter]>
    private let upstreamRequests: Mutex<[String: Counter]>
    private let upstreamFailovers: Counter
    private let staleIfErrorSaves: Counter
    /// Responses by (code, method class, cache result, protocol): created on first use, bounded by the few
    /// values each label takes.
    private let responses: Mutex<[ResponseKey: Counter]>
    /// `edge_responses_total` for what nearly every request is (GET or HEAD over HTTP/1.1, answered 200, 206,
    /// 304 or 404 from the cache or upstream), created up front so the hit path counts with one atomic add and
    /// no lock; every other combination takes the locked table above.
    private let commonResponses: [CachePhase: [Counter]]
    private static let commonCodes = [200, 206, 304, 404]
    private static let commonPhases: [CachePhase] = [.hit, .miss, .stale, .staleUpdating, .revalidated, .expired,
                                                     .uncacheable]
    private let durations: [CachePhase: Metrics.Timer]
    private let requestBodyBytes: Counter
    private let probes: Counter
    private let connectionsActive: Gauge
    private let openConnections = Atomic<Int>(0)
    private let connectionsAccepted: Counter
    private let connectionsClosed: [ConnectionCloseReason: Counter]
    private let evictions: [String: Counter]
    private let promotionsCounter: Counter
    private let purgeRules: Gauge
    private let purgeApply: Metrics.Timer
    /// Cumulative store counts already exported, so a scrape adds only what happened since the last one.
    private let storeTotals = ExportedTotals()
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
        upstreamLatency = Mutex([:])
        upstreamErrors = Mutex([:])
        upstreamRequests = Mutex([:])
        upstreamFailovers = Counter(label: "edge_upstream_failovers_total", factory: factory)
        staleIfErrorSaves = Counter(label: "edge_stale_if_error_total", factory: factory)
        responses = Mutex([:])
        var common: [CachePhase: [Counter]] = [:]
        for phase in Self.commonPhases {
            common[phase] = Self.commonCodes.map { code in
                Counter(label: "edge_responses_total", dimensions: [
                    ("code", String(code)), ("class", "\(code / 100)xx"), ("method", "read"),
                    ("cache", phase.rawValue), ("protocol", "http/1.1"),
                ], factory: factory)
            }
        }
        commonResponses = common
        var durations: [CachePhase: Metrics.Timer] = [:]
        for phase in CachePhase.allCases {
            durations[phase] = Metrics.Timer(label: "edge_request_duration_seconds",
                                             dimensions: [("cache", phase.rawValue)], factory: factory)
        }
        self.durations = durations
        requestBodyBytes = Counter(label: "edge_request_body_bytes_total", factory: factory)
        probes = Counter(label: "edge_probe_requests_total", factory: factory)
        connectionsActive = Gauge(label: "edge_connections_active", factory: factory)
        connectionsAccepted = Counter(label: "edge_connections_accepted_total", factory: factory)
        var closed: [ConnectionCloseReason: Counter] = [:]
        for reason in ConnectionCloseReason.allCases {
            closed[reason] = Counter(label: "edge_connections_closed_total", dimensions: [("reason", reason.rawValue)],
                                     factory: factory)
        }
        connectionsClosed = closed
        var evictions: [String: Counter] = [:]
        for tier in ["memory", "disk"] {
            evictions[tier] = Counter(label: "edge_cache_evictions_total", dimensions: [("tier", tier)], factory: factory)
        }
        self.evictions = evictions
        promotionsCounter = Counter(label: "edge_cache_promotions_total", factory: factory)
        purgeRules = Gauge(label: "edge_purge_rules", factory: factory)
        purgeApply = Metrics.Timer(label: "edge_purge_apply_seconds", dimensions: [], factory: factory)
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

    /// Counts one client response with its status, method, protocol and duration (seconds from head to end).
    public func responded(status: Int, method: String, phase: CachePhase, protocolName: String,
                          seconds: Double, requestBodyBytes: Int) {
        durations[phase]?.recordNanoseconds(Int64(max(0, seconds) * 1e9))
        if requestBodyBytes > 0 { self.requestBodyBytes.increment(by: requestBodyBytes) }
        if protocolName == "http/1.1", method == "GET" || method == "HEAD", let row = commonResponses[phase],
           let index = Self.commonCodes.firstIndex(of: status) {
            row[index].increment()
            return
        }
        let key = ResponseKey(code: status, methodClass: Self.methodClass(method), phase: phase,
                              protocolName: protocolName)
        let counter = responses.withLock { counters -> Counter in
            if let existing = counters[key] { return existing }
            let counter = Counter(label: "edge_responses_total", dimensions: [
                ("code", String(key.code)), ("class", "\(key.code / 100)xx"), ("method", key.methodClass),
                ("cache", key.phase.rawValue), ("protocol", key.protocolName),
            ], factory: factory)
            counters[key] = counter
            return counter
        }
        counter.increment()
    }

    /// A health probe answered: counted apart from client traffic.
    public func probeAnswered() { probes.increment() }

    /// Method classes, so the label stays bounded whatever extension methods clients send.
    static func methodClass(_ method: String) -> String {
        switch method {
        case "GET", "HEAD": return "read"
        case "POST", "PUT", "PATCH", "DELETE": return "write"
        case "OPTIONS": return "options"
        case "PURGE": return "purge"
        default: return "other"
        }
    }

    struct ResponseKey: Hashable {
        var code: Int
        var methodClass: String
        var phase: CachePhase
        var protocolName: String
    }

    // MARK: Connections

    public func connectionOpened() {
        connectionsAccepted.increment()
        connectionsActive.record(openConnections.add(1, ordering: .relaxed).newValue)
    }

    public func connectionClosed() {
        connectionsActive.record(openConnections.subtract(1, ordering: .relaxed).newValue)
    }

    /// The node closed a connection itself (a timeout or a limit), `reason` as the connection guard words it.
    public func connectionClosedByNode(reason: String) {
        connectionsClosed[ConnectionCloseReason(describing: reason)]?.increment()
    }

    // MARK: Cache and purges

    public func evicted(tier: String, count: Int) {
        if count > 0 { evictions[tier]?.increment(by: count) }
    }


    public func purgeApplied(seconds: Double, rules: Int) {
        purgeApply.recordNanoseconds(Int64(max(0, seconds) * 1e9))
        purgeRules.record(rules)
    }

    public func updatePurgeRules(_ count: Int) { purgeRules.record(count) }

    func collapsed() { collapsedRequests.increment() }

    /// A client connection closed on accept because `limits.max_connections` were already open.
    func connectionRefused() { connectionsRefused.increment() }
    func staleServed() { staleResponses.increment() }
    func loopRefused() { loopsRefused.increment() }
    func misdirected() { misdirectedRequests.increment() }

    /// Time from sending a request to `upstream` to its response head.
    func upstreamResponse(seconds: Double, upstream: String) {
        upstreamTimer("edge_upstream_first_byte_seconds", upstream: upstream).recordNanoseconds(Int64(seconds * 1e9))
    }

    /// Time from sending a request to `upstream` to the last byte of its response body.
    func upstreamCompleted(seconds: Double, upstream: String) {
        upstreamTimer("edge_upstream_response_seconds", upstream: upstream).recordNanoseconds(Int64(seconds * 1e9))
    }

    private func upstreamTimer(_ label: String, upstream: String) -> Metrics.Timer {
        upstreamLatency.withLock { timers -> Metrics.Timer in
            let key = label + "|" + upstream
            if let existing = timers[key] { return existing }
            let timer = Metrics.Timer(label: label, dimensions: [("upstream", upstream)], factory: factory)
            timers[key] = timer
            return timer
        }
    }

    /// A request about to be sent to `upstream` (names come from the configuration: a bounded label).
    func upstreamRequest(upstream: String, tier: String) {
        let counter = upstreamRequests.withLock { counters -> Counter in
            if let existing = counters[upstream] { return existing }
            let counter = Counter(label: "edge_upstream_requests_total",
                                  dimensions: [("upstream", upstream), ("tier", tier)], factory: factory)
            counters[upstream] = counter
            return counter
        }
        counter.increment()
    }

    /// Whether `upstream` is usable now, as the health board sees it.
    func upstreamUp(_ upstream: String, tier: String, up: Bool) {
        Gauge(label: "edge_upstream_up", dimensions: [("upstream", upstream), ("tier", tier)], factory: factory)
            .record(up ? 1 : 0)
    }

    /// A request tried the next upstream after the previous one failed.
    func failedOver() { upstreamFailovers.increment() }

    /// A failed fetch answered with a stale copy (stale-if-error).
    func staleIfErrorServed() { staleIfErrorSaves.increment() }

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
    public func updateStorageGauges(_ stats: (memory: TierStats, disk: TierStats?), promotions: Int = 0) {
        evicted(tier: "memory", count: Int(storeTotals.growth(of: "memory", to: Double(stats.memory.evictions))))
        evicted(tier: "disk", count: Int(storeTotals.growth(of: "disk", to: Double(stats.disk?.evictions ?? 0))))
        let promoted = Int(storeTotals.growth(of: "promotions", to: Double(promotions)))
        if promoted > 0 { promotionsCounter.increment(by: promoted) }
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

/// Why the node closed a client connection itself, as a bounded label.
public enum ConnectionCloseReason: String, CaseIterable, Sendable {
    case idleTimeout = "idle_timeout"
    case headerTimeout = "header_timeout"
    case bodyTimeout = "body_timeout"
    case headTooLarge = "head_too_large"
    case other

    /// Reads the connection guard's wording (`ConnectionGuard.Verdict.close`'s reason).
    public init(describing reason: String) {
        if reason.hasPrefix("keep-alive idle") {
            self = .idleTimeout
        } else if reason.hasPrefix("request head not received") {
            self = .headerTimeout
        } else if reason.hasPrefix("no request body bytes") {
            self = .bodyTimeout
        } else if reason.hasPrefix("request head larger") {
            self = .headTooLarge
        } else {
            self = .other
        }
    }
}
