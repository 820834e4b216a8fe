/// Whether a node's purge ledger is on disk as recorded, and what the node must do when a save succeeds or
/// fails. A pure value; `PurgeLedgerKeeper` in the node holds it and performs its actions.
///
/// A purge counts as applied only once the ledger holding it is durable: the node that acknowledged a purge
/// and then lost it on restart would serve the purged objects from disk. So every recorded change bumps
/// `recordedVersion`, a save records the version it wrote, and a node whose save failed serves nothing from
/// its disk tier (what is there may be covered by a rule that exists only in memory) until a later save of
/// the whole ledger succeeds.
public struct LedgerDurability: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        case none
        /// The ledger just became unsaveable: stop serving from (and writing to) the disk tier.
        case suspendDisk(reason: String)
        /// A save succeeded after failing for `afterSeconds`: serve from disk again.
        case resumeDisk(afterSeconds: Double)
    }

    /// Changes recorded since start.
    public private(set) var recordedVersion = 0
    /// The newest version saved; -1 until the first save of this run.
    public private(set) var savedVersion = -1
    /// When saving started failing; `nil` while saves succeed.
    public private(set) var failingSince: Double?
    public private(set) var lastFailure: String?

    public init() {}

    public var isDurable: Bool { failingSince == nil }

    /// Whether a save is owed: something recorded since the last save, or the last save failed.
    public var needsSave: Bool { savedVersion < recordedVersion || failingSince != nil }

    /// Notes one more recorded change.
    public mutating func recorded() {
        recordedVersion += 1
    }

    /// A save of the ledger as of `version` succeeded.
    public mutating func saveSucceeded(version: Int, now: Double) -> Action {
        savedVersion = max(savedVersion, version)
        guard let since = failingSince, version >= recordedVersion else { return .none }
        failingSince = nil
        lastFailure = nil
        return .resumeDisk(afterSeconds: max(0, now - since))
    }

    /// A save failed.
    public mutating func saveFailed(reason: String, now: Double) -> Action {
        lastFailure = reason
        guard failingSince == nil else { return .none }
        failingSince = now
        return .suspendDisk(reason: reason)
    }
}
