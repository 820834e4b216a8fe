/// Pending membership updates waiting to be piggybacked, at most one per member (a newer rumour replaces an
/// older one). Each update is sent a bounded number of times, `λ·⌈log10(n+1)⌉`, which is enough for an
/// infection-style spread to reach every member with high probability while keeping the load per node constant.
///
/// Updates sit in one bucket per transmit count, so filling a packet (least-sent first, most recent first within
/// a count) touches only the entries it takes rather than sorting the whole queue on every send: under heavy
/// churn the queue holds an entry for most members, and packets are sent many times a second.
struct BroadcastQueue: Sendable {
    private struct Entry: Sendable {
        var update: MembershipUpdate
        var size: Int
        var transmits: Int
        var generation: UInt64
    }

    /// A bucket slot; stale once its member's entry was replaced, removed, or sent again.
    private struct Slot: Sendable {
        let member: NodeID
        let generation: UInt64
        let transmits: Int
    }

    private var entries: [NodeID: Entry] = [:]
    /// `buckets[t]` holds slots of entries sent `t` times, most recently added last.
    private var buckets: [[Slot]] = []
    private var slotCount = 0
    private var counter: UInt64 = 0

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }

    mutating func enqueue(_ update: MembershipUpdate) {
        counter &+= 1
        entries[update.member] = Entry(update: update, size: WireSize.update(update), transmits: 0, generation: counter)
        place(Slot(member: update.member, generation: counter, transmits: 0))
    }

    /// Drops anything queued about `member` (it was forgotten).
    mutating func remove(_ member: NodeID) { entries[member] = nil }

    /// Takes updates that fit in `budget` bytes: least-sent first, most recent first among equals, so fresh news
    /// (such as a refutation) always rides on the next packet. Counts a transmission for each one taken.
    mutating func take(budget: Int, limit: Int, maxCount: Int, excluding skipped: Set<NodeID> = []) -> [MembershipUpdate] {
        guard !entries.isEmpty, budget > 0, maxCount > 0 else { return [] }
        var remaining = budget
        var taken: [MembershipUpdate] = []
        var resent: [Slot] = []
        scan: for transmits in buckets.indices {
            trimStaleTail(of: transmits)
            var position = buckets[transmits].count - 1
            while position >= 0 {
                let slot = buckets[transmits][position]
                position -= 1
                guard isCurrent(slot), let entry = entries[slot.member], entry.size <= remaining,
                      !skipped.contains(slot.member) else { continue }
                taken.append(entry.update)
                remaining -= entry.size
                if entry.transmits + 1 >= limit {
                    entries[slot.member] = nil
                } else {
                    entries[slot.member]?.transmits += 1
                    resent.append(Slot(member: slot.member, generation: slot.generation, transmits: transmits + 1))
                }
                if taken.count == maxCount || remaining < WireSize.smallestUpdate { break scan }
            }
        }
        // Placed after the scan so one packet never carries the same update twice.
        for slot in resent { place(slot) }
        compactIfWasteful()
        return taken
    }

    private func isCurrent(_ slot: Slot) -> Bool { Self.isCurrent(slot, in: entries) }

    private static func isCurrent(_ slot: Slot, in entries: [NodeID: Entry]) -> Bool {
        guard let entry = entries[slot.member] else { return false }
        return entry.generation == slot.generation && entry.transmits == slot.transmits
    }

    private mutating func place(_ slot: Slot) {
        while buckets.count <= slot.transmits { buckets.append([]) }
        buckets[slot.transmits].append(slot)
        slotCount += 1
    }

    private mutating func trimStaleTail(of transmits: Int) {
        while let last = buckets[transmits].last, !isCurrent(last) {
            buckets[transmits].removeLast()
            slotCount -= 1
        }
    }

    /// Stale slots in the middle of a bucket are dropped wholesale once they dominate.
    private mutating func compactIfWasteful() {
        guard slotCount > 4 * entries.count + 64 else { return }
        let current = entries
        for transmits in buckets.indices {
            buckets[transmits].removeAll { !Self.isCurrent($0, in: current) }
        }
        slotCount = buckets.reduce(0) { $0 + $1.count }
    }
}
