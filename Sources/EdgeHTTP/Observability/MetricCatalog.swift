import CoreMetrics
import Prometheus

/// Every metric family a node exports, with its HELP text: the one place names are spelled and explained.
///
/// Prometheus wants one HELP line per family and the same text wherever the family is created (swift-prometheus
/// refuses a second, different text), and `promtool check metrics` wants HELP on every family; keeping the table
/// here makes both hold by construction, and README's metric table is checked against it by a test.
public enum MetricCatalog {
    /// Family name → HELP text.
    public static let help: [String: String] = [
        // Requests and responses (client traffic; health probes are counted apart).
        "edge_requests_total": "Client requests answered, by cache result (hit, miss, stale, revalidated, bypass, error, ...).",
        "edge_responses_total": "Client responses by status code and class, method class, cache result and protocol.",
        "edge_request_duration_seconds": "Time from a request's head arriving to its response body fully written, by cache result.",
        "edge_response_body_bytes_total": "Response body bytes written to clients.",
        "edge_request_body_bytes_total": "Request body bytes received from clients.",
        "edge_probe_requests_total": "Health probes answered on /.well-known/edge/health (not counted as client traffic).",
        "edge_cache_hits_total": "Cache hits by the storage tier that answered (memory, disk).",
        "edge_collapsed_requests_total": "Requests that waited for another request's fetch of the same object instead of going upstream.",
        "edge_stale_served_total": "Responses served stale (stale-while-revalidate, stale-if-error).",
        "edge_loops_refused_total": "Requests refused because CDN-Loop shows they already passed this node or tier.",
        "edge_misdirected_requests_total": "Requests for hosts outside [cluster] service_names, answered 421.",
        // Connections.
        "edge_connections_active": "Client connections open now.",
        "edge_connections_accepted_total": "Client connections accepted.",
        "edge_connections_refused_total": "Client connections closed on accept because limits.max_connections were open.",
        "edge_connections_closed_total": "Client connections closed by the node, by reason (header, body or idle timeout, head too large).",
        // Upstreams.
        "edge_upstream_requests_total": "Requests sent to an upstream (shield or origin), by upstream name and tier.",
        "edge_upstream_errors_total": "Failed upstream requests by upstream and error kind.",
        "edge_upstream_first_byte_seconds": "Time from sending an upstream request to its response head, by upstream.",
        "edge_upstream_response_seconds":
            "Time from sending an upstream request to the last byte of its response body, by upstream.",
        "edge_upstream_up": "Whether the node currently considers an upstream usable (1) or not (0): passive signals, probes, gossip.",
        "edge_upstream_failovers_total": "Requests that moved on to the next upstream after one failed.",
        "edge_stale_if_error_total": "Failed fetches answered with a stale copy under stale-if-error.",
        // Cache.
        "edge_cache_objects": "Objects stored, by tier.",
        "edge_cache_bytes": "Bytes stored, by tier (memory counts its accounting cost, disk the file sizes).",
        "edge_cache_capacity_bytes": "Configured capacity, by tier.",
        "edge_cache_evictions_total": "Objects evicted by the LRU to make room, by tier (Varnish n_lru_nuked).",
        "edge_cache_promotions_total": "Disk hits copied up into the memory tier.",
        "edge_disk_errors_total": "Disk tier errors by kind (read, write, full, read-only, corrupt, ...).",
        "edge_purge_rules": "Purge rules in the node's ledger (what may no longer be served or stored).",
        "edge_purge_apply_seconds": "Time to apply one purge on this node.",
        // Compression.
        "edge_compression_input_bytes_total": "Identity bytes fed to the brotli and gzip encoders.",
        "edge_compression_output_bytes_total": "Coded bytes the encoders produced.",
        "edge_decompression_input_bytes_total": "Coded bytes decoded for clients that refuse the stored coding.",
        "edge_decompression_output_bytes_total": "Identity bytes produced by decoding.",
        "edge_compression_variants_stored_total": "Coded variants stored beside their identity base, by coding.",
        "edge_compression_recompressions_total": "Hot variants recompressed in the background at a higher brotli quality.",
        "edge_compression_recompression_saved_bytes_total": "Bytes saved by background recompression.",
        "edge_compression_failures_total": "Coding attempts that failed (the response was sent as stored).",
        // Gossip.
        "edge_gossip_members": "Cluster members this node knows, by SWIM state.",
        "edge_gossip_packets_sent_total": "Gossip datagrams sent.",
        "edge_gossip_packets_received_total": "Gossip datagrams received and accepted.",
        "edge_gossip_packets_dropped_total": "Gossip datagrams dropped, by reason (bad MAC, wrong cluster, replayed, stale, malformed, ...).",
        "edge_gossip_suspicions_total": "Times a member was marked suspect.",
        "edge_gossip_refutations_total": "Times a suspect member came back alive (it refuted the suspicion).",
        // DNS.
        "edge_dns_queries_total": "DNS queries received, by transport.",
        "edge_dns_responses_total": "DNS responses sent, by response code.",
        "edge_dns_questions_total": "DNS queries by question type (A, AAAA, NS, SOA, CNAME, TXT, MX, PTR, ANY, other).",
        "edge_dns_truncated_total": "UDP DNS responses truncated (TC=1) so the client retries over TCP.",
        "edge_dns_dropped_total": "DNS packets that got no response, by reason.",
        "edge_dns_last_known_answers_total": "Routed DNS answers served from the last-known table because no edge was usable.",
        // Process.
        "process_cpu_seconds_total": "User and system CPU time spent by the node process.",
        "process_resident_memory_bytes": "Resident memory of the node process.",
        "process_open_fds": "File descriptors open in the node process.",
        "process_max_fds": "The node process's open file limit.",
        "process_start_time_seconds": "Start time of the node process since the Unix epoch.",
        "edge_build_info": "Always 1; the labels say which build runs.",
    ]

    /// Buckets for request and upstream latencies: 1 ms to 30 s, roughly ×2.5 per step.
    public static let latencyBuckets: [Duration] = [
        .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .microseconds(2_500_000), .seconds(5), .seconds(10), .seconds(30),
    ]

    static func helpText(for name: String) -> String {
        // Every family should be in the table (a test checks the scrape); a missing one still gets HELP rather
        // than a crash or a promtool failure.
        help[name] ?? "edge metric \(name)."
    }
}

/// A swift-metrics backend over a node's own Prometheus registry that gives every family its HELP text from
/// `MetricCatalog`, so code keeps using swift-metrics' `Counter(label:)` while the scrape stays promtool-clean.
public struct CatalogMetricsFactory: CoreMetrics.MetricsFactory {
    public let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CoreMetrics.CounterHandler {
        registry.makeCounter(name: label, labels: dimensions, help: MetricCatalog.helpText(for: label))
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)])
        -> any CoreMetrics.FloatingPointCounterHandler
    {
        registry.makeCounter(name: label, labels: dimensions, help: MetricCatalog.helpText(for: label))
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool)
        -> any CoreMetrics.RecorderHandler
    {
        guard aggregate else {
            return registry.makeGauge(name: label, labels: dimensions, help: MetricCatalog.helpText(for: label))
        }
        return registry.makeValueHistogram(name: label, labels: dimensions,
                                           buckets: [1, 10, 100, 1000, 10_000, 100_000, 1_000_000],
                                           help: MetricCatalog.helpText(for: label))
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any CoreMetrics.MeterHandler {
        registry.makeGauge(name: label, labels: dimensions, help: MetricCatalog.helpText(for: label))
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any CoreMetrics.TimerHandler {
        registry.makeDurationHistogram(name: label, labels: dimensions, buckets: MetricCatalog.latencyBuckets,
                                       help: MetricCatalog.helpText(for: label))
    }

    public func destroyCounter(_ handler: any CoreMetrics.CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    public func destroyFloatingPointCounter(_ handler: any CoreMetrics.FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    public func destroyRecorder(_ handler: any CoreMetrics.RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
        if let histogram = handler as? ValueHistogram { registry.unregisterValueHistogram(histogram) }
    }

    public func destroyMeter(_ handler: any CoreMetrics.MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    public func destroyTimer(_ handler: any CoreMetrics.TimerHandler) {
        if let histogram = handler as? DurationHistogram { registry.unregisterDurationHistogram(histogram) }
    }
}
