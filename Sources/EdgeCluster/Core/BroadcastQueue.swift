/// Pending membership updates waiting to be piggybacked, at most one per member (a newer rumour replaces an
/// older one). Each update is sent a bounded number of times, `λ·⌈log10(n+1)⌉`, which is enough for an
/// infection-style spread to reach every member with high probability while keeping the load per node constant.
struct BroadcastQueue: Sendable {
    private struct Entry: Sendable {
        var update: MembershipUpdate
        var transmits: Int
        var order: UInt64
        var size: Int
    }

    private var entries: [NodeID: Entry] = [:]
    private var counter: UInt64 = 0

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }

    mutating func enqueue(_ update: MembershipUpdate) {
        counter &+= 1
        entries[update.member] = Entry(update: update, transmits: 0, order: counter, size: WireSize.update(update))
    }

    /// Drops anything queued about `member` (it was forgotten).
    mutating func remove(_ member: NodeID) { entries[member] = nil }

    /// Takes updates that fit in `budget` bytes: least-sent first, newest first among equals, so fresh news
    /// (such as a refutation) always rides on the next packet. Counts a transmission for each one taken.
    mutating func take(budget: Int, limit: Int, maxCount: Int, excluding skipped: Set<NodeID> = []) -> [MembershipUpdate] {
        guard !entries.isEmpty, budget > 0, maxCount > 0 else { return [] }
        let ordered = entries.values.sorted {
            $0.transmits != $1.transmits ? $0.transmits < $1.transmits : $0.order > $1.order
        }
        var remaining = budget
        var taken: [MembershipUpdate] = []
        for entry in ordered where entry.size <= remaining && !skipped.contains(entry.update.member) {
            taken.append(entry.update)
            remaining -= entry.size
            let id = entry.update.member
            if entry.transmits + 1 >= limit {
                entries[id] = nil
            } else {
                entries[id]?.transmits += 1
            }
            if taken.count == maxCount || remaining < WireSize.smallestUpdate { break }
        }
        return taken
    }
}
