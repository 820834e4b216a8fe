import EdgeCache
import Logging
import Prometheus
import Synchronization

/// Hears every disk fault of a node (the disk tier's events, failed stores, failed purge ledger saves), logs it
/// rate-limited, counts it in `edge_disk_errors_total{kind}`, and keeps what the health endpoint and admin
/// `/status` report. Corruption and I/O errors already cost only a miss; without this they were also silent,
/// so a failing device went unnoticed until it failed completely.
public final class DiskFaultMonitor: Sendable {
    public static let metricName = "edge_disk_errors_total"
    static let metricHelp = "Disk cache faults by kind (corrupt, read, write, remove, nospace, readonly, "
        + "permission); each cost a miss or a skipped write, never a wrong response."

    private let faults: Mutex<DiskFaultLog>
    private let counters: [DiskFaultKind: Prometheus.Counter]
    private let logger: Logger
    private let now: @Sendable () -> Double

    /// Every kind's counter is created at once, so dashboards see zeros rather than missing series.
    public init(registry: PrometheusCollectorRegistry, logger: Logger,
                settings: DiskFaultLog.Settings = DiskFaultLog.Settings(), now: @escaping @Sendable () -> Double) {
        faults = Mutex(DiskFaultLog(settings: settings))
        var counters: [DiskFaultKind: Prometheus.Counter] = [:]
        for kind in DiskFaultKind.allCases {
            counters[kind] = registry.makeCounter(name: Self.metricName, labels: [("kind", kind.rawValue)],
                                                  help: MetricCatalog.helpText(for: Self.metricName))
        }
        self.counters = counters
        self.logger = logger
        self.now = now
    }

    /// The disk tier's event handler.
    public func record(_ event: DiskTierEvent) {
        if let fault = DiskFault(event) {
            record(fault)
            return
        }
        switch event {
        case .removedTemporaryFile(let path):
            logger.info("disk cache: removed a temporary file left by an interrupted write", metadata: ["path": "\(path)"])
        case .skippedForeignEntry(let path):
            // The purge ledger lives beside the shard directories; it is ours, not foreign.
            guard !path.hasSuffix("/" + PurgeLedgerKeeper.fileName),
                  !path.contains("/" + PurgeLedgerKeeper.fileName + ".tmp-") else { return }
            logger.warning("disk cache: not a cache entry, left alone", metadata: ["path": "\(path)"])
        case .evictedAtStartup(let count, let bytes):
            logger.info("disk cache: evicted objects beyond the capacity at start",
                        metadata: ["objects": "\(count)", "bytes": "\(bytes)"])
        case .removedInvalidFile, .readFailed, .removeFailed:
            break
        }
    }

    /// A failed operation (a store's disk write, a ledger save). Objects that cannot be encoded are not disk
    /// faults; they are logged at debug level only.
    public func record(_ error: DiskTierError) {
        guard let fault = DiskFault(error) else {
            logger.debug("disk cache: object not stored on disk", metadata: ["error": "\(error)"])
            return
        }
        record(fault)
    }

    public func record(_ fault: DiskFault) {
        counters[fault.kind]?.increment()
        let time = now()
        let decision = faults.withLock { $0.record(fault, now: time) }
        guard case .log(let suppressed) = decision else { return }
        var metadata: Logger.Metadata = ["kind": "\(fault.kind.rawValue)"]
        if suppressed > 0 { metadata["suppressed"] = "\(suppressed)" }
        logger.error("disk fault: \(fault.message)", metadata: metadata)
    }

    /// The disk's health now, given the ledger's and the store's state.
    public func report(ledgerDurable: Bool, servingFromDisk: Bool) -> DiskHealthReport {
        let time = now()
        return faults.withLock {
            DiskHealthReport(faults: $0, ledgerDurable: ledgerDurable, servingFromDisk: servingFromDisk, now: time)
        }
    }
}
