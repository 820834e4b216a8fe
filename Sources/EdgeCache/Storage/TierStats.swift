/// A tier's occupancy, for metrics and the status endpoint.
public struct TierStats: Sendable, Equatable, CustomStringConvertible {
    public var objects: Int
    public var bytes: Int
    public var capacityBytes: Int
    /// Objects the tier's LRU dropped to make room since start (not purges or replacements).
    public var evictions: Int

    public init(objects: Int, bytes: Int, capacityBytes: Int, evictions: Int = 0) {
        self.objects = objects
        self.bytes = bytes
        self.capacityBytes = capacityBytes
        self.evictions = evictions
    }

    public var description: String { "\(objects) objects, \(bytes)/\(capacityBytes) bytes" }

    /// Equal occupancy: the eviction count is history, not state (a restarted tier holds the same objects with
    /// a count of zero).
    public static func == (lhs: TierStats, rhs: TierStats) -> Bool {
        lhs.objects == rhs.objects && lhs.bytes == rhs.bytes && lhs.capacityBytes == rhs.capacityBytes
    }
}
