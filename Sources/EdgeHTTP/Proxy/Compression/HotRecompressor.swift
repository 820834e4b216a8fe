import Dispatch
import Synchronization

/// Runs hot-object recompressions one at a time on a background queue of its own.
///
/// Brotli 11 costs 65-100x brotli 5 (about 1.5 s of CPU for a 1 MiB page), so it must never run on an event
/// loop, on the I/O pool (disk reads would wait behind it) or in the cooperative pool that serves requests.
/// One serial queue at utility priority bounds it to one core at most, and the waiting list is bounded: a
/// burst of newly hot objects is recompressed later (their next hits ask again), never queued without limit.
final class HotRecompressor: Sendable {
    static let maxPending = 32
    private let queue = DispatchQueue(label: "edge.compression.recompress", qos: .utility)
    private let pending = Atomic<Int>(0)

    init() {}

    /// Queues `job`; false when the queue is full.
    func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        guard pending.wrappingAdd(1, ordering: .relaxed).newValue <= Self.maxPending else {
            pending.wrappingSubtract(1, ordering: .relaxed)
            return false
        }
        queue.async {
            job()
            self.pending.wrappingSubtract(1, ordering: .relaxed)
        }
        return true
    }

    var pendingCount: Int { pending.load(ordering: .relaxed) }
}
