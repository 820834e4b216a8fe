/// Latencies of one second, counted in a few fixed buckets (milliseconds): enough for a p50/p99 line on a
/// graph at constant memory, where keeping every value would grow with the request rate.
public struct LatencyHistogram: Sendable, Equatable {
    /// Upper bounds of the buckets, in milliseconds; a last, open bucket holds everything slower.
    public static let boundsMs: [Double] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000]

    public private(set) var counts: [Int] = Array(repeating: 0, count: LatencyHistogram.boundsMs.count + 1)
    public private(set) var total = 0

    public init() {}

    /// Counts one latency; negative or non-finite values count as 0 ms and the slowest bucket respectively.
    public mutating func record(seconds: Double) {
        let ms = seconds.isNaN ? 0 : max(0, seconds * 1_000)
        let index = Self.boundsMs.firstIndex { ms <= $0 } ?? Self.boundsMs.count
        counts[index] += 1
        total += 1
    }

    public mutating func merge(_ other: LatencyHistogram) {
        for index in counts.indices { counts[index] += other.counts[index] }
        total += other.total
    }

    /// The upper bound (ms) of the bucket holding quantile `q` (0...1); the slowest bucket reports twice the
    /// last bound. `nil` when nothing was recorded.
    public func quantileMs(_ q: Double) -> Double? {
        guard total > 0 else { return nil }
        let rank = max(1, Int((min(1, max(0, q)) * Double(total)).rounded(.up)))
        var seen = 0
        for (index, count) in counts.enumerated() {
            seen += count
            if seen >= rank {
                return index < Self.boundsMs.count ? Self.boundsMs[index] : (Self.boundsMs.last ?? 0) * 2
            }
        }
        return (Self.boundsMs.last ?? 0) * 2
    }
}
