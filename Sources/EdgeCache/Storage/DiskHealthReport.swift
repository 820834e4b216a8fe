/// How a node's disk tier is doing, for its health endpoint and admin `/status`.
///
/// `degraded` while the purge ledger cannot be saved (the node then serves nothing from disk) or within a
/// minute of the last fault; it says nothing about whether the node can serve: memory and upstreams still work,
/// so a degraded disk never makes the node unhealthy to the tiers that probe it.
public struct DiskHealthReport: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable, Equatable {
        case ok, degraded
    }

    public var state: State
    /// `false` while the purge ledger cannot be saved: disk lookups are misses and disk writes are skipped.
    public var servingFromDisk: Bool
    /// `false` while the purge ledger cannot be saved.
    public var ledgerDurable: Bool
    /// The last fault's kind and message, and when it happened (seconds since the epoch).
    public var lastErrorKind: DiskFaultKind?
    public var lastError: String?
    public var lastErrorAt: Double?
    /// Faults since start, per kind (only kinds that happened).
    public var errors: [String: Int]

    public init(state: State, servingFromDisk: Bool, ledgerDurable: Bool, lastErrorKind: DiskFaultKind? = nil,
                lastError: String? = nil, lastErrorAt: Double? = nil, errors: [String: Int] = [:]) {
        self.state = state
        self.servingFromDisk = servingFromDisk
        self.ledgerDurable = ledgerDurable
        self.lastErrorKind = lastErrorKind
        self.lastError = lastError
        self.lastErrorAt = lastErrorAt
        self.errors = errors
    }

    /// Combines the fault log with the ledger's state at `now`.
    public init(faults: DiskFaultLog, ledgerDurable: Bool, servingFromDisk: Bool, now: Double) {
        let degraded = !ledgerDurable || !servingFromDisk || faults.hasRecentFault(now: now)
        self.init(state: degraded ? .degraded : .ok, servingFromDisk: servingFromDisk, ledgerDurable: ledgerDurable,
                  lastErrorKind: faults.lastFault?.kind, lastError: faults.lastFault?.message,
                  lastErrorAt: faults.lastFaultAt,
                  errors: Dictionary(uniqueKeysWithValues: faults.counts.map { ($0.key.rawValue, $0.value) }))
    }

    enum CodingKeys: String, CodingKey {
        case state, errors
        case servingFromDisk = "serving_from_disk"
        case ledgerDurable = "ledger_durable"
        case lastErrorKind = "last_error_kind"
        case lastError = "last_error"
        case lastErrorAt = "last_error_at"
    }
}
