import Synchronization

/// A fixed set of mutexes chosen by object name, held while the disk tier does a key's file I/O.
///
/// The index lock is never held during I/O; these locks order the I/O instead, so a write, a removal and an
/// eviction of the same key cannot interleave into an index entry without a file or a file without an entry.
/// Striping bounds the number of locks and lets unrelated keys proceed in parallel. Only one stripe is held at
/// a time, and the index lock is only ever taken inside a stripe, so there is no lock-order cycle.
final class StripedLocks: Sendable {
    private final class Stripe: Sendable {
        let mutex = Mutex(())
    }

    private let stripes: [Stripe]

    init(count: Int = 64) {
        stripes = (0..<max(1, count)).map { _ in Stripe() }
    }

    func withLock<T: Sendable, E: Error>(forName name: String, _ body: () throws(E) -> T) throws(E) -> T {
        var hash = 0
        for byte in name.utf8.prefix(8) { hash = hash &* 31 &+ Int(byte) }
        let stripe = stripes[Int(UInt(bitPattern: hash) % UInt(stripes.count))]
        return try stripe.mutex.withLock { _ throws(E) -> T in try body() }
    }
}
