import Synchronization

/// Round-robin over a pool of origin servers, those the health view marks down last.
///
/// The rotation spreads load across equivalent origin servers; the rest of the pool follows as fallbacks so
/// one request can survive one server failing.
public final class OriginPoolChooser: UpstreamChooser {
    private let origins: [Upstream]
    private let health: any UpstreamHealthView
    private let cursor = Atomic<Int>(0)

    public init(origins: [Upstream], health: any UpstreamHealthView) {
        self.origins = origins
        self.health = health
    }

    public func plan(for cacheKey: String, now: Double) -> [Upstream] {
        guard !origins.isEmpty else { return [] }
        let start = cursor.wrappingAdd(1, ordering: .relaxed).oldValue
        var rotated: [Upstream] = []
        rotated.reserveCapacity(origins.count)
        for offset in 0..<origins.count {
            rotated.append(origins[(start &+ offset) % origins.count])
        }
        let available = rotated.filter { health.isAvailable($0, now: now) }
        let down = rotated.filter { !health.isAvailable($0, now: now) }
        return available + down
    }
}

extension Int {
    fileprivate static func % (lhs: Int, rhs: Int) -> Int {
        let remainder = lhs.remainderReportingOverflow(dividingBy: rhs).partialValue
        return remainder < 0 ? remainder + rhs : remainder
    }
}
