import Synchronization

/// One node's ledger, shared by the event loops that ask for verdicts and the admin listener that records
/// purges. Each call is one short lock section with no I/O.
///
/// Every cache hit asks for a verdict, and almost every object was fetched after the newest purge: that case
/// is answered from an atomic copy of the newest purge time, so hits on different event loops never contend
/// for the lock. The copy is written inside the lock, before `record` returns.
public final class SharedPurgeLedger: Sendable {
    private let ledger: Mutex<PurgeLedger>
    /// `latestIssuedAt` of the ledger, as the bit pattern of a Double.
    private let latestIssuedAt: Atomic<UInt64>

    public init(_ ledger: PurgeLedger = PurgeLedger()) {
        self.ledger = Mutex(ledger)
        self.latestIssuedAt = Atomic(ledger.latestIssuedAt.bitPattern)
    }

    /// See `PurgeLedger.record(_:now:)`: `false` for an id already recorded.
    @discardableResult
    public func record(_ command: PurgeCommand, now: Double) -> Bool {
        ledger.withLock { ledger in
            let recorded = ledger.record(command, now: now)
            latestIssuedAt.store(ledger.latestIssuedAt.bitPattern, ordering: .sequentiallyConsistent)
            return recorded
        }
    }

    /// `primaryKey` is an autoclosure because the hit path asks for every hit and almost always stops at the
    /// fast check; a cached object makes its primary key string on demand (`CachedObject.primaryKey`).
    public func verdict(primaryKey: @autoclosure () -> String, tags: [String], fetchedAt: Double) -> PurgeVerdict {
        let latest = Double(bitPattern: latestIssuedAt.load(ordering: .sequentiallyConsistent))
        guard fetchedAt <= latest else { return .keep }
        let key = primaryKey()
        return ledger.withLock { $0.verdict(primaryKey: key, tags: tags, fetchedAt: fetchedAt) }
    }

    /// See `PurgeLedger.prune(now:)`.
    @discardableResult
    public func prune(now: Double) -> [PurgeLedger.Rule] {
        ledger.withLock { ledger in
            let pruned = ledger.prune(now: now)
            latestIssuedAt.store(ledger.latestIssuedAt.bitPattern, ordering: .sequentiallyConsistent)
            return pruned
        }
    }

    /// A copy, e.g. to save it or to report its size.
    public var snapshot: PurgeLedger {
        ledger.withLock { $0 }
    }
}
