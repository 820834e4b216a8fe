/// Rejects replayed packets: a packet whose timestamp is outside ±`window` of our clock is stale, and an exact
/// copy (same MAC) of a packet seen within the window is a replay. A replayed "suspect" or "dead" could
/// otherwise re-accuse a member that has since refuted at the same incarnation.
///
/// Memory is bounded by `capacity`; under a flood the oldest entries go first, which can let a very old copy
/// through, but never more than `window` seconds old. Requires clocks within `window` of each other (NTP).
public struct ReplayGuard: Sendable {
    public enum Verdict: Hashable, Sendable {
        case fresh, stale, replayed
    }

    private struct Tag: Hashable, Sendable {
        let high: UInt64
        let low: UInt64
    }

    public let window: Double
    public let capacity: Int
    private var seen: Set<Tag> = []
    private var arrivals: [(tag: Tag, sentAt: Double)] = []
    private var head = 0

    public init(window: Double = 60, capacity: Int = 16_384) {
        self.window = window
        self.capacity = max(1, capacity)
    }

    public mutating func admit(tag: [UInt8], timestampMillis: UInt64, now: Double) -> Verdict {
        let sentAt = Double(timestampMillis) / 1000
        guard abs(now - sentAt) <= window else { return .stale }
        forget(olderThan: now - window)
        let key = Self.key(tag)
        guard seen.insert(key).inserted else { return .replayed }
        arrivals.append((key, sentAt))
        if seen.count > capacity { dropOldest() }
        return .fresh
    }

    private mutating func forget(olderThan cutoff: Double) {
        while head < arrivals.count, arrivals[head].sentAt < cutoff { dropOldest() }
    }

    private mutating func dropOldest() {
        guard head < arrivals.count else { return }
        seen.remove(arrivals[head].tag)
        head += 1
        if head > 1024, head * 2 > arrivals.count {
            arrivals.removeFirst(head)
            head = 0
        }
    }

    private static func key(_ tag: [UInt8]) -> Tag {
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (i, byte) in tag.prefix(16).enumerated() {
            if i < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        return Tag(high: high, low: low)
    }
}
