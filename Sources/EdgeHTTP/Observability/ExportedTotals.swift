import Synchronization

/// Totals other parts keep since start (store evictions, CPU time, gossip and DNS counters), turned into the
/// increments a Prometheus counter takes: each scrape adds what grew since the total last exported. The one home
/// of that bookkeeping for every scrape-time counter.
public final class ExportedTotals: Sendable {
    private let exported = Mutex<[String: Double]>([:])

    public init() {}

    /// How much `total` grew since the last call for `series` (0 the first time it is lower or equal; a total
    /// that went down, after a reset, is taken as the new base).
    public func growth(of series: String, to total: Double) -> Double {
        exported.withLock { exported in
            let previous = exported[series] ?? 0
            exported[series] = total
            return max(0, total - previous)
        }
    }
}
