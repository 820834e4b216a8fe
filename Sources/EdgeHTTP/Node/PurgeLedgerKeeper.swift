import EdgeCache
import Logging
import Synchronization

/// Records a node's purges in its ledger and saves the ledger before anyone is told a purge is applied.
///
/// A purge acknowledged but only held in memory is lost on restart, and the purged objects still on disk are
/// then served again. So `persist()` writes the whole ledger durably (`PurgeLedgerFile.save`) and, when it
/// cannot, the node (1) reports the purge as failed with the reason, so the coordinator retries it, and
/// (2) stops serving from its disk tier (`TieredStore.suspendDisk()`) until a later save succeeds: the node's
/// `retry` timer tries every few seconds and logs the recovery. Memory is purged either way, and the rule
/// still judges every lookup while the process runs.
///
/// Saves are serialised and each writes the newest ledger, so two purges saved at once can never leave the
/// older ledger on disk.
public final class PurgeLedgerKeeper: Sendable {
    /// The ledger's file name inside the disk tier's directory.
    public static let fileName = "purge-ledger"

    public let ledger: SharedPurgeLedger
    private let file: PurgeLedgerFile?
    private let durability = Mutex(LedgerDurability())
    private let saving = Mutex(())
    private let store: TieredStore
    private let faults: DiskFaultMonitor
    private let logger: Logger
    private let now: @Sendable () -> Double

    /// - Parameter file: where the ledger is saved; `nil` for a node without a disk tier (nothing outlives its
    ///   process there, so every purge is durable as soon as it is recorded).
    public init(ledger: SharedPurgeLedger, file: PurgeLedgerFile?, store: TieredStore, faults: DiskFaultMonitor,
                logger: Logger, now: @escaping @Sendable () -> Double) {
        self.ledger = ledger
        self.file = file
        self.store = store
        self.faults = faults
        self.logger = logger
        self.now = now
    }

    /// Records `command` (see `PurgeLedger.record`); `false` for an id already recorded.
    public func record(_ command: PurgeCommand) -> Bool {
        let time = now()
        return durability.withLock { durability in
            let recorded = ledger.record(command, now: time)
            if recorded { durability.recorded() }
            return recorded
        }
    }

    /// Saves the ledger if anything recorded is not yet on disk. Returns `nil` once everything recorded before
    /// the call is durable, else why it is not. Blocking: call it off the event loops.
    public func persist() -> String? {
        guard let file else { return nil }
        return saving.withLock { (_: inout ()) -> String? in
            let (version, needed) = durability.withLock { ($0.recordedVersion, $0.needsSave) }
            guard needed else { return nil }
            // Taken after reading the version, so it holds at least every change that version counts.
            let snapshot = ledger.snapshot
            do throws(PurgeLedgerFile.Failure) {
                try file.save(snapshot)
                let time = now()
                perform(durability.withLock { $0.saveSucceeded(version: version, now: time) })
                return nil
            } catch {
                if case .io(let ioError) = error { faults.record(ioError) }
                let reason = "saving the purge ledger failed: \(error)"
                let time = now()
                perform(durability.withLock { $0.saveFailed(reason: reason, now: time) })
                return reason
            }
        }
    }

    /// At start: saves the ledger once to learn whether it can be saved at all. When it cannot, this node may
    /// have missed purges before it stopped (it could not have kept them), so everything stored before this
    /// start is treated as hard-purged (a rule of its own, saved with the ledger once that works) and the disk
    /// is not served until then. Blocking.
    public func checkAtStart() {
        guard file != nil, let reason = persist() else { return }
        let time = now()
        _ = record(PurgeCommand(id: "ledger-unwritable-at-start-\(time)", scope: .all, mode: .hard, issuedAt: time))
        logger.error("""
            purge ledger cannot be saved at start: nothing is served from disk until it can, and everything on \
            disk from before this start is then treated as purged
            """,
                     metadata: ["error": "\(reason)"])
    }

    /// Whether every recorded purge is on disk (or there is no disk).
    public var isDurable: Bool {
        durability.withLock { $0.isDurable }
    }

    /// Whether a save is owed (the last one failed, or something was recorded since).
    public var needsSave: Bool {
        file != nil && durability.withLock { $0.needsSave }
    }

    private func perform(_ action: LedgerDurability.Action) {
        switch action {
        case .none:
            break
        case .suspendDisk(let reason):
            store.suspendDisk()
            logger.error("""
                purge ledger cannot be saved: purges are reported as failed and nothing is served from disk \
                until it can be saved again
                """, metadata: ["error": "\(reason)"])
        case .resumeDisk(let seconds):
            store.resumeDisk()
            logger.notice("purge ledger saved again: serving from disk again",
                          metadata: ["failed_for_seconds": "\(Int(seconds.rounded()))"])
        }
    }
}
