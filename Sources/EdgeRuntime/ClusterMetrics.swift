import EdgeCluster
import EdgeDNS
import EdgeHTTP
import Metrics
import Prometheus

/// Exports what gossip and the DNS responder count (plain counters in modules that do not depend on a metrics
/// library) as Prometheus families at scrape time.
///
/// Their counters are totals since start; a Prometheus counter only goes up by increments, so each scrape adds
/// the difference from the totals it last exported.
final class ClusterMetrics: Sendable {
    private let factory: CatalogMetricsFactory
    private let totals = ExportedTotals()

    init(registry: PrometheusCollectorRegistry) {
        factory = CatalogMetricsFactory(registry: registry)
    }

    /// The scrape hook for a node with these parts (either may be absent).
    func hook(gossip: ClusterHealthView?, dns: DNSServer?) -> @Sendable () -> Void {
        { [self] in
            if let gossip { exportGossip(gossip) }
            if let dns { exportDNS(dns.stats()) }
        }
    }

    private func exportGossip(_ view: ClusterHealthView) {
        var byState: [MemberState: Int] = [:]
        for member in view.members() { byState[member.state, default: 0] += 1 }
        for state in MemberState.allCases {
            Gauge(label: "edge_gossip_members", dimensions: [("state", state.description)], factory: factory)
                .record(byState[state] ?? 0)
        }
        let traffic = view.gossipTraffic()
        total("edge_gossip_packets_sent_total", [], traffic.packetsSent)
        total("edge_gossip_packets_received_total", [], traffic.packetsReceived)
        total("edge_gossip_suspicions_total", [], traffic.suspicions)
        total("edge_gossip_refutations_total", [], traffic.refutations)
        let drops = view.droppedPackets()
        for reason in PacketDropReason.allCases {
            total("edge_gossip_packets_dropped_total", [("reason", reason.rawValue)], drops[reason] ?? 0)
        }
    }

    private func exportDNS(_ stats: DNSServerStats) {
        total("edge_dns_queries_total", [("transport", "udp")], stats.udpQueries)
        total("edge_dns_queries_total", [("transport", "tcp")], stats.tcpQueries)
        for code in Set(DNSResponseCode.known).union(stats.responses.keys) {
            total("edge_dns_responses_total", [("rcode", code.description)], stats.responses[code] ?? 0)
        }
        for label in DNSServerStats.namedTypes.map(\.description) + ["other"] {
            total("edge_dns_questions_total", [("type", label)], stats.questionsByType[label] ?? 0)
        }
        total("edge_dns_truncated_total", [], stats.truncated)
        for reason in DNSDropReason.allCases {
            total("edge_dns_dropped_total", [("reason", reason.rawValue)], stats.dropped[reason] ?? 0)
        }
        total("edge_dns_last_known_answers_total", [], stats.lastKnownAnswers)
    }

    /// Brings the counter `label{dimensions}` up to `value`.
    private func total(_ label: String, _ dimensions: [(String, String)], _ value: Int) {
        let series = label + dimensions.map { "|\($0.0)=\($0.1)" }.joined()
        let delta = Int(totals.growth(of: series, to: Double(value)))
        let counter = Counter(label: label, dimensions: dimensions, factory: factory)
        if delta > 0 { counter.increment(by: delta) }
    }
}
