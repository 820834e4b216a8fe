import Synchronization

/// One node's ledger, shared by the event loops that ask for verdicts and the admin listener that records
/// purges. Each call is one short lock section with no I/O.
public final class SharedPurgeLedger: Sendable {
    private let ledger: Mutex<PurgeLedger>

    public init(_ ledger: PurgeLedger = PurgeLedger()) {
        self.ledger = Mutex(ledger)
    }

    /// See `PurgeLedger.record(_:now:)`: `false` for an id already recorded.
    @discardableResult
    public func record(_ command: PurgeCommand, now: Double) -> Bool {
        ledger.withLock { $0.record(command, now: now) }
    }

    public func verdict(primaryKey: String, tags: [String], fetchedAt: Double) -> PurgeVerdict {
        ledger.withLock { $0.verdict(primaryKey: primaryKey, tags: tags, fetchedAt: fetchedAt) }
    }

    /// See `PurgeLedger.prune(now:)`.
    @discardableResult
    public func prune(now: Double) -> [PurgeLedger.Rule] {
        ledger.withLock { $0.prune(now: now) }
    }

    /// A copy, e.g. to save it or to report its size.
    public var snapshot: PurgeLedger {
        ledger.withLock { $0 }
    }
}
